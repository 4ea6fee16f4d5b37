"""A target or actual value reads the same on every page: 32.5%, never 32.50%."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from supervision.tests.factories import make_report

pytestmark = pytest.mark.django_db
D = datetime.date


def test_a_fractional_actual_is_written_alike_on_dashboard_task_and_report_pages(client, world):
    report = make_report(
        world.task1,
        world.edu,
        D(2023, 1, 1),
        author=world.reporter,
        submitted_on=D(2023, 2, 3),
        accepted_on=D(2023, 2, 4),
        percent=30,
        target_values={world.target1: Decimal("32.5")},
    )
    client.force_login(world.leader)
    pages = [
        client.get(
            reverse("supervision:dashboard"),
            {"plan": world.plan.pk, "year": 2024, "as_of": "2023-03-01"},
        ),
        client.get(reverse("reports:task_detail", args=[world.task1.pk])),
        client.get(reverse("reports:report_detail", args=[report.pk])),
    ]
    for response in pages:
        html = response.content.decode()
        assert "32.5%" in html, response.request["PATH_INFO"]
        assert "32.50" not in html
        assert "50%" in html  # the target itself
