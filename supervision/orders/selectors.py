"""Read side of supervision orders: each order as it stood on an as-of date, in few queries.

`load_order_facts` replays each order's timeline up to the end of the as-of day (status,
deadline after granted extensions, replies, send-backs, urgings), so a past as-of date shows
the past, and the colour always comes from `colours.order_standing`, never from a stored flag.
Runs 5 queries for a whole plan whatever the number of orders.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.db.models.functions import TruncDate
from django.utils import timezone

from supervision.orders.colours import COLOUR_ORDER, Standing, Thresholds, order_standing
from supervision.orders.models import (
    OrderEvent,
    OrderSettings,
    OrderStatus,
    OrderUnit,
    SupervisionOrder,
    Verification,
)
from tasks.periods import end_of_day

Action = OrderEvent.Action
_REPLAYED = (
    Action.ACKNOWLEDGED,
    Action.REPLIED,
    Action.SENT_BACK,
    Action.CLOSED,
    Action.URGED,
    Action.EXTENSION_GRANTED,
)


@dataclass(slots=True)
class OrderFact:
    """One order as it stood at the end of the as-of day."""

    pk: int
    number: str
    task_id: int
    level: str
    issued_on: datetime.date
    deadline: datetime.date
    host_id: int | None = None
    assist_ids: list = field(default_factory=list)
    status: str = OrderStatus.ISSUED
    first_replied_on: datetime.date | None = None
    replied_on: datetime.date | None = None
    closed_on: datetime.date | None = None
    times_sent_back: int = 0
    urging_days: list = field(default_factory=list)
    standing: Standing | None = None

    @property
    def is_open(self):
        return self.status != OrderStatus.CLOSED

    @property
    def status_label(self):
        return OrderStatus(self.status).label

    @property
    def colour(self):
        assert self.standing is not None  # set by order_facts() / standings_for()
        return self.standing.colour

    @property
    def urgings(self):
        return len(self.urging_days)

    def names(self, department_id):
        return department_id == self.host_id or department_id in self.assist_ids


def _local_day(field):
    """The local calendar day of a datetime column, computed by the database (a per-row
    conversion in Python was the largest cost of a plan with thousands of orders)."""
    return TruncDate(field, tzinfo=timezone.get_default_timezone())


def _events_by_order(rows):
    """{order_id: [(action, day, new_deadline)]} in timeline order (one query)."""
    events = defaultdict(list)
    columns = rows.annotate(day=_local_day("at")).order_by("at", "pk")
    for order_id, action, day, new_deadline in columns.values_list(
        "order_id", "action", "day", "new_deadline"
    ):
        events[order_id].append((action, day, new_deadline))
    return events


def _replay(fact, events):
    """Apply the timeline events (action, local day, new deadline) to a fresh fact."""
    for action, day, new_deadline in events:
        if action == Action.ACKNOWLEDGED:
            fact.status = OrderStatus.ACKNOWLEDGED
        elif action == Action.REPLIED:
            fact.status = OrderStatus.REPLIED
            fact.replied_on = day
            fact.first_replied_on = fact.first_replied_on or day
        elif action == Action.SENT_BACK:
            fact.status = OrderStatus.SENT_BACK
            fact.times_sent_back += 1
        elif action == Action.CLOSED:
            fact.status = OrderStatus.CLOSED
            fact.closed_on = day
        elif action == Action.URGED:
            fact.urging_days.append(day)
        elif action == Action.EXTENSION_GRANTED and new_deadline:
            fact.deadline = new_deadline


def standing_of(fact, as_of, thresholds):
    return order_standing(
        deadline=fact.deadline,
        as_of=as_of,
        urging_days=fact.urging_days,
        thresholds=thresholds,
        closed_on=fact.closed_on,
        replied_on=fact.replied_on if fact.status == OrderStatus.REPLIED else None,
    )


@dataclass
class VerificationFact:
    pk: int
    task_id: int
    department_id: int
    checked_on: datetime.date
    finding: str
    report_id: int | None
    report_period_start: datetime.date | None
    against_accepted_report: bool

    @property
    def finding_label(self):
        return Verification.Finding(self.finding).label

    @property
    def marks_report(self):
        return self.finding == Verification.Finding.UNTRUE and self.against_accepted_report


@dataclass
class OrderFacts:
    plan: object
    as_of: datetime.date
    settings: OrderSettings
    orders: list  # OrderFact, newest first
    verifications: list  # VerificationFact, newest first

    @property
    def thresholds(self):
        return Thresholds.of(self.settings)

    def open_orders(self):
        rank = {c: i for i, c in enumerate(COLOUR_ORDER)}
        rows = [o for o in self.orders if o.is_open]
        return sorted(rows, key=lambda o: (rank[o.colour], o.deadline, o.pk))

    def escalated(self):
        """Red for more than K days with the unit still to act (领导督办)."""
        return [o for o in self.open_orders() if o.standing.escalated]

    def untrue(self):
        return [v for v in self.verifications if v.marks_report]


def load_order_facts(*, plan, as_of, department_id=None):
    """Every order and verification of `plan` as of `as_of` (5 queries).

    `department_id` limits them to what one unit may see (orders naming it, its own
    verifications); None means everything. Not kept between requests itself: unpickling a
    big plan's facts costs as much as reading them; the figures built from them are kept
    (dashboard_order_figures, the scorecard).
    """
    cutoff = end_of_day(as_of)
    settings = OrderSettings.for_plan(plan)
    orders = SupervisionOrder.objects.filter(plan=plan, issued_at__lt=cutoff)
    verifications = Verification.objects.filter(plan=plan, checked_on__lte=as_of)
    units = OrderUnit.objects.filter(order__plan=plan, order__issued_at__lt=cutoff)
    if department_id is not None:
        orders = orders.filter(units__department_id=department_id)
        verifications = verifications.filter(department_id=department_id)
        units = units.filter(order__units__department_id=department_id)
    facts = {}
    columns = orders.annotate(issued_on=_local_day("issued_at")).order_by("-issued_at", "-pk")
    for pk, number, task_id, level, issued_on, original in columns.values_list(
        "pk", "number", "task_id", "level", "issued_on", "original_deadline"
    ):
        facts[pk] = OrderFact(pk, number, task_id, level, issued_on, original)
    for order_id, dept_id, role in units.values_list("order_id", "department_id", "role"):
        fact = facts.get(order_id)
        if fact is None:
            continue
        if role == OrderUnit.Role.HOST:
            fact.host_id = dept_id
        else:
            fact.assist_ids.append(dept_id)
    rows = OrderEvent.objects.filter(order__plan=plan, at__lt=cutoff, action__in=_REPLAYED)
    if department_id is not None:
        rows = rows.filter(order__units__department_id=department_id)
    events = _events_by_order(rows)
    thresholds = Thresholds.of(settings)
    for fact in facts.values():
        _replay(fact, events.get(fact.pk, ()))
        fact.standing = standing_of(fact, as_of, thresholds)
    columns = verifications.values_list(
        "pk",
        "task_id",
        "department_id",
        "checked_on",
        "finding",
        "report_id",
        "report__period_start",
        "report__state",
    ).order_by("-checked_on", "-pk")
    checks = [
        VerificationFact(*row[:-1], against_accepted_report=row[-1] == "accepted")
        for row in columns
    ]
    return OrderFacts(plan, as_of, settings, list(facts.values()), checks)


@dataclass
class OrderCounts:
    open: int = 0
    amber: int = 0
    red: int = 0
    untrue: int = 0


def counts_by(order_facts):
    """(per host unit, per task) open/amber/red counts, plus 不属实 findings per unit and task."""
    by_unit: defaultdict[int | None, OrderCounts] = defaultdict(OrderCounts)
    by_task: defaultdict[int, OrderCounts] = defaultdict(OrderCounts)
    for order in order_facts.open_orders():
        for counts in (by_unit[order.host_id], by_task[order.task_id]):
            counts.open += 1
            if order.colour in ("amber", "red"):
                setattr(counts, order.colour, getattr(counts, order.colour) + 1)
    for check in order_facts.untrue():
        by_unit[check.department_id].untrue += 1
        by_task[check.task_id].untrue += 1
    return dict(by_unit), dict(by_task)


def colour_totals(order_facts):
    counts = Counter(o.colour for o in order_facts.open_orders())
    return {c: counts.get(c, 0) for c in ("red", "amber", "green")}


@dataclass
class DashboardOrders:
    """What the dashboard's 督办情况 section shows, small enough to keep between requests
    (the plan's OrderFacts are ~400 KB at a province's largest plan)."""

    by_unit: dict  # host unit id -> OrderCounts
    by_task: dict  # task id -> OrderCounts
    totals: dict  # colour -> open orders
    escalated: list  # OrderFact, the first `shown` of 领导督办
    escalated_count: int
    untrue: list  # VerificationFact, the first `shown` 不属实 findings
    untrue_count: int
    settings: OrderSettings


def dashboard_order_figures(*, plan, as_of, department_id, shown) -> DashboardOrders:
    """The dashboard's order figures (one query while the plan's figures are unchanged)."""
    # Imported here: figure_cache hashes this module's source at start-up.
    from supervision.figure_cache import cached_figures

    def build():
        facts = load_order_facts(plan=plan, as_of=as_of, department_id=department_id)
        by_unit, by_task = counts_by(facts)
        escalated, untrue = facts.escalated(), facts.untrue()
        return DashboardOrders(
            by_unit=by_unit,
            by_task=by_task,
            totals=colour_totals(facts),
            escalated=escalated[:shown],
            escalated_count=len(escalated),
            untrue=untrue[:shown],
            untrue_count=len(untrue),
            settings=facts.settings,
        )

    return cached_figures(
        "dashboard_orders", plan, build, as_of=as_of, scope=department_id, shown=shown
    )


def untrue_report_ids(report_ids):
    """Which of these reports were found 不属实 while accepted (one query)."""
    return set(
        Verification.objects.filter(
            report_id__in=report_ids,
            finding=Verification.Finding.UNTRUE,
            report__state="accepted",
        ).values_list("report_id", flat=True)
    )


def order_for_display(order, *, as_of=None):
    """An order's standing today (or on `as_of`) for its own page."""
    return standings_for([order], as_of=as_of)[order.pk]


def standings_for(orders, *, as_of=None):
    """{order pk: OrderFact} for a page of orders (3 queries for any number of plans)."""
    as_of = as_of or timezone.localdate()
    orders = list(orders)
    if not orders:
        return {}
    plan_ids = {o.plan_id for o in orders}
    settings = {
        s.plan_id: s
        for s in OrderSettings.objects.filter(plan_id__in=plan_ids)
        | OrderSettings.objects.filter(plan__isnull=True)
    }
    default = settings.get(None) or OrderSettings()
    events = _events_by_order(
        OrderEvent.objects.filter(
            order__in=[o.pk for o in orders], at__lt=end_of_day(as_of), action__in=_REPLAYED
        )
    )
    result = {}
    for order in orders:
        fact = OrderFact(
            order.pk,
            order.number,
            order.task_id,
            order.level,
            timezone.localtime(order.issued_at).date(),
            order.original_deadline,
        )
        _replay(fact, events.get(order.pk, ()))
        fact.standing = standing_of(
            fact, as_of, Thresholds.of(settings.get(order.plan_id, default))
        )
        result[order.pk] = fact
    return result


def with_standing(orders, *, as_of=None) -> list:
    """[(order, OrderFact)] most urgent first: red, amber, green, then the nearest deadline."""
    standings = standings_for(orders, as_of=as_of)
    rank = {c: i for i, c in enumerate(COLOUR_ORDER)}
    rows = [(o, standings[o.pk]) for o in orders]
    rows.sort(key=lambda r: (rank[r[1].colour], r[1].deadline, r[0].pk))
    return rows


def order_counts_sentence(*, plan, as_of):
    """One Chinese sentence with the plan's order counts, for the weekly mail (5 queries)."""
    facts = load_order_facts(plan=plan, as_of=as_of)
    totals = colour_totals(facts)
    open_count = sum(totals.values())
    return (
        f"督办情况：未办结督办单{open_count}件，其中红色（超期）{totals['red']}件、"
        f"黄色（预警）{totals['amber']}件、绿色{totals['green']}件；"
        f"列入领导督办{len(facts.escalated())}件；核实不属实的已通过报告{len(facts.untrue())}份。"
    )


def issued_after(*, plan, as_of, user, department_id=None, task_id=None) -> int:
    """Orders of `plan` the user may see, naming `department_id` and on `task_id` when given
    (the list's own filters), that were issued after the as-of day (one count query; 0 when
    as-of is today or later). A finished plan's pages default to a past as-of date, so a
    page says how many newer orders it leaves out and links to today's."""
    if as_of >= timezone.localdate():
        return 0
    orders = SupervisionOrder.objects.visible_to(user).filter(
        plan=plan, issued_at__gte=end_of_day(as_of)
    )
    if department_id is not None:
        orders = _naming(orders, department_id)
    if task_id is not None:
        orders = orders.filter(task_id=task_id)
    return orders.count()


@dataclass
class OrderListPage:
    page: object  # a Paginator page of OrderFact
    items: list  # [(SupervisionOrder, OrderFact)] of the page


def order_list_page(
    *,
    plan,
    as_of,
    visible_to_department=None,
    department_id=None,
    task_id=None,
    colour="",
    number=None,
    per_page=50,
):
    """One page of the order list, with every filter that can be SQL done in SQL.

    Unit, task, and open/closed as of the date (a 办结 event before the end of the as-of day)
    are WHERE clauses. "all" and "closed" then paginate in the database (newest first) and
    replay only the page's timelines. The colours (red/amber/green, 领导督办) come from each
    open order's replayed timeline (colours.order_standing), so the open candidates' order
    is worked out from value rows (no models, no closed orders) and kept between requests as
    a list of ids (open_order_ids); only the page is loaded as models and replayed again for
    its columns. Queries: 6-8 whatever the number of orders.
    """
    filters = {
        "plan": plan,
        "as_of": as_of,
        "visible_to_department": visible_to_department,
        "department_id": department_id,
        "task_id": task_id,
        "colour": colour,
    }
    if colour in ("all", "closed"):
        newest_first = _listed_orders(**filters).order_by("-issued_at", "-pk")
        page = Paginator(newest_first, per_page).get_page(number)
        ids = [o.pk for o in page.object_list]
    else:
        page = Paginator(open_order_ids(**filters), per_page).get_page(number)
        ids = list(page.object_list)
    # The page's orders are read again with the plan and the unit scope, not by id alone: a
    # kept id list can never show an order the user may not see. An order deleted since the
    # list was built is skipped.
    in_scope = _listed_orders(
        **{**filters, "department_id": None, "task_id": None, "colour": "all"}
    )
    models = in_scope.select_related("task").prefetch_related("units__department")
    shown = {o.pk: o for o in models.filter(pk__in=ids)}
    ids = [pk for pk in ids if pk in shown]
    facts = standings_for(shown.values(), as_of=as_of)
    page.object_list = [facts[pk] for pk in ids]
    return OrderListPage(page, [(shown[pk], facts[pk]) for pk in ids])


def _naming(orders, department_id):
    """`orders` that name the unit, as host or assisting (an EXISTS: no duplicate rows)."""
    return orders.filter(
        Exists(OrderUnit.objects.filter(order=OuterRef("pk"), department_id=department_id))
    )


def _listed_orders(*, plan, as_of, visible_to_department, department_id, task_id, colour):
    """The list's candidates as SQL: issued by the as-of day, naming the units asked for, of
    the task, open or closed (a 办结 event before the end of the as-of day) as `colour` asks."""
    cutoff = end_of_day(as_of)
    orders = SupervisionOrder.objects.filter(plan=plan, issued_at__lt=cutoff)
    for unit in (visible_to_department, department_id):
        if unit is not None:
            orders = _naming(orders, unit)
    if task_id is not None:
        orders = orders.filter(task_id=task_id)
    closed = Exists(
        OrderEvent.objects.filter(order=OuterRef("pk"), action=Action.CLOSED, at__lt=cutoff)
    )
    if colour == "closed":
        return orders.filter(closed)
    if colour != "all":
        return orders.filter(~closed)
    return orders


def open_order_ids(*, plan, as_of, visible_to_department, department_id, task_id, colour):
    """Ids of the open orders the list shows for `colour` ("" for every open one, a colour,
    or "escalated"), most urgent first: red, amber, green, then the nearest deadline.

    Every open candidate's timeline is replayed for its colour (≈ 25 ms at a province's
    largest plan), so the ordered ids are kept between requests under the plan's figures
    token (supervision.figure_cache): a new event, order or setting is a miss.
    """
    # Imported here: figure_cache hashes this module's source at start-up.
    from supervision.figure_cache import cached_figures

    def build():
        orders = _listed_orders(
            plan=plan,
            as_of=as_of,
            visible_to_department=visible_to_department,
            department_id=department_id,
            task_id=task_id,
            colour=colour,
        )
        thresholds = Thresholds.of(OrderSettings.for_plan(plan))
        events = _events_by_order(
            OrderEvent.objects.filter(
                order__in=orders.values("pk"), at__lt=end_of_day(as_of), action__in=_REPLAYED
            )
        )
        facts = []
        columns = orders.annotate(issued_on=_local_day("issued_at"))
        for row in columns.values_list(
            "pk", "number", "task_id", "level", "issued_on", "original_deadline"
        ):
            fact = OrderFact(*row)
            _replay(fact, events.get(fact.pk, ()))
            fact.standing = standing_of(fact, as_of, thresholds)
            if colour == "escalated" and not fact.standing.escalated:
                continue
            if colour in ("red", "amber", "green") and fact.colour != colour:
                continue
            facts.append(fact)
        rank = {c: i for i, c in enumerate(COLOUR_ORDER)}
        facts.sort(key=lambda o: (rank[o.colour], o.deadline, o.pk))
        return [f.pk for f in facts]

    return cached_figures(
        "order_list",
        plan,
        build,
        scope=visible_to_department,
        as_of=as_of,
        department=department_id,
        task=task_id,
        colour=colour,
    )
