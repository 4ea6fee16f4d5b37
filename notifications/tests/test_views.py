"""The bell, the inbox, settings, the unit's bots and the unsubscribe page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.channels import unsubscribe_token
from notifications.models import Kind, Notice, NotificationSettings, UnitWebhook
from notifications.services import notify

INBOX = reverse("notifications:inbox")


def notices_for(user, count, *, kind=Kind.TASK_CHANGED, url="/plans/"):
    for i in range(count):
        notify(
            recipients=[user],
            kind=kind,
            title=f"消息{i}",
            body=f"内容{i}",
            url=url,
            dedupe_key=f"test:{user.pk}:{kind}:{i}",
        )


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(INBOX)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_bell_shows_the_unread_count(client, world):
    notices_for(world.reporter, 3)
    Notice.objects.filter(title="消息0").update(read_at=timezone.now())
    client.force_login(world.reporter)
    page = client.get(reverse("tasks:plan_list")).content.decode()
    assert 'data-testid="bell-count">2<' in page
    client.force_login(world.hr_reporter)
    assert 'data-testid="bell-count"' not in client.get(reverse("tasks:plan_list")).content.decode()


def test_bell_caps_at_99(client, world):
    notices_for(world.reporter, 100)
    client.force_login(world.reporter)
    assert 'data-testid="bell-count">99+<' in client.get(INBOX).content.decode()


def test_inbox_lists_own_notices_newest_first_and_filters_unread(client, world):
    notices_for(world.reporter, 2)
    notices_for(world.hr_reporter, 1)
    Notice.objects.filter(recipient=world.reporter, title="消息1").update(
        created_at=timezone.now() + datetime.timedelta(minutes=1)
    )
    Notice.objects.filter(title="消息0", recipient=world.reporter).update(read_at=timezone.now())
    client.force_login(world.reporter)
    page = client.get(INBOX).content.decode()
    assert page.index("消息1") < page.index("消息0")
    unread = client.get(INBOX + "?unread=1").content.decode()
    assert "消息1" in unread and "消息0" not in unread


def test_inbox_paginates_with_a_flat_query_count(client, world):
    client.force_login(world.reporter)
    notices_for(world.reporter, 3)
    with CaptureQueriesContext(connection) as small:
        client.get(INBOX)
    notices_for(world.reporter, 60)
    with CaptureQueriesContext(connection) as large:
        page = client.get(INBOX).content.decode()
    assert len(large) == len(small)
    assert page.count('class="notice ') + page.count('class="notice"') == 20
    assert "第 1 / 3 页" in page  # 60 notices (the first three keys come again)


def test_inbox_can_put_unread_notices_first(client, world):
    """Toggle 未读在前: unread newest first, then read newest first; the page links keep it."""
    notices_for(world.reporter, 25)
    base = timezone.now()
    for i in range(25):
        Notice.objects.filter(recipient=world.reporter, title=f"消息{i}").update(
            created_at=base + datetime.timedelta(minutes=i),
            read_at=None if i in (2, 5) else base,
        )
    client.force_login(world.reporter)
    newest = list(client.get(INBOX).context["page"])
    assert [n.title for n in newest[:2]] == ["消息24", "消息23"]
    response = client.get(INBOX, {"sort": "unread"})
    titles = [n.title for n in response.context["page"]]
    assert titles[:3] == ["消息5", "消息2", "消息24"]
    html = response.content.decode()
    assert "sort=unread&amp;page=2" in html and "按时间排序（最新在前）" in html
    second = [n.title for n in client.get(INBOX, {"sort": "unread", "page": 2}).context["page"]]
    assert second == ["消息6", "消息4", "消息3", "消息1", "消息0"]
    with CaptureQueriesContext(connection) as sorted_queries:
        client.get(INBOX, {"sort": "unread"})
    with CaptureQueriesContext(connection) as plain:
        client.get(INBOX)
    assert len(sorted_queries) == len(plain)


def test_opening_a_notice_marks_it_read_and_goes_to_its_page(client, world):
    notices_for(world.reporter, 1, url="/plans/")
    notice = Notice.objects.get()
    client.force_login(world.reporter)
    response = client.post(reverse("notifications:notice_open", args=[notice.pk]))
    assert response.status_code == 302 and response["Location"] == "/plans/"
    notice.refresh_from_db()
    assert notice.is_read


def test_someone_elses_notice_is_404_and_stays_unread(client, world):
    notices_for(world.reporter, 1)
    notice = Notice.objects.get()
    client.force_login(world.hr_reporter)
    for name in ("notifications:notice_open", "notifications:notice_read"):
        assert client.post(reverse(name, args=[notice.pk])).status_code == 404
    notice.refresh_from_db()
    assert not notice.is_read


def test_mark_one_and_all_read(client, world):
    notices_for(world.reporter, 3)
    notices_for(world.hr_reporter, 1)
    first = Notice.objects.filter(recipient=world.reporter).first()
    client.force_login(world.reporter)
    client.post(reverse("notifications:notice_read", args=[first.pk]), {"next": "//evil.test/"})
    assert Notice.objects.filter(recipient=world.reporter, read_at__isnull=True).count() == 2
    response = client.post(reverse("notifications:notice_read_all"))
    assert response.status_code == 302
    assert not Notice.objects.filter(recipient=world.reporter, read_at__isnull=True).exists()
    assert Notice.objects.filter(recipient=world.hr_reporter, read_at__isnull=True).count() == 1


def test_settings_save_opt_outs_but_not_required_kinds(client, world):
    client.force_login(world.reporter)
    page = client.get(reverse("notifications:settings")).content.decode()
    assert "本角色必须接收（不能关闭）" in page and "报告被退回" in page
    response = client.post(
        reverse("notifications:settings"),
        {"email_mode": "digest", "email_kinds": [Kind.TASK_CHANGED]},
    )
    assert response.status_code == 302
    prefs = NotificationSettings.objects.get(user=world.reporter)
    assert prefs.email_mode == "digest"
    assert Kind.REPORT_ACCEPTED in prefs.email_disabled_kinds
    assert Kind.TASK_CHANGED not in prefs.email_disabled_kinds
    assert Kind.REPORT_RETURNED not in prefs.email_disabled_kinds  # required for reporters
    # A required kind is not even offered: posting it is refused.
    response = client.post(
        reverse("notifications:settings"),
        {"email_mode": "immediate", "email_kinds": [Kind.REPORT_RETURNED]},
    )
    assert response.status_code == 200
    assert NotificationSettings.objects.get(user=world.reporter).email_mode == "digest"


def test_settings_refuse_a_bad_mode_and_change_nothing(client, world):
    client.force_login(world.reporter)
    response = client.post(reverse("notifications:settings"), {"email_mode": "never"})
    assert response.status_code == 200
    assert "field__error" in response.content.decode()
    assert not NotificationSettings.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("reporter", 403), ("leader", 403), ("neutral_supervisor", 403), ("head", 200)],
)
def test_only_department_heads_set_their_units_bots(client, world, who, status):
    client.force_login(getattr(world, who))
    assert client.get(reverse("notifications:unit_webhooks")).status_code == status


def test_head_sets_the_units_dingtalk_bot(client, world):
    client.force_login(world.head)
    url = reverse("notifications:unit_webhooks")
    data = {
        "wecom-url": "",
        "dingtalk-url": "https://bot.test/robot/send?access_token=abc",
        "dingtalk-secret": "SECabc",
        "dingtalk-is_active": "on",
        "dingtalk-kinds": [Kind.OVERDUE, Kind.DUE_TODAY],
    }
    assert client.post(url, data).status_code == 302
    bot = UnitWebhook.objects.get()
    assert (bot.department, bot.channel, bot.secret) == (world.edu, "dingtalk", "SECabc")
    assert Kind.OVERDUE not in bot.disabled_kinds and Kind.REPORT_ACCEPTED in bot.disabled_kinds
    # Clearing the address removes the bot.
    assert client.post(url, {"wecom-url": "", "dingtalk-url": ""}).status_code == 302
    assert not UnitWebhook.objects.exists()


def test_plain_http_bot_address_is_refused_beside_the_field(client, world):
    client.force_login(world.head)
    response = client.post(
        reverse("notifications:unit_webhooks"),
        {"wecom-url": "http://bot.test/send?key=1", "wecom-is_active": "on", "dingtalk-url": ""},
    )
    assert response.status_code == 200
    assert "Webhook 地址必须以 https:// 开头。" in response.content.decode()
    assert not UnitWebhook.objects.exists()


def test_unsubscribe_link_works_without_signing_in(client, world):
    url = reverse(
        "notifications:unsubscribe", args=[unsubscribe_token(world.reporter.pk, Kind.TASK_CHANGED)]
    )
    assert "确认不再通过邮件接收" in client.get(url).content.decode()
    assert not NotificationSettings.objects.exists()  # a GET (a mail scanner) changes nothing
    assert "已退订" in client.post(url).content.decode()
    prefs = NotificationSettings.objects.get(user=world.reporter)
    assert prefs.email_disabled_kinds == [Kind.TASK_CHANGED]


def test_required_mail_cannot_be_unsubscribed(client, world):
    token = unsubscribe_token(world.reporter.pk, Kind.REPORT_RETURNED)
    page = client.post(reverse("notifications:unsubscribe", args=[token])).content.decode()
    assert "不能退订" in page
    assert not NotificationSettings.objects.exists()


def test_forged_unsubscribe_token_is_404(client, world):
    token = unsubscribe_token(world.reporter.pk, Kind.TASK_CHANGED)[:-2] + "xx"
    response = client.post(reverse("notifications:unsubscribe", args=[token]))
    assert response.status_code == 404
    assert not NotificationSettings.objects.exists()
