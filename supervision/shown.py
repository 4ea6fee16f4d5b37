"""How many rows a supervision page shows, and which ones, when a plan is province-size.

The figures are always computed over everything (selectors.py, facts.py); only the tables
are bounded: a long per-task / per-unit / per-order table on the dashboard shows the rows
that need attention first, up to a fixed number, with the total and a link to the full
paginated list. The Huancui plan (16 tasks, 19 units) stays under every limit, so its
dashboard shows every row in its usual order.
"""

from dataclasses import dataclass

from django.urls import reverse

from supervision.choices import Light, TargetStatus

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


def target_pressure(row):
    """The year's target rows (selectors.TargetRow): missed targets first."""
    return row.status != TargetStatus.MISSED


def unit_pressure(row):
    """Compliance rows of the current period: most missing, then returned, late."""
    return (-row.missing, -row.returned, -row.late)


def order_pressure(counts):
    """Order counts (supervision.orders.selectors.OrderCounts): most red, amber, open."""
    return (-counts.red, -counts.amber, -counts.untrue, -counts.open)


_MARK = 2147483647  # placeholder arguments: the largest int a path converter accepts


@dataclass(frozen=True)
class UrlPattern:
    """A URL name reversed once per page with placeholder arguments: `pattern.at(*args)`
    joins strings where reverse() costs ~40 µs (a province dashboard had ~4,100 links).
    Arguments must fit the URL's converters as their str() (ints, ISO dates for str)."""

    parts: tuple[str, ...]  # the text around each argument

    @classmethod
    def of(cls, name, arity=1):
        marks = [_MARK - i for i in range(arity)]
        rest = reverse(name, args=marks)
        parts = []
        for mark in marks:
            before, rest = rest.split(str(mark), 1)
            parts.append(before)
        return cls((*parts, rest))

    def at(self, *args):
        pieces = [self.parts[0]]
        for arg, part in zip(args, self.parts[1:], strict=True):
            pieces += [str(arg), part]
        return "".join(pieces)


def page_pattern(context, name, arity=1):
    """UrlPattern.of(name, arity), once per template rendering (a tag called per row)."""
    cache = context.render_context.setdefault("supervision_url_patterns", {})
    key = (name, arity)
    if key not in cache:
        cache[key] = UrlPattern.of(name, arity)
    return cache[key]
