"""The shared layout: the page title carries its separator, <html lang> the UI language."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_title_has_the_page_name_a_separator_and_the_portal_name(client, world):
    client.force_login(world.reporter)
    html = client.get(reverse("reports:my_tasks")).content.decode()
    assert "<title>我的任务 · 环翠区职业教育创新发展高地督查平台</title>" in html


def test_html_lang_matches_the_language_setting(client, world):
    client.force_login(world.reporter)
    html = client.get(reverse("reports:my_tasks")).content.decode()
    assert f'<html lang="{settings.LANGUAGE_CODE}">' in html
