"""Rows of the workbook's 逾期与督办 sheet for open orders and 不属实 findings.

They reuse the sheet's columns (see sheets.SUPERVISION_ORDERS_NOTE for how to read them), so
the sheet keeps one table that sorts and filters in Excel.
"""

from huancui_vet.dates import chinese_month
from supervision.orders.colours import COLOUR_SHORT

ROLE = "主办"


def order_rows(order_facts, facts, names, *, department=None):
    """OverdueRow-shaped rows: open orders (red first), then untrue findings."""
    # Imported here: supervision.workbook.data imports this module.
    from supervision.workbook.data import OverdueRow, short_label

    tasks = {t.pk: t for t in facts.tasks}
    rows = []
    for order in order_facts.open_orders():
        if department is not None and not order.names(department.pk):
            continue
        task = tasks.get(order.task_id)
        if task is None:
            continue
        standing = order.standing
        rows.append(
            OverdueRow(
                task_number=task.number,
                task=short_label(task.number, task.content, length=30),
                department=names.get(order.host_id, ""),
                role=ROLE,
                period=order.number,
                due_date=order.deadline,
                days_overdue=standing.days_overdue,
                situation=f"督办{COLOUR_SHORT[standing.colour]}色·{order.status_label}"
                f"·催办{order.urgings}次",
            )
        )
    for check in order_facts.untrue():
        if department is not None and check.department_id != department.pk:
            continue
        task = tasks.get(check.task_id)
        if task is None:
            continue
        rows.append(
            OverdueRow(
                task_number=task.number,
                task=short_label(task.number, task.content, length=30),
                department=names.get(check.department_id, ""),
                role="",
                period=f"{chinese_month(check.report_period_start)}报告",
                due_date=check.checked_on,
                days_overdue=0,
                situation="核实不属实",
            )
        )
    return rows
