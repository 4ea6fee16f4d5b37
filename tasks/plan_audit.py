"""Plan attachment imports, amendments and exports in the audit trail, whoever runs them:
the admin pages pass their `request` (user and client IP), the commands a `channel`."""

from departments.audit import security_event_record
from departments.models import SecurityEvent


def plan_audit_record(*, kind, detail, request=None, user=None, channel="后台管理"):
    anonymous = request is None and user is None
    security_event_record(
        kind=kind,
        request=request,
        user=user,
        username=f"（{channel}）" if anonymous else "",
        detail=detail if not anonymous else f"{detail}（{channel}）",
    )


def plan_import_audit(*, detail, request=None, user=None, channel="后台管理"):
    plan_audit_record(
        kind=SecurityEvent.Kind.IMPORT, detail=detail, request=request, user=user, channel=channel
    )


def plan_export_audit(*, plan, request=None, user=None, channel="后台管理"):
    plan_audit_record(
        kind=SecurityEvent.Kind.EXPORT,
        detail=f"导出方案附件：方案{plan.pk}",
        request=request,
        user=user,
        channel=channel,
    )
