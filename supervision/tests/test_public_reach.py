"""The public page is reachable: a clean URL per plan, linked from the login page and the
plan list, and a server-drawn QR code of it on the plan page."""

import io

import segno
from django.test import override_settings
from django.urls import reverse

from tasks.models import Plan


def clean_url(plan):
    return reverse("public", kwargs={"plan_id": plan.pk})


def test_clean_url_is_short_and_open_to_anonymous_visitors(client, world):
    assert clean_url(world.plan) == f"/public/{world.plan.pk}/"
    response = client.get(clean_url(world.plan))
    assert response.status_code == 200
    assert world.task1.content in response.text
    assert f'<link rel="canonical" href="/public/{world.plan.pk}/">' in response.text
    assert f"http://testserver/public/{world.plan.pk}/</a>" in response.text  # shown in full


def test_non_public_plan_has_no_public_page_or_qr(client, world):
    hidden = Plan.objects.create(title="内部方案", start_year=2023, end_year=2024, is_public=False)
    for name in ("public", "supervision:public_plan_qr_svg", "supervision:public_plan_qr_png"):
        assert client.get(reverse(name, kwargs={"plan_id": hidden.pk})).status_code == 404


def test_login_page_links_to_the_public_index_listing_public_plans_only(client, world):
    Plan.objects.create(title="内部方案", start_year=2023, end_year=2024, is_public=False)
    assert reverse("public_index") in client.get(reverse("login")).text
    index = client.get(reverse("public_index")).text
    assert clean_url(world.plan) in index and "内部方案" not in index


def test_plan_list_and_plan_page_link_the_public_page_and_show_the_qr(client, world):
    client.force_login(world.reporter)
    assert clean_url(world.plan) in client.get(reverse("tasks:plan_list")).text
    page = client.get(reverse("tasks:plan_detail", kwargs={"pk": world.plan.pk})).text
    assert reverse("supervision:public_plan_qr_svg", kwargs={"plan_id": world.plan.pk}) in page


def _png_of(url):
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=12, border=4)
    return buffer.getvalue()


@override_settings(PUBLIC_BASE_URL="https://dc.example.gov.cn/")
def test_qr_code_encodes_the_configured_public_address(client, world):
    png = client.get(reverse("supervision:public_plan_qr_png", kwargs={"plan_id": world.plan.pk}))
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert png.content == _png_of(f"https://dc.example.gov.cn/public/{world.plan.pk}/")
    svg = client.get(reverse("supervision:public_plan_qr_svg", kwargs={"plan_id": world.plan.pk}))
    assert svg["Content-Type"].startswith("image/svg+xml")
    assert (
        "<svg" in svg.text
        and 'xmlns="http://www.w3.org/2000/svg"' in svg.text
        and "公开进展页面二维码" in svg.text
    )


def test_qr_code_falls_back_to_the_request_address(client, world):
    png = client.get(reverse("supervision:public_plan_qr_png", kwargs={"plan_id": world.plan.pk}))
    assert png.content == _png_of(f"http://testserver/public/{world.plan.pk}/")
