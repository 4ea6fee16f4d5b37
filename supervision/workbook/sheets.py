"""The workbook's sheets. Each function appends one sheet to a write-only workbook.

Write-only rows are written once, top to bottom, so each function lays its sheet out in
reading order; widths, frozen panes and print setup come first (see layout.TableSheet).
"""

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.worksheet.pagebreak import Break

from huancui_vet.dates import chinese_date
from supervision.choices import Grade, Light
from supervision.workbook.cells import StyledCells, wrapped_lines
from supervision.workbook.layout import (
    LINE_HEIGHT,
    TITLE_ROW_HEIGHT,
    Column,
    TableSheet,
    fitted_widths,
    setup_print,
)

GRADE_LIGHTS = {
    Grade.EXCELLENT.label: Light.GREEN,
    Grade.GOOD.label: Light.GREEN,
    Grade.FAIR.label: Light.AMBER,
    Grade.POOR.label: Light.RED,
}
SUPERVISION_ORDERS_NOTE = (
    "说明：本表列出已过报送期限、截至统计日仍未报送的进展报告，"
    "逾期天数为统计截至日与报送期限相差的天数；未办结的督办单按颜色（红、黄、绿）列于其后，"
    "填报期一栏为督办单编号，报送期限一栏为办理时限；核实不属实的已通过报告一并列出。"
)


def subtitle(data):
    parts = [f"统计截至：{chinese_date(data.as_of)}", f"统计年度：{data.year}年"]
    if data.department is not None:
        parts.append(f"单位：{data.department.name}")
    return "　　".join(parts)


class _Rows:
    """Appends rows to a write-only sheet, tracking the row number and optional heights."""

    def __init__(self, ws):
        self.ws = ws
        self.row = 0

    def append(self, values, height=None):
        self.row += 1
        if height:
            self.ws.row_dimensions[self.row].height = height
        self.ws.append(values)
        return self.row


SUMMARY_WIDTHS = {"A": 6, "B": 26, "C": 16, "D": 9, "E": 11, "F": 3}
SUMMARY_CHART_COLUMNS = "GHIJKLMN"
FIGURE_ROW_HEIGHT = 19


def write_summary(wb, data):
    """汇总: title, as-of date and key figures beside a native bar chart of progress by
    task (page 1); the chart's data table, with each task's status, on page 2."""
    ws = wb.create_sheet("汇总")
    cells = StyledCells(ws)
    for letter, width in SUMMARY_WIDTHS.items():
        ws.column_dimensions[letter].width = width
    for letter in SUMMARY_CHART_COLUMNS:
        ws.column_dimensions[letter].width = 9
    setup_print(ws, header_rows=None, page_title=data.plan.title)
    rows = _Rows(ws)
    last = SUMMARY_CHART_COLUMNS[-1]

    ws.merged_cells.add(f"A1:{last}1")
    rows.append([cells.cell(data.title, "title")], height=TITLE_ROW_HEIGHT)
    # The as-of date is a real date cell (format yyyy"年"m"月"d"日"), not text.
    meta = [("统计截至", data.as_of, "date_plain"), ("统计年度", f"{data.year}年", "plain")]
    if data.department is not None:
        meta.append(("统计单位", data.department.name, "plain"))
    for label, value, style in meta:
        ws.merged_cells.add(f"A{rows.row + 1}:B{rows.row + 1}")
        rows.append([cells.cell(label, "label"), None, cells.cell(value, style)], height=18)
    rows.append([])

    section_row = rows.append(
        [
            cells.cell("一、主要指标", "section"),
            None,
            None,
            None,
            None,
            None,
            cells.cell("二、各任务完成率", "section"),
        ],
        height=22,
    )
    for figure in data.key_figures:
        number = rows.row + 1
        ws.merged_cells.add(f"A{number}:B{number}")
        style = {"percent": "percent", "percent1": "percent1", "text": "center"}.get(
            figure.style, "number"
        )
        rows.append(
            [cells.cell(figure.label), cells.cell(None), cells.cell(figure.value, style)],
            height=FIGURE_ROW_HEIGHT,
        )
    figures_end = rows.row
    # Page 2: the chart's data, so the chart (and a reader) can see every task's figure.
    ws.row_breaks.append(Break(id=figures_end + 1))
    rows.append([])
    rows.append([cells.cell("三、各任务推进进度", "section")], height=22)
    header_row = rows.append(
        [cells.cell("任务", "header"), cells.cell(None, "header")]
        + [cells.cell(h, "header") for h in ("牵头单位", "完成率", "督查状态", "状态说明")]
        + [cells.cell(None, "header") for _ in SUMMARY_CHART_COLUMNS],
        height=22,
    )
    ws.merged_cells.add(f"A{header_row}:B{header_row}")
    ws.merged_cells.add(f"F{header_row}:{last}{header_row}")
    reason_width = SUMMARY_WIDTHS["F"] + 9 * len(SUMMARY_CHART_COLUMNS)
    for task in data.tasks:
        number = rows.row + 1
        ws.merged_cells.add(f"A{number}:B{number}")
        ws.merged_cells.add(f"F{number}:{last}{number}")
        lines = max(
            wrapped_lines(task.short_label, 32),
            wrapped_lines(task.lead_units, 16),
            wrapped_lines(task.reason, reason_width),
        )
        rows.append(
            [
                cells.cell(task.short_label),
                cells.cell(None),
                cells.cell(task.lead_units),
                cells.cell(task.percent, "percent"),
                cells.cell(task.status, f"status_{task.light}"),
                cells.cell(task.reason),
            ]
            + [cells.cell(None) for _ in SUMMARY_CHART_COLUMNS[1:]],
            height=lines * LINE_HEIGHT + 4,
        )
    if data.tasks:
        figures_height_cm = (figures_end - section_row) * FIGURE_ROW_HEIGHT * 2.54 / 72
        chart = _progress_chart(ws, header_row, len(data.tasks), height=figures_height_cm)
        ws.add_chart(chart, f"G{section_row + 1}")
    else:
        rows.append([cells.cell("暂无任务。", "note")])
    return ws


def _progress_chart(ws, header_row, count, *, height):
    chart = BarChart()
    chart.type = "bar"  # horizontal bars leave room for task names
    chart.style = 10
    chart.legend = None
    first, last = header_row + 1, header_row + count
    chart.add_data(
        Reference(ws, min_col=4, min_row=header_row, max_row=last), titles_from_data=True
    )
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.y_axis.number_format = "0%"
    chart.y_axis.majorUnit = 0.2
    chart.x_axis.scaling.orientation = "maxMin"  # task 1 at the top, as in the table
    # Without an explicit <c:delete val="0"/> recent Excel versions hide the axes.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.dataLabels = DataLabelList()
    chart.dataLabels.showVal = True
    # LibreOffice shows every label part unless told otherwise.
    chart.dataLabels.showCatName = False
    chart.dataLabels.showSerName = False
    chart.dataLabels.showLegendKey = False
    chart.dataLabels.showPercent = False
    chart.gapWidth = 50
    chart.width = 18
    chart.height = max(8, height)
    return chart


TASK_COLUMNS = [
    Column("序号", "center", width=6),
    Column("任务内容", maximum=36, minimum=24),
    Column("牵头单位", maximum=14, minimum=10),
    Column("责任单位", maximum=20, minimum=10),
    Column("年度目标", maximum=26, minimum=12),
    Column("最新进展（已审核）", maximum=30, minimum=14),
    Column("督查状态", "center", width=10),
    Column("状态说明", maximum=22, minimum=12),
    Column("推进状态", "center", width=10),
    Column("完成率", "percent", width=8),
    Column("最近报送日期", "date", width=15),
]


def write_tasks(wb, data):
    """任务推进情况: the attachment's four columns, then targets, progress and status."""
    rows = [
        [
            t.number,
            t.content,
            t.lead_units,
            t.supporting_units,
            t.targets,
            t.latest_progress,
            (t.status, f"status_{t.light}"),
            t.reason,
            t.progress_status or None,
            t.percent,
            t.last_report_date,
        ]
        for t in data.tasks
    ]
    sheet = TableSheet(
        wb,
        name="任务推进情况",
        title=f"{data.plan.title}任务推进情况",
        subtitle=subtitle(data),
        columns=TASK_COLUMNS,
        widths=fitted_widths(TASK_COLUMNS, rows),
        page_title=data.plan.title,
    )
    sheet.write_rows(rows)
    return sheet.ws


def write_scores(wb, data):
    """部门评分: the scorecard's fair ranking (group, rank within it), one column per score
    component, and the grade."""
    columns = [
        Column("排名组", "center", maximum=14, minimum=10),
        Column("组内排名", "center", width=9),
        Column("单位", maximum=24, minimum=12),
        Column("综合得分", "score", width=10),
        Column("等级", "center", width=8),
        *[Column(label, "score", maximum=14, minimum=10) for label in data.score_components],
        Column("牵头任务\n（项）", "number", width=9),
        Column("配合任务\n（项）", "number", width=9),
    ]
    rows = [
        [
            s.group,
            s.rank,
            s.department,
            s.score,
            (s.grade, f"status_{GRADE_LIGHTS.get(s.grade, 'grey')}"),
            *s.components,
            s.lead_tasks,
            s.support_tasks,
        ]
        for s in data.scores
    ]
    sheet = TableSheet(
        wb,
        name="部门评分",
        title=f"{data.plan.title}部门评分",
        subtitle=data.score_title or subtitle(data),
        columns=columns,
        widths=fitted_widths(columns, rows),
        page_title=data.plan.title,
    )
    sheet.write_rows(rows)
    if not rows:
        sheet.write_note("暂无评分数据。")
    elif data.ranking_rule:
        sheet.write_note(f"排名规则：{data.ranking_rule}")
    return sheet.ws


OVERDUE_COLUMNS = [
    Column("序号", "center", width=6),
    Column("任务", maximum=36, minimum=16),
    Column("责任单位", maximum=22, minimum=12),
    Column("分工", "center", width=7),
    Column("填报期", "center", maximum=16, minimum=10),
    Column("报送期限", "date", width=15),
    Column("逾期天数", "number", width=9),
    Column("情况", "center", maximum=14, minimum=10),
]


def write_overdue(wb, data):
    """逾期与督办: overdue and missing reports with the responsible department."""
    rows = [
        [
            index,
            r.task,
            r.department,
            r.role,
            r.period,
            r.due_date,
            r.days_overdue,
            (r.situation, "status_red" if r.days_overdue else "status_amber"),
        ]
        for index, r in enumerate(data.overdue, 1)
    ]
    sheet = TableSheet(
        wb,
        name="逾期与督办",
        title=f"{data.plan.title}逾期与督办事项",
        subtitle=subtitle(data),
        columns=OVERDUE_COLUMNS,
        widths=fitted_widths(OVERDUE_COLUMNS, rows),
        page_title=data.plan.title,
    )
    sheet.write_rows(rows)
    if not rows:
        sheet.write_note("截至统计日无逾期或未报送的进展报告。")
    sheet.write_note(data.overdue_note or SUPERVISION_ORDERS_NOTE)
    return sheet.ws
