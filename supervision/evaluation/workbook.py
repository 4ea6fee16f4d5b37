"""The published evaluation as an Excel sheet, from the same EvaluationResult as the pages.

Reuses the leadership workbook's TableSheet (formula-safe cells, CJK widths, A4 landscape
print setup): one table of every unit by group, one of every adjustment with its reason,
then the rule and the signatures block.
"""

from django.utils import timezone
from openpyxl import Workbook

from departments.audit import security_event_record
from departments.models import SecurityEvent
from huancui_vet.dates import chinese_date
from supervision.workbook.cells import use_default_font
from supervision.workbook.layout import Column, TableSheet, fitted_widths


def result_rows(result):
    """[group, rank, unit, computed, components…, bonus, deduction, final, grade]."""
    rows = []
    for label, lines in result.groups:
        for line in lines:
            rows.append(
                [
                    label,
                    "样本不足" if line.insufficient else line.rank,
                    line.department_name,
                    line.computed_score,
                    *[c["score"] for c in line.components],
                    line.bonus,
                    line.deduction,
                    line.final_score,
                    line.grade,
                ]
            )
    return rows


def signature_text(result):
    evaluation = result.evaluation
    approver = evaluation.approved_by.full_name if evaluation.approved_by else ""
    published = (
        chinese_date(timezone.localtime(evaluation.published_at).date())
        if evaluation.published_at
        else ""
    )
    return (
        f"编制：{evaluation.created_by.full_name}　　审定：{approver}　　发布日期：{published}"
        "　　　　领导签字：＿＿＿＿＿＿　　日期：＿＿＿＿年＿＿月＿＿日"
    )


def evaluation_workbook(result, output):
    evaluation = result.evaluation
    wb = Workbook(write_only=True)
    use_default_font(wb)
    title = f"{evaluation.plan.title}{evaluation.year}年度考评结果"
    wb.properties.title = title
    labels = [c["label"] for c in (result.lines[0].components if result.lines else [])]
    columns = [
        Column("排名组", "center", maximum=14, minimum=10),
        Column("组内排名", "center", width=9),
        Column("单位", maximum=24, minimum=12),
        Column("计算得分", "score", width=10),
        *[Column(label, "score", maximum=14, minimum=10) for label in labels],
        Column("加分", "score", width=8),
        Column("扣分", "score", width=8),
        Column("考评得分", "score", width=10),
        Column("等级", "center", width=8),
    ]
    rows = result_rows(result)
    subtitle = f"统计截至{chinese_date(evaluation.as_of)}"
    sheet = TableSheet(
        wb,
        name="考评结果",
        title=title,
        subtitle=subtitle,
        columns=columns,
        widths=fitted_widths(columns, rows),
        page_title=evaluation.plan.title,
    )
    sheet.write_rows(rows)
    sheet.write_note(f"{result.rule_sentence}考评得分 = 计算得分 + 加分 − 扣分。")
    _adjustment_sheet(wb, result, title, subtitle)
    sheet.write_note(signature_text(result))
    wb.save(output)


def _adjustment_sheet(wb, result, title, subtitle):
    columns = [
        Column("单位", maximum=24, minimum=12),
        Column("类别", "center", width=8),
        Column("分值", "score", width=8),
        Column("事由", maximum=50, minimum=20),
        Column("关联核实", maximum=20, minimum=10),
        Column("录入人", "center", width=10),
        Column("录入时间", "center", width=16),
    ]
    rows = [
        [
            line.department_name,
            a.get_kind_display(),
            a.amount,
            a.reason,
            f"{chinese_date(a.verification.checked_on)}核实不属实" if a.verification else "",
            a.created_by.full_name,
            chinese_date(timezone.localtime(a.created_at).date()),
        ]
        for line in result.lines
        for a in line.adjustments
    ]
    sheet = TableSheet(
        wb,
        name="加减分明细",
        title=f"{title}·加减分明细",
        subtitle=subtitle,
        columns=columns,
        widths=fitted_widths(columns, rows),
        page_title=result.evaluation.plan.title,
    )
    sheet.write_rows(rows)
    if not rows:
        sheet.write_note("本年度无加减分。")
    sheet.write_note(signature_text(result))


def evaluation_workbook_export(result, output, *, request=None):
    """Write the published result's workbook and record the export in the audit trail, like
    every other workbook download (supervision.workbook.workbook_export)."""
    evaluation_workbook(result, output)
    security_event_record(
        kind=SecurityEvent.Kind.EXPORT,
        request=request,
        detail=f"导出年度考评结果：考评{result.evaluation.pk}（{result.evaluation.year}年）",
    )
