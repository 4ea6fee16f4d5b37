"""原始数据 exports (CSV and xlsx) as background jobs (我的导出).

A plan's raw data grows with every report, so both formats are written by a job for the
user who asked, with that user's scoping (`raw_export.raw_reports`: staff their own unit's
rows only), and audited when written. The access check runs again at download, and also
compares the user's unit scope now with the one recorded at start: a staff member moved
from unit A to unit B cannot fetch the file made of unit A's rows.
"""

import datetime
import tempfile

from huancui_vet.xlsx import XLSX_CONTENT_TYPE
from reports import raw_export
from tasks.job_params import plan_and_department

RAW_CSV_JOB = "reports.raw_csv"
RAW_XLSX_JOB = "reports.raw_xlsx"
LABELS = {RAW_CSV_JOB: "填报原始数据（CSV）", RAW_XLSX_JOB: "填报原始数据（xlsx）"}
CONTENT_TYPES = {
    RAW_CSV_JOB: "text/csv; charset=utf-8",
    RAW_XLSX_JOB: XLSX_CONTENT_TYPE,
}


def raw_job_params(filters: raw_export.RawFilters, user) -> dict:
    return {
        "plan": filters.plan.pk,
        "department": filters.department.pk if filters.department else None,
        "year": filters.year,
        "as_of": filters.as_of.isoformat() if filters.as_of else None,
        "scope": raw_export.raw_scope(user),
    }


def may_take_raw(user, params) -> bool:
    """The views' rule (the report readers' permission and a part in the plan), and the
    same unit scope as when the job was started (a job from before the scope was recorded
    counts as all units': only readers of every unit may still fetch it)."""
    return (
        user.has_perm("reports.view_report")
        and params.get("scope", raw_export.ALL_UNITS) == raw_export.raw_scope(user)
        and raw_export.may_read_plan_raw(user, params["plan"])
    )


def _filters(params) -> raw_export.RawFilters:
    plan, department = plan_and_department(params)
    as_of = params.get("as_of")
    return raw_export.RawFilters(
        plan=plan,
        department=department,
        year=params.get("year"),
        as_of=datetime.date.fromisoformat(as_of) if as_of else None,
    )


def _run(context, kind, extension, writer) -> None:
    """Write the file for the job's creator, audit it, store it; progress per 500 rows."""
    filters = _filters(context.params)
    total = raw_export.raw_reports(context.user, filters).count()
    context.progress(0, total)
    with tempfile.TemporaryFile(suffix=f".{extension}") as output:
        rows = writer(
            context.user, filters, output, progress=lambda done: context.progress(done, total)
        )
        raw_export.raw_export_audit(
            user=context.user, filters=filters, kind="CSV" if extension == "csv" else "xlsx"
        )
        context.save_file(
            output,
            filename=raw_export.raw_filename(filters, extension),
            content_type=CONTENT_TYPES[kind],
        )
    context.message = f"已导出 {rows} 份报告。"


def run_raw_csv(context) -> None:
    _run(context, RAW_CSV_JOB, "csv", raw_export.write_csv)


def run_raw_xlsx(context) -> None:
    _run(context, RAW_XLSX_JOB, "xlsx", raw_export.write_xlsx)


def register_raw_jobs() -> None:
    from jobs.registry import register

    register(RAW_CSV_JOB, label=LABELS[RAW_CSV_JOB], run=run_raw_csv, may_access=may_take_raw)
    register(RAW_XLSX_JOB, label=LABELS[RAW_XLSX_JOB], run=run_raw_xlsx, may_access=may_take_raw)
