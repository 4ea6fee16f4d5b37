"""Who receives what: the one home of the recipient and "must receive" rules."""

from collections import defaultdict

from departments.models import Role, User
from notifications.models import Kind

# Mail a role always gets, whatever the user's settings say: the work it cannot ignore.
REQUIRED_KINDS = {
    Role.REPORTER: {Kind.REPORT_RETURNED, Kind.OVERDUE, Kind.ORDER_ISSUED, Kind.ORDER_URGED},
    Role.HEAD: {
        Kind.REPORT_RETURNED,
        Kind.OVERDUE,
        Kind.AWAITING_SIGNOFF,
        Kind.ORDER_ISSUED,
        Kind.ORDER_URGED,
    },
    Role.SUPERVISOR: {Kind.SUPERVISOR_DIGEST},
    Role.LEADER: {Kind.EVALUATION_SUBMITTED},
}

# Kinds posted to the unit's group bots (about the unit's work, not one person's queue).
UNIT_KINDS = {
    Kind.REPORT_RETURNED,
    Kind.REPORT_ACCEPTED,
    Kind.DUE_SOON,
    Kind.DUE_TODAY,
    Kind.OVERDUE,
    Kind.TASK_CHANGED,
    Kind.ORDER_ISSUED,
    Kind.ORDER_URGED,
    Kind.ORDER_SENT_BACK,
    Kind.ORDER_LEVEL_CHANGED,
    Kind.ORDER_EXTENSION_DECIDED,
    Kind.ORDER_CLOSED,
}

STAFF_GROUPS = (Role.REPORTER.label, Role.HEAD.label)

_ORDER_KINDS = [
    Kind.ORDER_ISSUED,
    Kind.ORDER_URGED,
    Kind.ORDER_SENT_BACK,
    Kind.ORDER_LEVEL_CHANGED,
    Kind.ORDER_EXTENSION_DECIDED,
    Kind.ORDER_CLOSED,
]
_STAFF_KINDS = [
    Kind.REPORT_RETURNED,
    Kind.REPORT_ACCEPTED,
    Kind.DUE_SOON,
    Kind.DUE_TODAY,
    Kind.OVERDUE,
    Kind.TASK_CHANGED,
    *_ORDER_KINDS,
    Kind.EVALUATION_PUBLISHED,
    Kind.JOB_FINISHED,
]
# The kinds each role can receive at all (what its settings page offers).
ROLE_KINDS = {
    Role.REPORTER: _STAFF_KINDS,
    Role.HEAD: [Kind.AWAITING_SIGNOFF, *_STAFF_KINDS],
    Role.SUPERVISOR: [
        Kind.AWAITING_REVIEW,
        Kind.SUPERVISOR_DIGEST,
        *_ORDER_KINDS,
        Kind.EVALUATION_RETURNED,
        Kind.EVALUATION_PUBLISHED,
        Kind.JOB_FINISHED,
    ],
    # Leaders read dashboards: they hear of the year-end result they approve (审定) and of
    # their own exports.
    Role.LEADER: [Kind.EVALUATION_SUBMITTED, Kind.JOB_FINISHED],
    Role.ADMINISTRATOR: [Kind.JOB_FINISHED],
}


def required_kinds(user):
    """Kinds `user` receives by mail regardless of settings (groups should be prefetched)."""
    return REQUIRED_KINDS.get(user.role, set())


def optional_kinds(user):
    """Kinds `user` may switch off by mail, in the order of `Kind`."""
    required = required_kinds(user)
    offered = ROLE_KINDS.get(user.role, [])
    return [kind for kind in offered if kind not in required]


def _with_groups(queryset):
    return queryset.filter(is_active=True).prefetch_related("groups").order_by("pk")


def unit_staff(department_ids, *, heads_only=False):
    """{department_id: [User]} of the units' active reporters and heads (two queries)."""
    groups = (Role.HEAD.label,) if heads_only else STAFF_GROUPS
    users = _with_groups(
        User.objects.filter(department_id__in=list(department_ids), groups__name__in=groups)
    ).distinct()
    by_unit = defaultdict(list)
    for user in users:
        by_unit[user.department_id].append(user)
    return by_unit


def supervisors():
    """Active supervisors (two queries); they read every unit's work."""
    return list(_with_groups(User.objects.filter(groups__name=Role.SUPERVISOR.label)).distinct())


def leaders():
    """Active leaders (two queries): they approve (审定) the year-end evaluation."""
    return list(_with_groups(User.objects.filter(groups__name=Role.LEADER.label)).distinct())


def review_recipients(report, actor):
    """Supervisors who may review `report`: not of its unit, not the one who sent it."""
    return [
        user
        for user in supervisors()
        if user.department_id != report.department_id
        and user.pk not in (actor.pk, report.created_by_id, report.submitted_by_id)
    ]
