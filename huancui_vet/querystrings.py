"""Query strings for a list page's own links (filters, sorting, paging)."""


def query_without_page(request, **overrides: str | None) -> str:
    """The request's query string without its page number, with `overrides` set (None drops
    that parameter): a link that changes a filter or the sort starts again at page 1, and
    the pager adds its own page. Other parameters keep every value, repeated keys included."""
    query = request.GET.copy()
    query.pop("page", None)
    for key, value in overrides.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()
