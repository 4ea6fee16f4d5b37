"""Browser smoke test: Debian's Chromium starts, and the login page renders Chinese glyphs."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.e2e

TOFU = "\ue000\ue001\ue002\ue003\ue004\ue005"  # private-use characters: no font draws them


def test_chromium_launches_and_renders_the_chinese_login_page(
    browser, page, live_server, e2e_guard, db
):
    print("chromium", browser.version)
    assert browser.version.split(".")[0].isdigit()
    page.goto(live_server.url + reverse("login"))
    heading = page.locator("h1").first
    assert "登录" in heading.inner_text()
    real = heading.screenshot()
    page.screenshot(path="/tmp/huancui_smoke_login.png", full_page=True)
    # The same heading drawn with characters no font has: if CJK fell back to boxes, the two
    # images would look alike; with a CJK font they differ.
    page.evaluate(f"document.querySelector('h1').textContent = '{TOFU}'")
    boxes = page.locator("h1").first.screenshot()
    assert len(real) > 500 and real != boxes
