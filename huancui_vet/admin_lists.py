"""Lists over tables that grow to millions of rows: admin changelists (reports, notices,
deliveries, the audit trail, orders, tasks) and the review queue.

Django's changelist counts its rows twice: the filtered count for the paginator and, unless
`show_full_result_count = False`, the whole table's. On PostgreSQL an exact COUNT(*) reads
the whole table (0.1-0.5 s at 1M reports, /work/shared/notes/perf-limits.md §5), so on
PostgreSQL a list takes the planner's estimate once it is past ESTIMATE_ABOVE rows: an
unfiltered list pg_class.reltuples (kept by ANALYZE and autovacuum), a filtered or searched
one the row estimate of EXPLAIN (no rows read), checked by an exact count capped at
ESTIMATE_ABOVE + 1 rows, so a list the planner overrates is still counted exactly. Smaller
lists, and every list on SQLite, are counted exactly. Past the threshold the page count is
an estimate (the review queue says 约 N): narrow the list with a filter to page to its end.
"""

import json

from django.contrib import admin
from django.contrib.admin import helpers
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _

ESTIMATE_ABOVE = 10_000


def _unfiltered(queryset) -> bool:
    query = queryset.query
    return (
        not query.where.children
        and not query.distinct
        and not query.combinator
        and query.low_mark == 0
        and query.high_mark is None
    )


def estimated_rows(queryset) -> int | None:
    """The planner's row estimate of the queryset's table (PostgreSQL only, else None)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
            [connection.ops.quote_name(queryset.model._meta.db_table)],
        )
        row = cursor.fetchone()
    return row[0] if row and row[0] is not None and row[0] >= 0 else None


def planned_rows(queryset) -> int | None:
    """EXPLAIN's row estimate for the queryset (PostgreSQL only, else None); reads no rows."""
    if connections[queryset.db].vendor != "postgresql":
        return None
    if queryset.query.is_empty():  # .none() or a filter that can match nothing: no SQL to plan
        return 0
    plan = json.loads(queryset.order_by().explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):
    """A paginator whose count of a large list is PostgreSQL's estimate (`estimated` says
    so, for a page that shows the number)."""

    estimated = False

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if isinstance(queryset, QuerySet):
            estimate = (estimated_rows if _unfiltered(queryset) else planned_rows)(queryset)
            if estimate is not None and estimate > ESTIMATE_ABOVE:
                # The planner can be far off for a selective filter or search: count exactly
                # up to the threshold (reads at most ESTIMATE_ABOVE + 1 rows), so a list that
                # is really short never gets empty pages from a high guess.
                capped = queryset.order_by()[: ESTIMATE_ABOVE + 1].count()
                if capped <= ESTIMATE_ABOVE:
                    return capped
                self.estimated = True
                return estimate
        return super().count


class PlainActionCheckboxMixin:
    """The changelist's row checkbox written as a string. Django renders each one through the
    form renderer's widget templates (≈ 0.3 ms a row: a third of a 50-row task changelist at
    province scale); the HTML is the same (tested against Django's own)."""

    def action_checkbox(self, obj):
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            format_html(_("Select this object for an action - {}"), str(obj)),
        )


class ReadOnlyAdminMixin:
    """A changelist and detail pages to read only: nothing is added, changed or deleted from
    the back office (records kept by the portal's own services: audit trail, reports,
    orders, evaluations)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LargeTableAdmin(PlainActionCheckboxMixin, admin.ModelAdmin):
    """Base for changelists of tables that grow without bound: no second, unfiltered
    COUNT(*) (the result line says "显示全部" instead of the total) and the estimating
    paginator above. Subclasses still set `list_select_related` for their columns and an
    `ordering` an index serves."""

    show_full_result_count = False
    paginator = EstimatedCountPaginator
