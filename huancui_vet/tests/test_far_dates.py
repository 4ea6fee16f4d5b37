"""Far-away dates in URLs and filters give a Chinese 404 or a field error, never a 500."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_report_period_far_in_the_future_is_404(client, world):
    client.force_login(world.reporter)
    url = reverse("reports:report_create", args=[world.task1.pk, "9999-12-01"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"work_done": "x", "version": 0}).status_code == 404


@pytest.mark.parametrize(
    "url_name, params",
    [
        ("supervision:dashboard", {"as_of": "9999-12-31"}),
        ("supervision:scorecard", {"as_of": "9999-12-31"}),
        ("supervision:scorecard", {"period": "9999-12-31", "period_kind": "quarter"}),
        ("supervision:compliance", {"as_of": "9999-12-31"}),
        ("supervision:export_workbook", {"as_of": "0001-01-01"}),
    ],
)
def test_far_dates_in_filters_fall_back_to_defaults(client, world, url_name, params):
    client.force_login(world.leader)
    response = client.get(reverse(url_name), {"plan": world.plan.pk, **params})
    assert response.status_code == 200
    if "form" in (response.context or {}):
        assert "日期须在2000年至2100年之间。" in response.content.decode()
