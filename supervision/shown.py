"""How many rows a supervision page shows, and which ones, when a plan is province-size.

The figures are always computed over everything (selectors.py, facts.py); only the tables
are bounded: a long per-task / per-unit / per-order table on the dashboard shows the rows
that need attention first, up to a fixed number, with the total and a link to the full
paginated list. The Huancui plan (16 tasks, 19 units) stays under every limit, so its
dashboard shows every row in its usual order.
"""

from dataclasses import dataclass

from django.urls import reverse

from supervision.choices import Light

DASHBOARD_ROWS = 30  # rows of each per-task / per-unit table on the dashboard
SCORECARD_PAGE_SIZE = 50  # units per scorecard page (each ranking group paginates alike)

_LIGHT_RANK = {colour: index for index, colour in enumerate(Light.values)}  # red first


@dataclass
class Shown:
    """The rows a table shows out of `total`."""

    rows: list
    total: int

    @property
    def is_cut(self):
        return len(self.rows) < self.total

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)


def most_pressing(rows, limit, *, key):
    """The `limit` rows with the smallest `key` (ties: the earlier row), kept in their
    original order so a table that is not cut looks exactly as it did before."""
    rows = list(rows)
    if len(rows) <= limit:
        return Shown(rows, len(rows))
    chosen = sorted(range(len(rows)), key=lambda i: (key(rows[i]), i))[:limit]
    return Shown([rows[i] for i in sorted(chosen)], len(rows))


def task_pressure(row):
    """Dashboard task rows: red, then amber, green, grey."""
    return _LIGHT_RANK.get(row.light, len(_LIGHT_RANK))


def unit_pressure(row):
    """Compliance rows of the current period: most missing, then returned, late."""
    return (-row.missing, -row.returned, -row.late)


def order_pressure(counts):
    """Order counts (supervision.orders.selectors.OrderCounts): most red, amber, open."""
    return (-counts.red, -counts.amber, -counts.untrue, -counts.open)


@dataclass(frozen=True)
class UrlPattern:
    """A URL with one integer argument, reversed once per page: `pattern.at(pk)` costs a
    string join where reverse() costs ~40 µs (a province dashboard had ~4,000 links)."""

    prefix: str
    suffix: str

    _MARK = "2147483647"

    @classmethod
    def of(cls, name):
        prefix, suffix = reverse(name, args=[int(cls._MARK)]).split(cls._MARK)
        return cls(prefix, suffix)

    def at(self, pk, fragment=""):
        return f"{self.prefix}{pk}{self.suffix}{fragment}"
