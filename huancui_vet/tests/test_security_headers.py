"""Response headers, caching of data pages, no external URLs, and the Chinese error pages."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import reverse

from huancui_vet import views
from huancui_vet.tests.test_guards import URL_KWARGS, build_objects, url_for

ROOT = Path(settings.BASE_DIR)

# (persona, url name): the pages people work from, signed in and not.
KEY_PAGES = [
    ("anonymous", "login"),
    ("anonymous", "supervision:public_plan"),
    ("reporter", "reports:my_tasks"),
    ("reporter", "reports:task_detail"),
    ("reporter", "reports:report_detail"),
    ("reporter", "reports:bulk_entry"),
    ("neutral_supervisor", "reports:review_queue"),
    ("leader", "supervision:dashboard"),
    ("leader", "supervision:scorecard"),
    ("leader", "tasks:plan_detail"),
]

# Pages and downloads with department data: no copy in a browser or proxy cache.
DATA_RESPONSES = [
    ("reporter", "reports:my_tasks"),
    ("reporter", "reports:task_detail"),
    ("reporter", "reports:report_detail"),
    ("reporter", "reports:evidence_download"),
    ("reporter", "reports:bulk_download"),
    ("neutral_supervisor", "reports:review_queue"),
    ("leader", "supervision:dashboard"),
    ("leader", "supervision:scorecard"),
    ("leader", "supervision:export_workbook"),
]


@pytest.fixture
def objects(world, frozen):
    return build_objects(world)


def _get(client, objects, who, name):
    if who != "anonymous":
        client.force_login(getattr(objects.world, who))
    return client.get(url_for(objects, name))


# --- no external URLs --------------------------------------------------------------------

XMLNS = re.compile(r"""\sxmlns(?::\w+)?\s*=\s*["'][^"']*["']""")
EXTERNAL = re.compile(
    r"""https?://"""  # any absolute http(s) URL
    r"""|(?:src|href|action|srcset|poster|data)\s*=\s*["']?\s*//"""  # protocol-relative attr
    r"""|url\(\s*["']?\s*//"""  # protocol-relative CSS url()
    r"""|@import\s+["']\s*//""",
    re.IGNORECASE,
)
SCANNED_SUFFIXES = {".html", ".txt", ".css", ".js", ".svg", ".json", ".xml"}


def external_urls(text):
    return [m.group(0) for m in EXTERNAL.finditer(XMLNS.sub(" ", text))]


def _scanned_files():
    roots = [ROOT / "templates", ROOT / "static"]
    roots += [p for p in ROOT.glob("*/templates") if p.parent.name != ".venv"]
    vendor = ROOT / "static" / "vendor"
    for root in roots:
        for path in root.rglob("*"):
            if path.suffix in SCANNED_SUFFIXES and vendor not in path.parents:
                yield path


def test_the_scanner_catches_external_urls_and_ignores_svg_namespaces():
    assert external_urls('<script src="https://cdn.example.com/chart.js"></script>')
    assert external_urls("<link href='//fonts.example.com/a.css'>")
    assert external_urls("body { background: url(//img.example.com/a.png) }")
    assert external_urls('@import "//fonts.example.com/x.css";')
    assert external_urls("fetch('http://10.0.0.1/api')")
    assert not external_urls('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1">')
    assert not external_urls('<a href="/plans/1/">方案</a> <img src="/static/a.png">')


def test_templates_and_static_files_load_nothing_from_outside_the_site():
    files = list(_scanned_files())
    assert any(p.name == "base.html" for p in files)
    assert any(p.suffix == ".js" for p in files)
    found = {
        str(path.relative_to(ROOT)): hits
        for path in files
        if (hits := external_urls(path.read_text(encoding="utf-8")))
    }
    assert found == {}


LINK = re.compile(r"""\b(?:src|href|action|srcset|poster)\s*=\s*["']([^"']*)["']""", re.I)


@pytest.mark.parametrize(("who", "name"), KEY_PAGES)
def test_key_pages_link_only_inside_the_site(client, objects, who, name):
    response = _get(client, objects, who, name)
    assert response.status_code == 200
    html = response.content.decode()
    links = LINK.findall(html)
    assert len(links) >= 3  # stylesheets, favicon, home link: the scan saw the page
    outside = [
        link
        for link in links
        if urlsplit(link.strip()).netloc or urlsplit(link.strip()).scheme not in ("", "data")
    ]
    assert outside == []
    # CSP has no 'unsafe-inline': an inline script would silently not run.
    for attributes in re.findall(r"<script\b([^>]*)>", html, re.I):
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes


# --- headers ------------------------------------------------------------------------------


def _csp(response):
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize(("who", "name"), KEY_PAGES)
def test_rendered_pages_send_the_security_headers(client, objects, who, name):
    response = _get(client, objects, who, name)
    assert response.status_code == 200
    csp = _csp(response)
    script_src = csp.get("script-src", csp["default-src"])
    assert "'self'" in script_src
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize(("who", "name"), DATA_RESPONSES)
def test_data_pages_and_downloads_are_never_cached(client, objects, who, name):
    response = _get(client, objects, who, name)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("who", ["reporter", "head", "neutral_supervisor", "leader", "admin"])
def test_every_page_a_signed_in_user_opens_is_never_cached(client, objects, who):
    client.force_login(getattr(objects.world, who))
    problems = []
    opened = 0
    for name in sorted(URL_KWARGS):
        response = client.get(url_for(objects, name))
        if response.status_code == 200:
            opened += 1
            if "no-store" not in response.get("Cache-Control", ""):
                problems.append(f"{name}: Cache-Control {response.get('Cache-Control')!r}")
    assert opened >= 4
    assert not problems, "\n".join(problems)


def test_the_public_page_is_not_marked_private_for_anonymous_visitors(client, objects):
    response = _get(client, objects, "anonymous", "supervision:public_plan")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# --- error pages (tests run with DEBUG=False) ---------------------------------------------


def _request(path="/nowhere/"):
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    return request


def test_the_500_page_is_chinese_and_shows_no_details():
    response = views.server_error(_request())
    html = response.content.decode()
    assert response.status_code == 500
    assert "系统错误" in html
    assert "Traceback" not in html
    assert settings.SECRET_KEY not in html


def test_the_404_page_is_chinese_and_does_not_echo_the_exception():
    response = views.page_not_found(_request(), Http404("Report matching query: secret-42"))
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html
    assert "secret-42" not in html
    assert "Traceback" not in html


@pytest.mark.django_db
def test_the_403_page_is_chinese_and_does_not_echo_the_exception():
    response = views.permission_denied(_request(), PermissionDenied("internal-rule-7"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "无权访问" in html
    assert "internal-rule-7" not in html
    # The refusal is in the audit trail, without the internal reason either.
    from departments.models import SecurityEvent

    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.ACCESS_DENIED)
    assert "internal-rule-7" not in event.detail


@pytest.mark.parametrize("who", ["anonymous", "reporter", "leader"])
def test_an_unknown_url_shows_the_chinese_404_page(client, world, who):
    if who != "anonymous":
        client.force_login(getattr(world, who))
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html
    assert "Traceback" not in html and "Page not found" not in html


def test_a_crash_in_a_view_renders_the_chinese_500_page_and_is_logged(world, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("crash-detail-db-password")

    monkeypatch.setattr("supervision.views.dashboard.dashboard_data", broken)
    client = Client(raise_request_exception=False)
    client.force_login(world.leader)
    response = client.get(reverse("supervision:dashboard"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "系统错误" in html
    assert "crash-detail-db-password" not in html
    assert "Traceback" not in html
    logged = [r for r in caplog.records if r.name == "django.request" and r.exc_info]
    assert logged and "crash-detail-db-password" in str(logged[0].exc_info[1])
