"""query_without and query_without_page: list links keep the filters and drop a page."""

from django.http import QueryDict
from django.test import RequestFactory

from huancui_vet.querystrings import query_without, query_without_page


def _get(query):
    return RequestFactory().get(f"/list/?{query}")


def test_the_page_goes_and_every_other_parameter_stays_with_repeated_keys():
    request = _get("plan=3&page=2&unit=5&unit=7&q=%E6%95%99%E8%82%B2")
    assert query_without_page(request) == "plan=3&unit=5&unit=7&q=%E6%95%99%E8%82%B2"
    assert request.GET["page"] == "2"  # the request itself is left as it was


def test_overrides_replace_add_or_drop_a_parameter():
    request = _get("page=4&sort=-date&status=late&status=missing&plan=3")
    result = query_without_page(request, sort="unit", tasks="all", status=None)
    assert result == "sort=unit&plan=3&tasks=all"
    assert QueryDict(result).getlist("sort") == ["unit"]


def test_nothing_but_a_page_leaves_an_empty_query():
    assert query_without_page(_get("")) == ""
    assert query_without_page(_get("page=2")) == ""


def test_query_without_drops_each_named_parameter_and_keeps_the_others():
    request = _get("reports_page=2&events_page=3&page=4&unit=5&unit=7")
    assert query_without(request, "reports_page") == "events_page=3&page=4&unit=5&unit=7"
    assert query_without(request, "reports_page", "events_page", unit="9") == "page=4&unit=9"
