"""Project-wide pytest fixtures: the test world and the browser/rendering tool gates."""

import os
import shutil

import pytest
import time_machine
from django.urls import reverse

from huancui_vet.testing import FROZEN_AT, PASSWORD, build_world

# CI sets this so browser and rendering tests fail, instead of skipping, when a tool is missing.
REQUIRE_TOOLS = os.environ.get("HUANCUI_REQUIRE_TOOLS") == "1"
CHROMIUM = os.environ.get("HUANCUI_CHROMIUM", "/usr/bin/chromium")


def require_tool(path_or_name, reason):
    """Skip (on a laptop) or fail (in CI) when an external tool is missing."""
    found = os.path.exists(path_or_name) or shutil.which(path_or_name)
    if found:
        return
    if REQUIRE_TOOLS:
        pytest.fail(f"{reason} ({path_or_name} not found; CI installs it with apt-get)")
    pytest.skip(f"{reason}: {path_or_name} not found (apt-get install it to run this test)")


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def signoff_world(db):
    """The test world with a plan that requires the department head's sign-off."""
    return build_world(requires_head_signoff=True)


@pytest.fixture
def frozen():
    """Time stopped at FROZEN_AT (2023年7月10日 10:00 in Shanghai)."""
    with time_machine.travel(FROZEN_AT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def soffice():
    require_tool("soffice", "rendering needs LibreOffice")
    require_tool("pdftoppm", "rendering needs poppler-utils")
    return shutil.which("soffice")


# --- Playwright (pytest-playwright) configured for Debian's Chromium; never downloads a browser.
CHROMIUM_FLAGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    require_tool(CHROMIUM, "browser tests need Debian's chromium")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_FLAGS,
        "chromium_sandbox": False,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "viewport": {"width": 1366, "height": 900},
    }


@pytest.fixture
def e2e_guard(page, live_server):
    """Fail the test on console errors or any request leaving the live server (no CDN)."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # Chromium asks for /favicon.ico by itself when a page declares no icon; its 404 must
    # not count as a console error.
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
    problems = []
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None
        ),
    )
    page.on(
        "request",
        lambda req: (
            problems.append(f"external request: {req.url}")
            if not (req.url.startswith(live_server.url) or req.url.startswith("data:"))
            else None
        ),
    )
    yield problems
    assert problems == []


@pytest.fixture
def login_page(page, live_server):
    """`login_page(user)` signs in through the real login form (dropping any earlier session)
    and returns the page."""

    def log_in(user):
        page.context.clear_cookies()
        page.goto(live_server.url + reverse("login"))
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button:has-text('登录')")
        page.wait_for_load_state("networkidle")
        return page

    return log_in
