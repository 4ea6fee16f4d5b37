"""The one rule for an order's colour (绿/黄/红) on an as-of date. Pure: no database.

- 绿 (green): in time.
- 黄 (amber, 预警): from `amber_days` days before the deadline (the deadline day included),
  or once urged at least once.
- 红 (red, 超期): the day after the deadline, or once urged `red_urgings` times.
- A replied order waits for the supervisor: its clock stops at the reply (its colour is the
  one it had on the day of the reply). A closed order has no colour ("closed").

`red_since` is the first day the order was red; leaders see orders red for more than
`escalate_days` days (领导督办).
"""

import datetime
from dataclasses import dataclass

COLOUR_LABELS = {
    "green": "绿色（正常）",
    "amber": "黄色（预警）",
    "red": "红色（超期）",
    "closed": "已办结",
}
COLOUR_SHORT = {"green": "绿", "amber": "黄", "red": "红", "closed": "结"}
COLOUR_ORDER = ("red", "amber", "green", "closed")


@dataclass(frozen=True)
class Thresholds:
    amber_days: int
    red_urgings: int
    escalate_days: int

    @classmethod
    def of(cls, settings):
        return cls(settings.amber_days, settings.red_urgings, settings.escalate_days)


@dataclass(slots=True)  # built once per order per page: slots, not frozen, keep it cheap
class Standing:
    colour: str
    days_overdue: int  # 0 unless past the deadline on the evaluated day
    days_left: int  # negative when overdue
    urgings: int  # urgings up to the evaluated day
    red_since: datetime.date | None
    escalated: bool  # red for more than escalate_days (领导督办)

    @property
    def label(self):
        return COLOUR_LABELS[self.colour]


def order_standing(*, deadline, as_of, urging_days, thresholds, closed_on=None, replied_on=None):
    """Where an order stands on `as_of`.

    `urging_days`: the local dates of the order's urgings (any order); those after the
    evaluated day are ignored. `closed_on`/`replied_on`: local date of closing / of the latest
    reply if the order currently waits for the supervisor (None otherwise).
    """
    if closed_on is not None and closed_on <= as_of:
        return Standing("closed", 0, (deadline - as_of).days, 0, None, False)
    day = min(as_of, replied_on) if replied_on is not None else as_of
    urged = sorted(d for d in urging_days if d <= day)
    days_left = (deadline - day).days
    red_candidates = [deadline + datetime.timedelta(days=1)]
    if len(urged) >= thresholds.red_urgings:
        red_candidates.append(urged[thresholds.red_urgings - 1])
    red_since = min(red_candidates)
    if red_since <= day:
        colour = "red"
    elif urged or days_left <= thresholds.amber_days:
        colour = "amber"
    else:
        colour = "green"
    if colour != "red":
        red_since = None
    # Escalation is about units not acting: a replied order waits for the supervisor.
    escalated = (
        red_since is not None
        and replied_on is None
        and (as_of - red_since).days > thresholds.escalate_days
    )
    return Standing(colour, max(0, -days_left), days_left, len(urged), red_since, escalated)
