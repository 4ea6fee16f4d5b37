"""The leadership workbook with its 填报明细 sheet as a background job (我的导出).

The detail sheet grows with every report of the plan (hundreds of thousands at province
scale), so the workbook that carries it is built by a job, not in the request; without the
details it stays a direct download (README, Performance: its cost does not grow with the
reports). The job builds exactly what the download builds, for the user who asked, through
`workbook_export` (audited there, channel 后台任务).
"""

import datetime
import tempfile

from jobs.services import JobError
from supervision.workbook import (
    XLSX_CONTENT_TYPE,
    collect_workbook_data,
    workbook_export,
    workbook_filename,
)
from supervision.workbook.details import detail_rows_queryset
from tasks.job_params import plan_and_department

WORKBOOK_JOB = "supervision.workbook_details"
WORKBOOK_JOB_LABEL = "推进情况工作簿（含填报明细）"
# Excel's row limit per sheet, less the sheet's title and header rows.
DETAIL_ROW_LIMIT = 1_048_576 - 10


def workbook_job_params(*, plan, year, as_of, department, period_kind, period) -> dict:
    return {
        "plan": plan.pk,
        "year": year,
        "as_of": as_of.isoformat(),
        "department": department.pk if department else None,
        "period_kind": period_kind,
        "period": period.isoformat(),
    }


def may_take_workbook(user, params) -> bool:
    """The download's own rule: the dashboard's readers (supervisors, leaders, admins)."""
    return user.has_perm("reports.view_dashboard")


def run_workbook_job(context) -> None:
    params = context.params
    plan, department = plan_and_department(params)
    as_of = datetime.date.fromisoformat(params["as_of"])
    total = detail_rows_queryset(plan=plan, as_of=as_of, department=department).count()
    if total > DETAIL_ROW_LIMIT:
        raise JobError(
            f"填报明细共 {total} 条，超过 Excel 工作表上限；请选择单位或统计截至日期缩小范围。"
        )
    context.progress(0, total)
    data = collect_workbook_data(
        plan=plan,
        year=params["year"],
        as_of=as_of,
        user=context.user,
        department=department,
        score_period=params["period_kind"],
        score_period_start=datetime.date.fromisoformat(params["period"]),
    )
    with tempfile.TemporaryFile(suffix=".xlsx") as output:
        rows = workbook_export(
            data,
            output,
            include_details=True,
            user=context.user,
            channel="后台任务",
            progress=lambda done: context.progress(done, total),
        )
        context.save_file(
            output,
            filename=workbook_filename(plan, as_of, department),
            content_type=XLSX_CONTENT_TYPE,
        )
    context.message = f"工作簿已生成，填报明细 {rows} 条。"
