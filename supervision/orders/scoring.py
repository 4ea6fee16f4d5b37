"""The scorecard's 督办单办理 component: one item per order and per verification.

The rule (also on the scorecard page):
- Each order counts for its 主办 unit once it is decided on the as-of date: replied, or past
  its deadline (or red by urgings) without a reply. Weight: the lead factor if the unit leads
  the task, else 1. Points: replied while not red 1; replied while red (late or after M
  urgings) `late_credit`%; red and not replied 0. Then minus `urging_penalty`% per urging
  and `send_back_penalty`% per send-back (退回重办), never below 0. An order still in time
  and unanswered is not counted yet (like a report awaiting review).
- Each verification counts for its unit: 属实 1, 基本属实 `partly_true_credit`%, 不属实 0.
- The window is the scorecard's: an order by its (extended) deadline, a verification by
  its date. No items: full marks, saying "本期未被督办".
Pure: a function of the loaded facts and the as-of date.
"""

from decimal import Decimal

from huancui_vet.dates import chinese_date, chinese_month
from supervision.orders.models import Verification
from supervision.orders.selectors import standing_of
from tasks.models import TaskAssignment

ONE = Decimal(1)
ZERO = Decimal(0)
NO_ORDERS_NOTE = "本期未被督办、未经核实，按满分计"


def order_points(order, settings, late_credit, as_of, thresholds):
    """(points, outcome) of one order, or None while it is not decided yet."""
    if order.first_replied_on is not None:
        at_reply = standing_of(order, order.first_replied_on, thresholds)
        if at_reply.colour == "red":
            base, outcome = late_credit, f"超期后反馈（{chinese_date(order.first_replied_on)}）"
        else:
            base, outcome = ONE, f"按时反馈（{chinese_date(order.first_replied_on)}）"
    elif order.standing.colour == "red":
        base, outcome = ZERO, f"红色督办未反馈（时限{chinese_date(order.deadline)}）"
    else:
        return None
    deduction = (
        Decimal(settings.urging_penalty) * order.urgings
        + Decimal(settings.send_back_penalty) * order.times_sent_back
    ) / 100
    extra = []
    if order.urgings:
        extra.append(f"被催办{order.urgings}次")
    if order.times_sent_back:
        extra.append(f"退回重办{order.times_sent_back}次")
    extra.append("已办结" if order.closed_on else "未办结")
    return max(ZERO, base - deduction), f"{outcome}，{'，'.join(extra)}"


def add_order_items(order_facts, facts, *, late_credit, window, weight_of, sink):
    """Add the orders component's items of every department in `facts` to `sink`."""
    start, end = window
    settings = order_facts.settings
    thresholds = order_facts.thresholds
    roles = {(a.task_id, a.department_id): a for a in facts.assignments}
    partly = Decimal(settings.partly_true_credit) / 100
    tasks = {t.pk: t for t in facts.tasks}

    def base(task_id, department_id, subject):
        a = roles.get((task_id, department_id))
        task = tasks.get(task_id)
        return {
            "task_id": task_id,
            "task_number": task.number if task else None,
            "subject": subject,
            "role": a.role if a else "",
            "role_label": TaskAssignment.Role(a.role).label if a else "",
            "weight": weight_of(a) if a else ONE,
        }

    for order in order_facts.orders:
        dept = order.host_id
        if dept not in sink.totals or not start <= order.deadline <= end:
            continue
        scored = order_points(order, settings, late_credit, facts.as_of, thresholds)
        if scored is None:
            continue
        points, outcome = scored
        fields = base(order.task_id, dept, f"督办单{order.number}（主办）")
        sink.add(dept, "orders", fields["weight"], points)
        if sink.wants(dept):
            sink.item(dept, component="orders", points=points, outcome=outcome, **fields)

    credit = {
        Verification.Finding.TRUE: ONE,
        Verification.Finding.MOSTLY_TRUE: partly,
        Verification.Finding.UNTRUE: ZERO,
    }
    for check in order_facts.verifications:
        dept = check.department_id
        if dept not in sink.totals or not start <= check.checked_on <= end:
            continue
        points = credit[check.finding]
        subject = f"督查核实（{chinese_date(check.checked_on)}）"
        fields = base(check.task_id, dept, subject)
        sink.add(dept, "orders", fields["weight"], points)
        if sink.wants(dept):
            outcome = f"核实结论：{check.finding_label}"
            if check.marks_report:
                outcome += f"（{chinese_month(check.report_period_start)}报告已审核通过）"
            sink.item(dept, component="orders", points=points, outcome=outcome, **fields)
