"""Sorting a list page by a column, with the choice kept in the URL (`?sort=key` or `-key`).

A view declares its columns once:

    sorting = Sorting(request, {"date": ("报送时间", ("submitted_at", "id")), ...}, default="date")
    rows = rows.order_by(*sorting.order_by())

and the template renders each sortable header with `includes/sort_th.html`
(`{% include "includes/sort_th.html" with col=sorting.columns.date %}`). An unknown key falls
back to the default, so a hand-edited URL never errors. Sorting never adds a query.
"""

from dataclasses import dataclass

from huancui_vet.querystrings import query_without_page


@dataclass(frozen=True)
class SortColumn:
    key: str
    label: str
    url: str  # the query string that sorts by this column (toggling the direction)
    state: str  # "ascending", "descending" or "" (aria-sort)


class Sorting:
    PARAM = "sort"

    def __init__(self, request, columns, *, default):
        self._columns = columns
        raw = request.GET.get(self.PARAM, "")
        key = raw.removeprefix("-")
        if key not in columns:
            raw, key = default, default.removeprefix("-")
        self.key = key
        self.descending = raw.startswith("-")
        self.columns = {name: self._column(request, name) for name in columns}

    def _column(self, request, name):
        is_current = name == self.key
        sort = f"-{name}" if is_current and not self.descending else name
        state = ("descending" if self.descending else "ascending") if is_current else ""
        url = query_without_page(request, **{self.PARAM: sort})
        return SortColumn(name, self._columns[name][0], url, state)

    def order_by(self):
        fields = self._columns[self.key][1]
        if not self.descending:
            return list(fields)
        return [f[1:] if f.startswith("-") else f"-{f}" for f in fields]
