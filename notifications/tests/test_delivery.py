"""Sending the outbox: real local SMTP and bot servers that fail, then succeed."""

import base64
import datetime
import hashlib
import hmac
import threading
import time
import urllib.parse

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from notifications import outbox
from notifications.channels import dingtalk_sign, dingtalk_url, read_unsubscribe_token
from notifications.models import Delivery, Kind, UnitWebhook
from notifications.outbox import send_pending
from notifications.services import notify
from notifications.tests.servers import bot_server, smtp_server
from reports import services
from reports.tests.factories import submitted

pytestmark = pytest.mark.usefixtures("frozen")


def later(minutes):
    return time_machine.travel(timezone.now() + datetime.timedelta(minutes=minutes), tick=False)


def documented_dingtalk_sign(secret, timestamp):
    """DingTalk's documented steps, written out independently of the code under test."""
    string_to_sign = f"{timestamp}\n{secret}"
    hmac_code = hmac.new(
        secret.encode("utf-8"), string_to_sign.encode("utf-8"), digestmod=hashlib.sha256
    ).digest()
    return urllib.parse.quote_plus(base64.b64encode(hmac_code))


def test_dingtalk_signature_follows_the_documented_algorithm():
    secret = "SEC1f4e0a5b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1"
    assert dingtalk_sign(secret, 1700000000000) == documented_dingtalk_sign(secret, 1700000000000)
    url = dingtalk_url("https://bot.test/robot/send?access_token=abc", secret, 1700000000000)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["access_token"] == ["abc"] and query["timestamp"] == ["1700000000000"]
    # parse_qs undoes the url-encoding: what remains is the base64 HMAC itself.
    expected = hmac.new(secret.encode(), f"1700000000000\n{secret}".encode(), hashlib.sha256)
    assert query["sign"] == [base64.b64encode(expected.digest()).decode()]


@override_settings(NOTIFY_WEBHOOK_ALLOW_HTTP=True, PORTAL_BASE_URL="https://vet.example.gov.cn")
def test_failing_dingtalk_bot_is_retried_with_backoff_then_delivered(world):
    with bot_server(script=[500]) as server:
        port = server.server_address[1]
        bot = UnitWebhook(
            department=world.edu,
            channel="dingtalk",
            url=f"http://127.0.0.1:{port}/robot/send?access_token=abc",
            secret="SECtest",
        )
        bot.full_clean()
        bot.save()
        report = submitted(world)
        services.report_accept(user=world.neutral_supervisor, report=report, comment="同意")
        delivery = Delivery.objects.get(webhook=bot)

        assert send_pending() == (0, 1)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("pending", 1)
        assert delivery.last_error == "DeliveryError: HTTP 500"
        assert send_pending() == (0, 0)  # not before its backoff has passed
        with later(2):
            assert send_pending() == (1, 0)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")

    first, second = server.received
    assert first["status"] == 500 and second["status"] == 200
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(second["path"]).query)
    timestamp = query["timestamp"][0]
    assert urllib.parse.quote_plus(query["sign"][0]) == documented_dingtalk_sign(
        "SECtest", timestamp
    )
    message = second["json"]
    assert message["msgtype"] == "markdown"
    assert message["markdown"]["title"] == "报告审核通过：第1号任务 2023年6月"
    link = "https://vet.example.gov.cn" + reverse("reports:report_detail", args=[report.pk])
    assert f"[在平台中查看]({link})" in message["markdown"]["text"]


@override_settings(NOTIFY_WEBHOOK_ALLOW_HTTP=True)
def test_wecom_bot_gets_markdown_content(world):
    with bot_server() as server:
        UnitWebhook.objects.create(
            department=world.edu,
            channel="wecom",
            url=f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=k",
        )
        report = submitted(world)
        services.report_return(user=world.neutral_supervisor, report=report, comment="补充")
        assert send_pending() == (1, 0)
    (message,) = server.received
    assert message["path"] == "/cgi-bin/webhook/send?key=k"
    assert message["json"]["markdown"]["content"].startswith("### 报告被退回：第1号任务")


@override_settings(NOTIFY_WEBHOOK_ALLOW_HTTP=True, NOTIFY_MAX_ATTEMPTS=3)
def test_a_delivery_that_keeps_failing_is_marked_failed_and_shown_to_admins(world, client):
    with bot_server(script=[500, 502, 503, 500]) as server:
        UnitWebhook.objects.create(
            department=world.edu,
            channel="wecom",
            url=f"http://127.0.0.1:{server.server_address[1]}/",
        )
        report = submitted(world)
        services.report_accept(user=world.neutral_supervisor, report=report)
        for minutes in (0, 2, 10, 60):
            with later(minutes):
                send_pending()
    delivery = Delivery.objects.get(channel="wecom")
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert delivery.last_error == "DeliveryError: HTTP 503"
    assert len(server.received) == 3
    client.force_login(world.admin)
    page = client.get(reverse("admin:notifications_delivery_changelist") + "?status__exact=failed")
    assert page.status_code == 200
    assert "报告审核通过：第1号任务 2023年6月" in page.content.decode()


def test_webhook_timeout_is_a_recorded_failure(world, settings):
    settings.NOTIFY_WEBHOOK_TIMEOUT = 1
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the connection, never answers
    try:
        UnitWebhook.objects.create(
            department=world.edu,
            channel="wecom",
            url=f"http://127.0.0.1:{silent.getsockname()[1]}/",
        )
        report = submitted(world)
        services.report_accept(user=world.neutral_supervisor, report=report)
        started = time.monotonic()
        assert send_pending() == (0, 1)
        assert time.monotonic() - started < 5
    finally:
        silent.close()
    assert "连接失败" in Delivery.objects.get(channel="wecom").last_error


def test_failing_smtp_server_is_retried_then_the_mail_goes_out(mailable, settings):
    world = mailable
    with smtp_server(script=[451]) as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.server_address[1]
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 5
        report = submitted(world)
        services.report_return(user=world.neutral_supervisor, report=report, comment="补充照片")
        mail = Delivery.objects.get(channel="email", recipient=world.reporter)
        Delivery.objects.exclude(pk=mail.pk).delete()

        assert send_pending() == (0, 1)
        mail.refresh_from_db()
        assert mail.status == "pending" and "451" in mail.last_error
        with later(2):
            assert send_pending() == (1, 0)
    mail.refresh_from_db()
    assert mail.status == "sent"
    (received,) = server.received
    assert "edu_reporter@example.gov.cn" in received
    assert "List-Unsubscribe" in received


def test_mail_text_links_to_the_report_and_unsubscribes(mailable):
    from django.core import mail as django_mail

    world = mailable
    report = submitted(world)
    services.report_return(user=world.neutral_supervisor, report=report, comment="补充照片")
    send_pending()
    message = next(m for m in django_mail.outbox if m.to == ["edu_reporter@example.gov.cn"])
    assert message.subject == "[督查平台] 报告被退回：第1号任务 2023年6月"
    assert reverse("reports:report_detail", args=[report.pk]) in message.body
    token = message.body.rsplit("/unsubscribe/", 1)[1].strip().rstrip("/")
    assert read_unsubscribe_token(token) == (world.reporter.pk, Kind.REPORT_RETURNED)


def test_notify_refuses_a_link_to_another_site(world):
    with pytest.raises(ValueError):
        notify(
            recipients=[world.reporter],
            kind=Kind.TASK_CHANGED,
            title="x",
            body="",
            url="https://elsewhere.test/",
            dedupe_key="x",
        )


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks with SKIP LOCKED need PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_senders_deliver_each_notice_once(monkeypatch):
    from huancui_vet.testing import build_world

    world = build_world()
    now = timezone.now()
    Delivery.objects.bulk_create(
        Delivery(
            channel="email",
            recipient=world.reporter,
            kind=Kind.TASK_CHANGED,
            subject=f"消息{i}",
            body="内容",
            dedupe_key=f"concurrency:{i}",
            next_attempt_at=now,
            created_at=now,
        )
        for i in range(60)
    )
    sent, lock = [], threading.Lock()

    def slow_deliver(delivery):
        time.sleep(0.01)  # long enough for the other sender to reach the same rows
        with lock:
            sent.append(delivery.pk)

    monkeypatch.setattr(outbox, "deliver", slow_deliver)
    start = threading.Barrier(2)

    def sender():
        from django.db import connections

        start.wait()
        try:
            send_pending(batch_size=5)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(sent) == sorted(set(sent)) and len(sent) == 60
    assert Delivery.objects.filter(status="sent").count() == 60
