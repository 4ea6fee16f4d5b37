"""搜索: the header search box's results page."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from reports.search import SEARCH_LIMIT, search


@require_safe
def search_page(request):
    """Any signed-in user; every section is filtered by what the user may see."""
    results = search(request.user, request.GET.get("q", ""))
    return render(request, "reports/search.html", {"results": results, "limit": SEARCH_LIMIT})
