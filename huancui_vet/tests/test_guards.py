"""Project-wide guard tests: every named URL for every persona, the read-only leader, CSRF.

The URL table below must name every non-admin URL in the resolver: a new view fails
`test_every_named_url_is_in_the_table` until it is added here, so it is swept for 500s,
anonymous access, leader writes and GET side effects like every other page.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from departments.models import User
from huancui_vet.testing import World
from jobs.models import Job
from jobs.services import job_start
from notifications.channels import unsubscribe_token
from notifications.models import Notice
from reports import services
from reports.models import Evidence, PeriodLock, Report, ReportEvent, TargetValue
from reports.tests.factories import JUNE, MAY, pdf, submitted
from supervision.evaluation import services as evaluation_services
from supervision.evaluation.models import Evaluation, EvaluationAdjustment, EvaluationLine
from supervision.orders import services as order_services
from supervision.orders.models import OrderEvent, ReportUrging, SupervisionOrder, Verification
from supervision.workbook.job import WORKBOOK_JOB, workbook_job_params
from tasks.models import Plan, Target, Task

MARCH = datetime.date(2023, 3, 1)
APRIL = datetime.date(2023, 4, 1)
FEBRUARY = datetime.date(2023, 2, 1)

PERSONAS = [
    "anonymous",
    "reporter",
    "head",
    "hr_reporter",
    "other_reporter",
    "supervisor",
    "neutral_supervisor",
    "leader",
    "admin",
]


@dataclass
class Objects:
    """The world plus real rows for every kind of object a URL points at."""

    world: World
    draft: Report  # 教育局's June draft of task 1, with one evidence file
    submitted: Report  # 教育局's May report of task 1, submitted twice (compare has a diff)
    evidence: Evidence
    closed_period: datetime.date  # closed, so period_reopen has something to reopen
    order: object = None  # a supervision order to 教育局 (人社局 assists), with a file
    verification: object = None
    evaluation: object = None  # 2024 draft with one adjustment (人社局 +2)
    published_evaluation: object = None  # 2023, published
    job: object = None  # the neutral supervisor's finished workbook job (我的导出)


def _iso(day):
    return day.isoformat()


# url name → kwargs built from Objects. Every named non-admin URL must be here.
URL_KWARGS = {
    "home": lambda o: {},
    "healthz": lambda o: {},
    "login": lambda o: {},
    "logout": lambda o: {},
    "password_change": lambda o: {},
    "password_change_done": lambda o: {},
    "password_reset": lambda o: {},
    "password_reset_done": lambda o: {},
    "password_reset_confirm": lambda o: {"uidb64": "MQ", "token": "set-password"},
    "password_reset_complete": lambda o: {},
    "people_list": lambda o: {},
    "people_add": lambda o: {},
    "people_deactivate": lambda o: {"pk": o.world.reporter.pk},
    "people_activate": lambda o: {"pk": o.world.reporter.pk},
    "people_reset_password": lambda o: {"pk": o.world.reporter.pk},
    "people_change_role": lambda o: {"pk": o.world.reporter.pk},
    "tasks:plan_list": lambda o: {},
    "tasks:plan_detail": lambda o: {"pk": o.world.plan.pk},
    "reports:my_tasks": lambda o: {},
    "reports:search": lambda o: {},
    "reports:signoff_queue": lambda o: {},
    "reports:review_queue": lambda o: {},
    "reports:task_detail": lambda o: {"pk": o.world.task1.pk},
    "reports:task_history": lambda o: {"pk": o.world.task1.pk},
    "reports:task_print": lambda o: {"pk": o.world.task1.pk},
    # April has no report yet, so the create form (not a redirect to edit) is exercised.
    "reports:report_create": lambda o: {"pk": o.world.task1.pk, "period": _iso(APRIL)},
    "reports:report_detail": lambda o: {"pk": o.submitted.pk},
    "reports:report_edit": lambda o: {"pk": o.draft.pk},
    "reports:report_submit": lambda o: {"pk": o.draft.pk},
    "reports:report_signoff": lambda o: {"pk": o.draft.pk},
    "reports:report_signoff_return": lambda o: {"pk": o.draft.pk},
    "reports:report_withdraw": lambda o: {"pk": o.submitted.pk},
    "reports:report_accept": lambda o: {"pk": o.submitted.pk},
    "reports:report_return": lambda o: {"pk": o.submitted.pk},
    "reports:report_compare": lambda o: {"pk": o.submitted.pk},
    "reports:report_history": lambda o: {"pk": o.submitted.pk},
    "reports:evidence_upload": lambda o: {"pk": o.draft.pk},
    "reports:evidence_download": lambda o: {"pk": o.evidence.pk},
    "reports:evidence_view": lambda o: {"pk": o.evidence.pk},
    "reports:evidence_delete": lambda o: {"pk": o.evidence.pk},
    "reports:period_list": lambda o: {},
    "reports:period_close": lambda o: {"plan_pk": o.world.plan.pk, "period": _iso(FEBRUARY)},
    "reports:period_reopen": lambda o: {
        "plan_pk": o.world.plan.pk,
        "period": _iso(o.closed_period),
    },
    "reports:bulk_entry": lambda o: {},
    "reports:bulk_download": lambda o: {},
    "reports:bulk_upload": lambda o: {},
    "reports:bulk_review": lambda o: {},
    "reports:bulk_submit": lambda o: {},
    "reports:bulk_signoff": lambda o: {},
    "reports:raw_csv": lambda o: {"plan_pk": o.world.plan.pk},
    "reports:raw_xlsx": lambda o: {"plan_pk": o.world.plan.pk},
    "supervision:dashboard": lambda o: {},
    "supervision:dashboard_print": lambda o: {},
    "supervision:compliance": lambda o: {},
    "supervision:scorecard": lambda o: {},
    "supervision:department_score": lambda o: {"department_id": o.world.edu.pk},
    "supervision:public_plan": lambda o: {"plan_id": o.world.plan.pk},
    "supervision:public_plan_qr_svg": lambda o: {"plan_id": o.world.plan.pk},
    "supervision:public_plan_qr_png": lambda o: {"plan_id": o.world.plan.pk},
    "public_index": lambda o: {},
    "public": lambda o: {"plan_id": o.world.plan.pk},
    "help": lambda o: {},
    "help_role": lambda o: {"role": "supervisor"},
    "supervision:export_workbook": lambda o: {},
    "notifications:inbox": lambda o: {},
    # The reporter's notice of the May report's return (build_objects returns it).
    "notifications:notice_open": lambda o: {"pk": _reporters_notice(o)},
    "notifications:notice_read": lambda o: {"pk": _reporters_notice(o)},
    "notifications:notice_read_all": lambda o: {},
    "notifications:settings": lambda o: {},
    "jobs:list": lambda o: {},
    "jobs:detail": lambda o: {"pk": o.job.pk},
    "jobs:status": lambda o: {"pk": o.job.pk},
    "jobs:download": lambda o: {"pk": o.job.pk},
    "notifications:unit_webhooks": lambda o: {},
    "notifications:unsubscribe": lambda o: {
        "token": unsubscribe_token(o.world.reporter.pk, "report_accepted")
    },
    "supervision:order_list": lambda o: {},
    "supervision:order_create": lambda o: {"task_id": o.world.task1.pk},
    "supervision:order_detail": lambda o: {"pk": o.order.pk},
    "supervision:order_print": lambda o: {"pk": o.order.pk},
    "supervision:order_acknowledge": lambda o: {"pk": o.order.pk},
    "supervision:order_reply": lambda o: {"pk": o.order.pk},
    "supervision:order_send_back": lambda o: {"pk": o.order.pk},
    "supervision:order_close": lambda o: {"pk": o.order.pk},
    "supervision:order_extension_request": lambda o: {"pk": o.order.pk},
    "supervision:order_extension_grant": lambda o: {"pk": o.order.pk},
    "supervision:order_extension_refuse": lambda o: {"pk": o.order.pk},
    "supervision:order_urge": lambda o: {"pk": o.order.pk},
    "supervision:order_instruct": lambda o: {"pk": o.order.pk},
    "supervision:order_file": lambda o: {"pk": o.order.files.first().pk},
    "supervision:report_urge": lambda o: {
        "task_id": o.world.task1.pk,
        "department_id": o.world.hr.pk,
        "period": _iso(JUNE),
    },
    "supervision:verification_create": lambda o: {"task_id": o.world.task1.pk},
    "supervision:verification_detail": lambda o: {"pk": o.verification.pk},
    "supervision:evaluation_list": lambda o: {},
    "supervision:evaluation_open": lambda o: {},
    "supervision:evaluation_detail": lambda o: {"pk": o.evaluation.pk},
    "supervision:evaluation_unit": lambda o: {
        "pk": o.published_evaluation.pk,
        "department_id": o.world.edu.pk,
    },
    "supervision:evaluation_adjust": lambda o: {"pk": o.evaluation.pk},
    "supervision:evaluation_submit": lambda o: {"pk": o.evaluation.pk},
    "supervision:evaluation_approve": lambda o: {"pk": o.evaluation.pk},
    "supervision:evaluation_return": lambda o: {"pk": o.evaluation.pk},
    "supervision:evaluation_print": lambda o: {"pk": o.published_evaluation.pk},
    "supervision:evaluation_xlsx": lambda o: {"pk": o.published_evaluation.pk},
    "supervision:evaluation_file": lambda o: {"pk": o.evaluation.adjustments.first().pk},
    "supervision:evaluation_adjustment_withdraw": lambda o: {
        "pk": o.evaluation.adjustments.first().pk
    },
}


def _reporters_notice(objects):
    return Notice.objects.filter(recipient=objects.world.reporter).values_list("pk", flat=True)[0]


# Reachable without signing in. Everything else must send anonymous visitors to the login page.
PUBLIC = {
    "login",
    "healthz",
    "notifications:unsubscribe",
    "supervision:public_plan",
    "supervision:public_plan_qr_svg",
    "supervision:public_plan_qr_png",
    "public_index",
    "public",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}

# Plausible POST bodies, so a missing permission check would actually succeed and show.
POST_DATA = {
    "reports:report_create": {
        "version": 0,
        "progress_status": "on_track",
        "percent": 10,
        "work_done": "开展调研。",
    },
    "reports:report_edit": {
        "version": 1,
        "progress_status": "on_track",
        "percent": 60,
        "work_done": "完成选址。",
    },
    "reports:report_accept": {"comment": "同意。"},
    "reports:report_return": {"comment": "请补充佐证材料。"},
    "supervision:order_create": {
        "host": 0,  # filled in by post_data()
        "reason": "逾期",
        "requirement": "限期整改",
        "deadline": "2023-07-30",
        "level": "normal",
        "source": "task",
    },
    "supervision:order_urge": {"text": "请抓紧。"},
    "supervision:order_instruct": {"text": "务必落实。"},
    "supervision:order_send_back": {"text": "补充材料。"},
    "supervision:order_extension_request": {"text": "需延期", "new_deadline": "2023-08-30"},
    "supervision:order_extension_grant": {"new_deadline": "2023-08-30"},
    "supervision:order_extension_refuse": {"text": "不同意"},
    "supervision:order_reply": {"text": "已整改。"},
    "supervision:report_urge": {"text": "请报送。"},
    "supervision:verification_create": {
        "department": 0,  # filled in by post_data()
        "checked_on": "2023-07-09",
        "method": "site",
        "scope": "实训基地",
        "finding": "untrue",
    },
    "reports:report_signoff_return": {"comment": "请补充数据。"},
    "supervision:evaluation_open": {"plan": 0, "year": 2024},  # plan filled in by post_data()
    "supervision:evaluation_adjust": {
        "department": 0,  # filled in by post_data()
        "kind": "bonus",
        "amount": "1.0",
        "reason": "领导批示表扬",
    },
    "supervision:evaluation_return": {"comment": "请核实加分依据。"},
    "supervision:evaluation_adjustment_withdraw": {"reason": "依据不足"},
}

# Actions on one's own account, not on portal data: the leader may sign out and change a
# password like everybody else. healthz is answered by middleware for any method and
# never writes.
LEADER_MAY_POST = {
    "login",
    "logout",
    "password_change",
    "healthz",
    "password_reset",
    "password_reset_confirm",
}
# The leader's own inbox and settings; the unsubscribe link acts for its token's owner.
LEADER_MAY_POST |= {
    "notifications:notice_read_all",
    "notifications:settings",
    "notifications:unsubscribe",
}
# ...and write instructions (领导批示) on supervision orders, their one write.
LEADER_MAY_POST |= {"supervision:order_instruct"}
# ...and approve (审定) or return the year-end evaluation.
LEADER_MAY_POST |= {"supervision:evaluation_approve", "supervision:evaluation_return"}
# ...and start their own exports (a background job they read; no portal data changes).
LEADER_MAY_POST |= {
    "supervision:export_workbook",
    "reports:raw_csv",
    "reports:raw_xlsx",
}


def post_data(objects, name):
    """POST_DATA[name] with the unit fields pointing at 教育局."""
    data = dict(POST_DATA.get(name, {}))
    for key in ("host", "department"):
        if key in data:
            data[key] = objects.world.edu.pk
    if name == "supervision:evaluation_adjust":
        data.update(department=objects.world.hr.pk, file=pdf("表扬通报.pdf"))
    if "plan" in data:
        data["plan"] = objects.world.plan.pk
    return data


# Anonymous forms (CSRF-checked by Django's views, tested in departments/tests).
ANONYMOUS_FORMS = {"login", "password_reset", "password_reset_confirm"}


def named_urls(resolver=None, namespace=""):
    """Every named URL pattern as 'namespace:name', the admin site left out."""
    resolver = resolver or get_resolver()
    names = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or ""
            if inner == "admin":
                continue
            prefix = f"{namespace}:{inner}" if namespace and inner else (namespace or inner)
            names |= named_urls(entry, prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}:{entry.name}" if namespace else entry.name)
    return names


def url_for(objects, name):
    return reverse(name, kwargs=URL_KWARGS[name](objects))


def persona(world, name):
    return None if name == "anonymous" else getattr(world, name)


def db_state():
    """Row counts plus the workflow fields a write could flip without adding rows."""
    counts = {
        model.__name__: model.objects.count()
        for model in (
            Job,
            Report,
            ReportEvent,
            Evidence,
            TargetValue,
            PeriodLock,
            Task,
            Target,
            Plan,
            SupervisionOrder,
            OrderEvent,
            ReportUrging,
            Verification,
            Evaluation,
            EvaluationAdjustment,
            EvaluationLine,
        )
    }
    reports = list(Report.objects.order_by("pk").values_list("pk", "state", "version"))
    locks = list(PeriodLock.objects.order_by("pk").values_list("pk", "is_closed"))
    users = list(
        User.objects.order_by("pk").values_list("pk", "is_active", "password", "groups__name")
    )
    orders = list(SupervisionOrder.objects.order_by("pk").values_list("pk", "status", "deadline"))
    evaluations = list(Evaluation.objects.order_by("pk").values_list("pk", "status"))
    return counts, reports, locks, orders, users, evaluations


def build_objects(world):
    """A twice-submitted May report, a June draft with evidence, a closed March period."""
    sent = submitted(world, period=MAY)
    services.report_return(user=world.neutral_supervisor, report=sent, comment="补充数据")
    sent = services.report_submit(user=world.reporter, report=sent)
    draft = services.report_start(user=world.reporter, task=world.task1, period_start=JUNE)
    draft = services.report_save(
        user=world.reporter,
        report=draft,
        expected_version=draft.version,
        fields={"progress_status": "on_track", "percent": 30, "work_done": "开展调研。"},
    )
    evidence = services.evidence_add(user=world.reporter, report=draft, uploaded_file=pdf())
    services.period_close(user=world.neutral_supervisor, plan=world.plan, period_start=MARCH)
    order = order_services.order_issue(
        user=world.neutral_supervisor,
        task=world.task1,
        host=world.edu,
        assisting=[world.hr],
        reason="6月报告逾期。",
        requirement="限期报送。",
        deadline=datetime.date(2023, 7, 20),
        files=[pdf("督办依据.pdf")],
    )
    verification = order_services.verification_record(
        user=world.neutral_supervisor,
        task=world.task1,
        department=world.edu,
        checked_on=datetime.date(2023, 7, 9),
        method="site",
        scope="实训基地建设",
        finding="true",
    )
    published = evaluation_services.evaluation_open(
        user=world.neutral_supervisor, plan=world.plan, year=2023
    )
    evaluation_services.evaluation_submit(user=world.neutral_supervisor, evaluation=published)
    evaluation_services.evaluation_approve(user=world.leader, evaluation=published)
    evaluation = evaluation_services.evaluation_open(
        user=world.neutral_supervisor, plan=world.plan, year=2024
    )
    evaluation_services.adjustment_add(
        user=world.neutral_supervisor,
        evaluation=evaluation,
        department=world.hr,
        kind="bonus",
        amount=2,
        reason="领导批示表扬",
        uploaded_file=pdf("批示.pdf"),
    )
    return Objects(
        world=world,
        draft=draft,
        submitted=sent,
        evidence=evidence,
        closed_period=MARCH,
        order=order,
        verification=verification,
        evaluation=evaluation,
        published_evaluation=Evaluation.objects.get(pk=published.pk),
        job=job_start(
            kind=WORKBOOK_JOB,
            user=world.neutral_supervisor,
            params=workbook_job_params(
                plan=world.plan,
                year=2023,
                as_of=datetime.date(2023, 6, 30),
                department=None,
                period_kind="plan",
                period=datetime.date(2023, 6, 30),
            ),
        ),
    )


@pytest.fixture
def objects(world, frozen):
    return build_objects(world)


def test_every_named_url_is_in_the_table():
    names = named_urls()
    assert names - set(URL_KWARGS) == set(), "add the new URL to URL_KWARGS in this module"
    assert set(URL_KWARGS) - names == set(), "remove URLs that no longer exist"
    assert names >= PUBLIC


def test_the_walk_finds_namespaced_urls():
    names = named_urls()
    assert {"reports:report_detail", "supervision:dashboard", "tasks:plan_list"} <= names
    assert not any(name.startswith("admin:") for name in names)


@pytest.mark.parametrize("who", PERSONAS)
def test_every_url_answers_every_persona_without_a_server_error(client, objects, who):
    user = persona(objects.world, who)
    if user is not None:
        client.force_login(user)
    before = db_state()
    problems = []
    for name in sorted(URL_KWARGS):
        url = url_for(objects, name)
        try:
            response = client.get(url)
        except Exception as exc:  # collect every failing URL, not just the first
            problems.append(f"{name} {url}: raised {exc!r}")
            continue
        if response.status_code >= 500:
            problems.append(f"{name} {url}: {response.status_code}")
        if user is None and name not in PUBLIC:
            location = response.get("Location", "")
            if response.status_code != 302 or not location.startswith(reverse("login")):
                problems.append(f"{name} {url}: anonymous got {response.status_code} {location}")
        if user is None and name in PUBLIC and response.status_code != 200:
            problems.append(f"{name} {url}: public page answered {response.status_code}")
    assert not problems, "\n".join(problems)
    assert db_state() == before, "a GET changed the database"
    if user is not None:  # no GET, the logout URL's included, ended the session
        assert client.get(reverse("tasks:plan_list")).status_code == 200


def test_anonymous_posts_are_sent_to_login_and_change_nothing(client, objects):
    before = db_state()
    problems = []
    for name in sorted(set(URL_KWARGS) - PUBLIC):
        url = url_for(objects, name)
        response = client.post(url, post_data(objects, name))
        location = response.get("Location", "")
        if response.status_code != 302 or not location.startswith(reverse("login")):
            problems.append(f"{name}: {response.status_code} {location}")
    assert not problems, "\n".join(problems)
    assert db_state() == before


def test_leader_is_read_only(client, objects):
    client.force_login(objects.world.leader)
    before = db_state()
    problems = []
    for name in sorted(set(URL_KWARGS) - LEADER_MAY_POST):
        url = url_for(objects, name)
        data = dict(post_data(objects, name))
        if name == "reports:evidence_upload":
            data["file"] = pdf()
        response = client.post(url, data)
        if response.status_code not in (403, 404, 405):
            problems.append(f"{name}: leader POST answered {response.status_code}")
    assert not problems, "\n".join(problems)
    assert db_state() == before


# Views that change state on POST, by the persona who may use them (with a token they work).
STATE_CHANGING = {
    "reporter": [
        "reports:report_create",
        "reports:report_edit",
        "reports:report_submit",
        "reports:report_withdraw",
        "reports:evidence_upload",
        "reports:evidence_delete",
        "reports:bulk_upload",
        "supervision:order_reply",
        "supervision:order_extension_request",
        "reports:bulk_submit",
        "password_change",
        "logout",
        "notifications:notice_open",
        "notifications:notice_read",
        "notifications:notice_read_all",
        "notifications:settings",
        "notifications:unsubscribe",
    ],
    "head": [
        "reports:report_signoff",
        "reports:report_signoff_return",
        "notifications:unit_webhooks",
        "supervision:order_acknowledge",
        "reports:bulk_signoff",
        "people_add",
        "people_deactivate",
        "people_activate",
        "people_reset_password",
        "people_change_role",
    ],
    "leader": [
        "supervision:export_workbook",
        "reports:raw_csv",
        "reports:raw_xlsx",
        "supervision:order_instruct",
        "supervision:evaluation_approve",
        "supervision:evaluation_return",
    ],
    "neutral_supervisor": [
        "reports:report_accept",
        "reports:report_return",
        "reports:period_close",
        "reports:period_reopen",
        "supervision:order_create",
        "supervision:order_send_back",
        "supervision:order_close",
        "supervision:order_extension_grant",
        "supervision:order_extension_refuse",
        "supervision:order_urge",
        "supervision:report_urge",
        "supervision:verification_create",
        "supervision:evaluation_open",
        "supervision:evaluation_adjust",
        "supervision:evaluation_adjustment_withdraw",
        "supervision:evaluation_submit",
        "password_change",
        "logout",
    ],
}


# Pages that only read: they answer GET/HEAD and refuse POST with 405 (require_safe).
READ_ONLY = {
    "jobs:list",
    "jobs:detail",
    "jobs:status",
    "jobs:download",
    "home",
    "password_change_done",
    "help",
    "help_role",
    "password_reset_done",
    "password_reset_complete",
    "people_list",
    "tasks:plan_list",
    "tasks:plan_detail",
    "reports:my_tasks",
    "reports:search",
    "reports:signoff_queue",
    "reports:review_queue",
    "reports:task_detail",
    "reports:task_history",
    "reports:task_print",
    "reports:report_detail",
    "reports:report_compare",
    "reports:report_history",
    "reports:evidence_download",
    "reports:evidence_view",
    "reports:period_list",
    "reports:bulk_entry",
    "reports:bulk_download",
    "reports:bulk_review",
    "supervision:dashboard",
    "supervision:dashboard_print",
    "supervision:compliance",
    "supervision:scorecard",
    "supervision:department_score",
    "supervision:public_plan",
    "supervision:public_plan_qr_svg",
    "supervision:public_plan_qr_png",
    "public_index",
    "public",
    "notifications:inbox",
    "supervision:order_list",
    "supervision:order_detail",
    "supervision:order_print",
    "supervision:order_file",
    "supervision:verification_detail",
    "supervision:evaluation_list",
    "supervision:evaluation_detail",
    "supervision:evaluation_unit",
    "supervision:evaluation_print",
    "supervision:evaluation_xlsx",
    "supervision:evaluation_file",
}


def test_every_url_is_either_read_only_or_checked_for_csrf():
    writing = {name for names in STATE_CHANGING.values() for name in names}
    # The login form takes a POST from anonymous visitors (CSRF-checked by Django's
    # LoginView); healthz is answered by middleware.
    assert writing | READ_ONLY | ANONYMOUS_FORMS | {"healthz"} == set(URL_KWARGS)
    assert writing & READ_ONLY == set()


@pytest.mark.parametrize("who", ["reporter", "head", "neutral_supervisor", "admin"])
def test_read_only_pages_refuse_posts(client, objects, who):
    client.force_login(getattr(objects.world, who))
    before = db_state()
    problems = []
    for name in sorted(READ_ONLY):
        response = client.post(url_for(objects, name), post_data(objects, name))
        if response.status_code != 405:
            problems.append(f"{name}: POST answered {response.status_code}")
    assert not problems, "\n".join(problems)
    assert db_state() == before


@pytest.mark.parametrize("who", sorted(STATE_CHANGING))
def test_posts_without_a_csrf_token_are_refused(objects, who):
    user = getattr(objects.world, who)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    before = db_state()
    password = user.password
    problems = []
    for name in STATE_CHANGING[who]:
        data = dict(post_data(objects, name))
        if name == "reports:evidence_upload":
            data["file"] = pdf()
        if name == "password_change":
            data.update(old_password="x", new_password1="Zz-new-pass-91", new_password2="x")
        response = client.post(url_for(objects, name), data)
        if response.status_code != 403:
            problems.append(f"{name}: {response.status_code}")
    assert not problems, "\n".join(problems)
    assert db_state() == before
    user.refresh_from_db()
    assert user.password == password
    # Still signed in: the refused logout did not end the session.
    assert client.get(reverse("home")).status_code == 302
    assert not client.get(reverse("home"))["Location"].startswith(reverse("login"))


def _token(client, page):
    client.get(page)
    return client.cookies["csrftoken"].value


def test_reporter_post_with_a_csrf_token_works(objects):
    client = Client(enforce_csrf_checks=True)
    client.force_login(objects.world.reporter)
    page = reverse("reports:report_detail", kwargs={"pk": objects.draft.pk})
    token = _token(client, page)
    url = url_for(objects, "reports:report_submit")
    response = client.post(url, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Report.objects.get(pk=objects.draft.pk).state == "submitted"


def test_supervisor_post_with_a_csrf_token_works(objects):
    client = Client(enforce_csrf_checks=True)
    client.force_login(objects.world.neutral_supervisor)
    token = _token(client, reverse("reports:period_list"))
    response = client.post(url_for(objects, "reports:period_close"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert PeriodLock.objects.get(plan=objects.world.plan, period_start=FEBRUARY).is_closed


def test_reporter_bulk_submit_with_a_csrf_token_submits_the_draft(objects):
    client = Client(enforce_csrf_checks=True)
    client.force_login(objects.world.reporter)
    token = _token(client, reverse("reports:bulk_review"))
    data = {"csrfmiddlewaretoken": token, "report": [objects.draft.pk]}
    assert client.post(url_for(objects, "reports:bulk_submit"), data).status_code == 302
    assert Report.objects.get(pk=objects.draft.pk).state == "submitted"


def test_head_post_with_a_csrf_token_deactivates_own_units_reporter(objects):
    client = Client(enforce_csrf_checks=True)
    client.force_login(objects.world.head)
    token = _token(client, reverse("people_list"))
    response = client.post(url_for(objects, "people_deactivate"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    objects.world.reporter.refresh_from_db()
    assert objects.world.reporter.is_active is False


@pytest.mark.parametrize(
    ("who", "page"),
    [("reporter", "reports:my_tasks"), ("neutral_supervisor", "reports:review_queue")],
)
def test_removing_the_role_group_takes_effect_on_the_next_request(client, world, who, page):
    user = getattr(world, who)
    client.force_login(user)
    assert client.get(reverse(page)).status_code == 200
    user.groups.remove(Group.objects.get(name=user.role.label))
    assert client.get(reverse(page)).status_code == 403


@pytest.mark.parametrize("who", ["reporter", "neutral_supervisor", "leader"])
def test_deactivating_a_user_sends_the_next_request_to_login(client, world, who):
    user = getattr(world, who)
    client.force_login(user)
    assert client.get(reverse("tasks:plan_list")).status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = client.get(reverse("tasks:plan_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


EVALUATION_WRITES = [
    "supervision:evaluation_open",
    "supervision:evaluation_adjust",
    "supervision:evaluation_submit",
    "supervision:evaluation_approve",
    "supervision:evaluation_return",
]


@pytest.mark.parametrize("who", ["reporter", "head", "hr_reporter", "other_reporter", "admin"])
def test_units_and_administrators_never_act_on_evaluations(client, objects, who):
    client.force_login(getattr(objects.world, who))
    before = db_state()
    statuses = {
        name: client.post(url_for(objects, name), post_data(objects, name)).status_code
        for name in EVALUATION_WRITES
    }
    assert set(statuses.values()) == {403}, statuses
    assert db_state() == before


def test_evaluation_writes_take_effect_for_their_role(client, objects):
    """Supervisor adds (+1 for 人社局) and submits; leader returns; supervisor resubmits;
    the supervisor cannot approve; the leader approves and the lines are frozen."""
    evaluation = objects.evaluation
    client.force_login(objects.world.neutral_supervisor)
    name = "supervision:evaluation_adjust"
    assert client.post(url_for(objects, name), post_data(objects, name)).status_code == 302
    assert EvaluationAdjustment.objects.filter(evaluation=evaluation).count() == 2
    assert client.post(url_for(objects, "supervision:evaluation_submit")).status_code == 302
    assert client.post(url_for(objects, "supervision:evaluation_approve")).status_code == 403
    evaluation.refresh_from_db()
    assert evaluation.status == "submitted"
    client.force_login(objects.world.leader)
    name = "supervision:evaluation_return"
    assert client.post(url_for(objects, name), post_data(objects, name)).status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == "draft"
    assert evaluation.events.filter(action="returned", text="请核实加分依据。").exists()
    client.force_login(objects.world.neutral_supervisor)
    client.post(url_for(objects, "supervision:evaluation_submit"))
    client.force_login(objects.world.leader)
    assert client.post(url_for(objects, "supervision:evaluation_approve")).status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == "published" and evaluation.approved_by == objects.world.leader
    hr_line = EvaluationLine.objects.get(evaluation=evaluation, department=objects.world.hr)
    assert hr_line.bonus == 3
    # Nothing of 2024 was due by 10 July 2023: no score, so no final score to adjust.
    assert hr_line.computed_score is None and hr_line.final_score is None
    client.force_login(objects.world.neutral_supervisor)
    response = client.post(
        url_for(objects, "supervision:evaluation_open"),
        {"plan": objects.world.plan.pk, "year": 2024},
    )
    assert response.status_code == 400
    assert "该方案2024年度考评已经创建。" in response.content.decode()
    assert Evaluation.objects.count() == 2
