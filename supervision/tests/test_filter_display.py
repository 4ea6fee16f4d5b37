"""Filter forms show the values actually used, also when the user filled only some fields."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url_name, params",
    [
        ("supervision:dashboard", {"year": "2023"}),
        ("supervision:scorecard", {"period_kind": "year"}),
        ("supervision:compliance", {"status": "missing"}),
    ],
)
def test_partly_filled_filters_show_the_default_as_of_date(client, world, url_name, params):
    client.force_login(world.leader)
    response = client.get(reverse(url_name), {"plan": world.plan.pk, **params})
    assert response.status_code == 200
    form = response.context["form"]
    as_of = form["as_of"].value()
    assert as_of, "the as-of field must show the date the page was computed for"
    assert f'name="as_of" value="{as_of}"' in response.content.decode()
    # What the user typed is kept as typed.
    for name, value in params.items():
        assert str(form[name].value()) == value


def test_invalid_input_stays_with_its_error(client, world):
    client.force_login(world.leader)
    response = client.get(
        reverse("supervision:dashboard"), {"plan": world.plan.pk, "as_of": "2023-13-45"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form["as_of"].value() == "2023-13-45"
    assert form.errors["as_of"]
