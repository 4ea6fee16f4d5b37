"""A plan's computed figures kept between requests, under a token the database changes.

The dashboard, the scorecard and its drill-down compute a plan's figures from a few
thousand assignments, hundreds of units and thousands of orders: at a province's largest
plan that is ~200 ms of work for every view. The result only changes when a row it is
computed from changes, so it is kept in the shared cache under a key that names the plan's
*figures token*.

The token lives in `FiguresVersion` (one row per plan, plan 0 for rows every plan reads:
units, default settings) and is set to a new random value by database triggers
(`supervision/figure_triggers.py`) on every insert, update or delete of a table the figures
are read from, in the same transaction as the write. So no code path can change a figure
without changing the token: ORM saves, `update()`, bulk inserts, the admin, imports and raw
SQL all go through the triggers. Tokens are random rather than counters, so a database that
is reset or restored never meets figures cached for another database's state (a restore
also renews every token: `huancui_vet.signals.database_restored`).

Reading order matters: the token is read first, then the data. A write that commits in
between makes the entry hold newer data under the older token, which no later request asks
for; a request that reads the new token reads the committed data.
"""

import hashlib
import inspect
import logging
from datetime import date

from django.conf import settings
from django.core.cache import cache

from supervision.figure_triggers import GLOBAL_FIGURES
from supervision.models import FiguresVersion

log = logging.getLogger(__name__)
KEY_PREFIX = "figures"


def _code_version():
    """A digest of the code that builds and shapes cached figures: a deploy that changes it
    starts with fresh entries instead of unpickling objects of an older shape."""
    from supervision import facts, scoring, selectors, trends
    from supervision.orders import selectors as order_selectors

    digest = hashlib.sha256()
    for module in (facts, scoring, selectors, trends, order_selectors):
        digest.update(inspect.getsource(module).encode())
    return digest.hexdigest()[:12]


_CODE_VERSION = None


def code_version():
    global _CODE_VERSION
    if _CODE_VERSION is None:
        _CODE_VERSION = _code_version()
    return _CODE_VERSION


def figures_token(plan_id) -> str | None:
    """The plan's token joined with the global one (one query); None when the plan has no
    row yet, in which case nothing is cached for it."""
    tokens = dict(
        FiguresVersion.objects.filter(plan_id__in=(plan_id, GLOBAL_FIGURES)).values_list(
            "plan_id", "token"
        )
    )
    if plan_id not in tokens:
        return None
    return f"{tokens[plan_id]}.{tokens.get(GLOBAL_FIGURES, 0)}"


def _part(value):
    if isinstance(value, date):
        return value.isoformat()
    return "-" if value is None else str(value)


def cache_key(kind, plan_id, token, /, **params):
    parts = [f"{name}={_part(params[name])}" for name in sorted(params)]
    return ":".join([KEY_PREFIX, code_version(), kind, str(plan_id), token, *parts])


def cached_figures(kind, plan, build, /, **params):
    """`build()`, or its result kept from an earlier request for the same plan, token and
    `params` (everything else the result depends on: as-of date, unit scope, window...)."""
    timeout = settings.FIGURES_CACHE_SECONDS
    if not timeout:
        return build()
    token = figures_token(plan.pk)
    if token is None:
        return build()
    key = cache_key(kind, plan.pk, token, **params)
    try:
        found = cache.get(key)
    except Exception:  # an unreadable entry (e.g. pickled by other code) is a miss
        log.warning("figure cache entry %s unreadable; recomputing", key, exc_info=True)
        found = None
    if found is not None:
        return found
    result = build()
    cache.set(key, result, timeout)
    return result
