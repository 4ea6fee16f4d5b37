"""Submitting or signing off several reports with one click, all or nothing.

Each report goes through the same service as one by one (`report_submit`,
`report_sign_off`), so every rule and check applies; all of them run in one transaction, and
the first refusal rolls every earlier one back and names the report it stopped at.
"""

from django.db import transaction
from django.http import Http404

from reports import services
from reports.models import EDITABLE_STATES, Report, ReportState
from tasks.periods import normalize_start, period_label


class BulkActionError(services.ReportError):
    """One report of the selection was refused; nothing was changed."""


def _name(report):
    cycle = report.task.plan.reporting_cycle
    label = period_label(cycle, normalize_start(cycle, report.period_start))
    return f"任务{report.task.number}（{label}）"


def drafts_for_review(user):
    """The user's unit's reports that can be sent on (drafts and returned ones), oldest
    period first; constant queries (targets and evidence prefetched)."""
    if not user.is_department_staff:
        return Report.objects.none()
    return (
        Report.objects.visible_to(user)
        .filter(department_id=user.department_id, state__in=EDITABLE_STATES)
        .select_related("task__plan")
        .prefetch_related("target_values__target", "evidence")
        .order_by("period_start", "task__plan_id", "task__number")
    )


def selected_reports(user, ids, *, states):
    """The unit's reports `ids` in `states`; 404 if any is not the unit's or not in them
    (a stale page or a forged id changes nothing)."""
    if not user.is_department_staff or not ids:
        raise Http404("没有找到所选报告。")
    reports = list(
        Report.objects.visible_to(user)
        .filter(pk__in=ids, department_id=user.department_id, state__in=states)
        .select_related("task__plan")
    )
    if len(reports) != len(set(ids)):
        raise Http404("所选报告中有的已不存在或状态已变化，请刷新页面后重试。")
    return sorted(reports, key=lambda r: (r.period_start, r.task.number))


def _all_or_nothing(action, *, user, reports):
    done = []
    with transaction.atomic():
        # Plan by plan: each write renews its plan's figures token (a row lock held until
        # commit, supervision.figure_triggers); two bulk actions that lock plans in the same
        # order cannot deadlock. sorted() is stable: the shown order holds within a plan.
        for report in sorted(reports, key=lambda r: r.task.plan_id):
            try:
                done.append(action(user=user, report=report))
            except services.ReportError as exc:
                raise BulkActionError(
                    f"{_name(report)}：{exc.message} 所选 {len(reports)} 份报告均未处理。"
                ) from exc
    position = {r.pk: i for i, r in enumerate(reports)}
    return sorted(done, key=lambda r: position[r.pk])


def reports_submit_many(*, user, reports) -> list[Report]:
    """Submit (or send to sign-off) every report, or none."""
    return _all_or_nothing(services.report_submit, user=user, reports=reports)


def reports_sign_off_many(*, user, reports) -> list[Report]:
    """A head signs off every report, or none."""
    return _all_or_nothing(services.report_sign_off, user=user, reports=reports)


SUBMITTABLE = EDITABLE_STATES
SIGNABLE = (ReportState.AWAITING_SIGNOFF,)
