"""A plan's computed figures kept between requests, under a token the database changes.

The dashboard, the scorecard and its drill-down compute a plan's figures from a few
thousand assignments, hundreds of units and thousands of orders: at a province's largest
plan that is ~200 ms of work for every view. The result only changes when a row it is
computed from changes, so it is kept in the shared cache under a key that names the plan's
*figures token*.

The token lives in `FiguresVersion` (one row per plan, plan 0 for rows every plan reads:
units, default settings) and is set to a new random value by database triggers
(`supervision/figure_triggers.py`) on every insert, update or delete of a table the figures
are read from, in the same transaction as the write; writes that touch only drafts are left
out, since the figures never read a draft. So no code path can change a figure without
changing the token: ORM saves, `update()`, bulk inserts, the admin, imports and raw SQL all
go through the triggers. Tokens are random rather than counters, so a database that
is reset or restored never meets figures cached for another database's state (a restore
also renews every token: `huancui_vet.signals.database_restored`).

Reading order matters: the token is read first, then the data. A write that commits in
between makes the entry hold newer data under the older token, which no later request asks
for; a request that reads the new token reads the committed data.
"""

import functools
import hashlib
import importlib
import inspect
import json
import logging
from datetime import date

from django.conf import settings
from django.core.cache import caches

from supervision.figure_triggers import GLOBAL_FIGURES
from supervision.models import FiguresVersion

log = logging.getLogger(__name__)
KEY_PREFIX = "figures"
# Bump by hand when a cached shape changes in a way the sources below do not show.
FIGURES_FORMAT = 1
# Every module whose code builds a kept result or defines a class pickled in one: a deploy
# that changes any of them starts with fresh entries instead of old rules or old shapes.
BUILDER_MODULES = (
    "huancui_vet.dates",
    "reports.selectors",
    "reports.standing",
    "tasks.periods",
    "supervision.choices",
    "supervision.compliance",
    "supervision.facts",
    "supervision.orders.colours",
    "supervision.orders.scoring",
    "supervision.orders.selectors",
    "supervision.scoring",
    "supervision.selectors",
    "supervision.trends",
    "supervision.views.public",
    "reports.views.mine",
)


@functools.cache
def code_version():
    """A digest of BUILDER_MODULES' sources and FIGURES_FORMAT, computed once per process at
    start-up (SupervisionConfig.ready), so a worker keys what its own code built."""
    digest = hashlib.sha256(str(FIGURES_FORMAT).encode())
    for name in BUILDER_MODULES:
        digest.update(inspect.getsource(importlib.import_module(name)).encode())
    return digest.hexdigest()[:12]


def figures_token(plan_ids) -> str | None:
    """The tokens of `plan_ids` and the global one as one string (one query); None when a
    plan has no row yet, in which case nothing is kept for it."""
    wanted = sorted(set(plan_ids))
    tokens = dict(
        FiguresVersion.objects.filter(plan_id__in=[GLOBAL_FIGURES, *wanted]).values_list(
            "plan_id", "token"
        )
    )
    if any(pk not in tokens for pk in wanted):
        return None
    return ".".join(str(tokens.get(pk, 0)) for pk in [GLOBAL_FIGURES, *wanted])


def _part(value):
    return value.isoformat() if isinstance(value, date) else value


def cache_key(kind, plan_ids, token, /, **params):
    # JSON of the sorted parameters: no separator inside a value can make two keys equal.
    parts = json.dumps(
        {"plans": sorted(set(plan_ids)), **{n: _part(params[n]) for n in sorted(params)}},
        default=str,
    )
    digest = hashlib.sha256(f"{token}|{parts}".encode()).hexdigest()[:32]
    return ":".join([KEY_PREFIX, code_version(), kind, digest])


def cached_figures(kind, plan, build, /, *, scope, **params):
    """`build()`, or its result kept from an earlier request for the same plan, token, unit
    `scope` (visible_department_id of the user; None for every unit) and `params` (everything
    else the result depends on: as-of date, window...). `scope` is required so that no caller
    can forget that a unit's view differs from the all-units view."""

    def fresh():
        # The caller read the plan before the token: a plan edit committed in between would
        # be built under the newer token. Read it again (only on a miss).
        plan.refresh_from_db()
        return build()

    return cached_for_plans(kind, [plan.pk], fresh, scope=scope, **params)


def cached_for_plans(kind, plan_ids, build, /, *, scope, **params):
    """cached_figures for a result read from several plans (a unit's My tasks): kept under
    the tokens of every plan in `plan_ids`, so a change in any of them is a miss. `build`
    must read only rows of those plans (and the global tables)."""
    timeout = settings.FIGURES_CACHE_SECONDS
    if not timeout:
        return build()
    token = figures_token(plan_ids)
    if token is None:
        return build()
    key = cache_key(kind, plan_ids, token, scope=scope, **params)
    store = caches[settings.FIGURES_CACHE_ALIAS]
    try:
        found = store.get(key)
    except Exception:  # the cache is down or the entry unreadable: compute, as without it
        log.warning("figure cache read failed for %s; computing", key, exc_info=True)
        found = None
    if found is not None:
        return found
    result = build()
    try:
        store.set(key, result, timeout)
    except Exception:  # a cache outage must not turn a computed page into an error
        log.warning("figure cache write failed for %s", key, exc_info=True)
    return result
