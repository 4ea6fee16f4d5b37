"""Keeps ReportSummary in step with Report. Call inside the transaction that saved the report."""

from reports.models import ReportState, ReportSummary
from tasks.periods import make_period


def sync_report_summary(report):
    """Create or update the report's summary row (one query, two on first creation)."""
    plan = report.task.plan
    accepted_at = report.reviewed_at if report.state == ReportState.ACCEPTED else None
    ReportSummary.objects.update_or_create(
        report=report,
        defaults={
            "plan": plan,
            "task_id": report.task_id,
            "department_id": report.department_id,
            "period_start": report.period_start,
            "due_date": make_period(plan, report.period_start).due,
            "is_lead": report.is_lead_report,
            "state": report.state,
            "progress_status": report.progress_status,
            "percent": report.percent,
            "first_submitted_at": report.first_submitted_at,
            "submitted_at": report.submitted_at,
            "accepted_at": accepted_at,
            "times_returned": report.times_returned,
        },
    )
