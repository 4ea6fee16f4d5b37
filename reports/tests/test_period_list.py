"""填报期管理: one plan at a time, a page at a time, whatever the number of plans and periods."""

import datetime

from django.urls import reverse

from reports import services
from reports.models import PeriodLock
from reports.tests.test_query_counts import count_queries
from reports.views.periods import PERIOD_PAGE_SIZE
from tasks.models import Plan


def add_plans(count, *, first_year=2010, prefix="压测方案"):
    """Monthly plans that ran for years, so each has far more ended periods than one page."""
    return [
        Plan.objects.create(
            title=f"{prefix}{first_year + i}",
            start_year=first_year + i,
            end_year=first_year + i + 6,
        )
        for i in range(count)
    ]


def rows_and_size(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    return html.count('<tr><td class="nowrap">') + html.count("<tr>\n      <td"), len(html)


def test_period_list_shows_one_plan_and_a_bounded_page(client, world):
    client.force_login(world.neutral_supervisor)
    url = reverse("reports:period_list")
    add_plans(1)
    queries_small = count_queries(client, url)
    size_small = len(client.get(url).content)
    add_plans(20, first_year=2001, prefix="省级方案")
    assert count_queries(client, url) == queries_small
    plan = Plan.objects.get(title="省级方案2001")
    response = client.get(url, {"plan": plan.pk})
    assert response.context["plan"] == plan
    assert len(response.context["periods"]) == PERIOD_PAGE_SIZE
    assert response.context["page"].paginator.count > PERIOD_PAGE_SIZE
    assert count_queries(client, f"{url}?plan={plan.pk}") == queries_small
    # Twenty more plans add one <option> each, not their periods.
    assert len(client.get(url).content) < size_small + 20 * 200


def test_period_list_defaults_to_the_newest_plan_and_pages_through_its_periods(client, world):
    client.force_login(world.neutral_supervisor)
    old_plan = add_plans(1, first_year=2005)[0]
    url = reverse("reports:period_list")
    newest = Plan.objects.order_by("-start_year", "title").first()
    assert client.get(url).context["plan"] == newest
    first = client.get(url, {"plan": old_plan.pk})
    second = client.get(url, {"plan": old_plan.pk, "page": 2})
    first_starts = [p.start for p, _ in first.context["periods"]]
    second_starts = [p.start for p, _ in second.context["periods"]]
    assert first_starts == sorted(first_starts, reverse=True)
    assert max(second_starts) < min(first_starts)
    assert f"plan={old_plan.pk}&amp;page=2" in first.content.decode()


def test_closing_a_period_returns_to_its_plan_and_shows_the_lock(client, world):
    client.force_login(world.neutral_supervisor)
    old_plan = add_plans(1, first_year=2005)[0]
    start = datetime.date(2011, 12, 1)  # the newest ended period of a 2005-2011 plan
    response = client.post(reverse("reports:period_close", args=[old_plan.pk, start.isoformat()]))
    assert response.url == f"{reverse('reports:period_list')}?plan={old_plan.pk}"
    assert PeriodLock.objects.get(plan=old_plan, period_start=start).is_closed
    page = client.get(response.url)
    assert (page.context["periods"][0][0].start, page.context["periods"][0][1].is_closed) == (
        start,
        True,
    )
    assert "已关闭" in page.content.decode()


def test_period_history_is_limited_to_the_chosen_plan(client, world):
    client.force_login(world.neutral_supervisor)
    other = add_plans(1, first_year=2005)[0]
    services.period_close(
        user=world.neutral_supervisor, plan=other, period_start=datetime.date(2010, 11, 1)
    )
    response = client.get(reverse("reports:period_list"), {"plan": world.plan.pk})
    assert all(record.plan_id == world.plan.pk for record in response.context["history"])
    response = client.get(reverse("reports:period_list"), {"plan": other.pk})
    assert [record.plan_id for record in response.context["history"]] == [other.pk]
