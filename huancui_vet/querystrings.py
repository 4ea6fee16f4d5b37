"""Query strings for a list page's own links (filters, sorting, paging)."""


def query_without(request, *names: str, **overrides: str | None) -> str:
    """The request's query string without the parameters `names`, with `overrides` set (None
    drops that parameter). Other parameters keep every value, repeated keys included."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    for key, value in overrides.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


def query_without_page(request, **overrides: str | None) -> str:
    """query_without the page number: a link that changes a filter or the sort starts again
    at page 1, and the pager adds its own page."""
    return query_without(request, "page", **overrides)
