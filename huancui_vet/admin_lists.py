"""Admin changelists over tables that grow to millions of rows (reports, history, notices,
deliveries, the audit trail).

Django's changelist counts its rows twice: the filtered count for the paginator and, unless
`show_full_result_count = False`, the whole table's. On PostgreSQL an exact COUNT(*) reads
the whole table (≈100 ms at 1M reports, /work/shared/notes/perf-limits.md §5), so an
unfiltered list takes the planner's estimate (pg_class.reltuples, kept by ANALYZE and
autovacuum) once the table is past ESTIMATE_ABOVE rows; a filtered or searched list, and
every list on SQLite, is counted exactly.
"""

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

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


class EstimatedCountPaginator(Paginator):
    """A paginator whose count of a large unfiltered table is PostgreSQL's estimate."""

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if hasattr(queryset, "query") and _unfiltered(queryset):
            estimate = estimated_rows(queryset)
            if estimate is not None and estimate > ESTIMATE_ABOVE:
                return estimate
        return super().count


class LargeTableAdmin(admin.ModelAdmin):
    """Base for changelists of tables that grow without bound: no second, unfiltered
    COUNT(*) (the result line says "显示全部" instead of the total) and the estimating
    paginator above. Subclasses still set `list_select_related` for their columns and an
    `ordering` an index serves."""

    show_full_result_count = False
    paginator = EstimatedCountPaginator
