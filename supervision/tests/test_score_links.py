"""Every line of a department's score breakdown links to a page its reader may open, showing
that line's reports (missing ones included)."""

import datetime
import re

import pytest
from django.urls import reverse

from supervision.tests.factories import make_report

pytestmark = pytest.mark.django_db
D = datetime.date


def line_links(html):
    table_cells = re.findall(r'<td class="num"><a href="([^"]+)">\d+</a></td>', html)
    return [link.replace("&amp;", "&") for link in table_cells]


@pytest.mark.parametrize("reader", ["leader", "neutral_supervisor", "admin"])
def test_each_score_line_opens_for_its_reader_and_shows_the_line(client, world, reader):
    # edu's January report on task 1 arrived late; February's is missing.
    make_report(
        world.task1, world.edu, D(2023, 1, 1), author=world.reporter, submitted_on=D(2023, 2, 10)
    )
    client.force_login(getattr(world, reader))
    url = reverse("supervision:department_score", args=[world.edu.pk])
    html = client.get(url, {"plan": world.plan.pk, "as_of": "2023-03-10"}).content.decode()
    links = line_links(html)
    assert links, "the breakdown must link its lines"
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, link
    february = next(link for link in links if "period=2023-02-01" in link)
    page = client.get(february).content.decode()
    assert "逾期未报" in page and "2023年2月" in page
