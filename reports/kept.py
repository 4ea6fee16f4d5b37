"""Pages of the reports app kept between requests by a keeper registered from above.

reports never imports supervision: supervision owns the figures tokens and the triggers that
renew them (supervision.figure_cache) and registers its keeper at start-up. A page passes
every plan its rows come from; without a keeper it is computed every time.
"""

_keeper = None


def register_keeper(keeper):
    """keeper(kind, plan_ids, build, /, *, scope, **params): build() or a kept result."""
    global _keeper
    _keeper = keeper


def kept(kind, plan_ids, build, /, *, scope, **params):
    if _keeper is None:
        return build()
    return _keeper(kind, plan_ids, build, scope=scope, **params)
