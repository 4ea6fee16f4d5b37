"""Self-service password reset by e-mail: Chinese mail, one-time link, throttled, audited."""

import re

from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from departments.models import SecurityEvent, User

RESET = reverse("password_reset")


def with_email(user, address):
    user.email = address
    user.save(update_fields=["email"])
    return user


def test_reset_mail_in_chinese_sets_a_new_password_once(client, world):
    with_email(world.reporter, "zhang@example.cn")
    response = client.post(RESET, {"email": "ZHANG@example.cn"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["zhang@example.cn"] and "重置密码" in message.subject
    assert "张填报，您好" in message.body
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert "设置新密码" in form_page.text
    new = {"new_password1": "Xk2-new-passphrase-9", "new_password2": "Xk2-new-passphrase-9"}
    done = client.post(form_page.redirect_chain[-1][0], new)
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    assert User.objects.get(pk=world.reporter.pk).check_password("Xk2-new-passphrase-9")
    assert "链接已失效" in client.get(link, follow=True).text  # one use only
    kinds = set(SecurityEvent.objects.values_list("kind", flat=True))
    assert {
        SecurityEvent.Kind.PASSWORD_RESET_REQUESTED,
        SecurityEvent.Kind.PASSWORD_RESET_MAILED,
        SecurityEvent.Kind.PASSWORD_RESET_DONE,
    } <= kinds


def test_unknown_address_gets_the_same_answer_and_no_mail(client, world):
    response = client.post(RESET, {"email": "nobody@example.cn"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_inactive_account_gets_no_mail(client, world):
    with_email(world.reporter, "zhang@example.cn")
    world.reporter.is_active = False
    world.reporter.save(update_fields=["is_active"])
    client.post(RESET, {"email": "zhang@example.cn"})
    assert mail.outbox == []


@override_settings(PASSWORD_RESET_MAIL_LIMIT=2, PASSWORD_RESET_IP_LIMIT=100)
def test_one_account_gets_at_most_the_limit_of_mails(world):
    with_email(world.reporter, "zhang@example.cn")
    for n in range(4):
        Client(REMOTE_ADDR=f"10.1.1.{n}").post(RESET, {"email": "zhang@example.cn"})
    assert len(mail.outbox) == 2


@override_settings(PASSWORD_RESET_IP_LIMIT=3)
def test_one_address_is_paused_after_the_limit_and_audited(client, world):
    for n in range(3):
        assert client.post(RESET, {"email": f"x{n}@example.cn"}).status_code == 302
    refused = client.post(RESET, {"email": "x9@example.cn"})
    assert refused.status_code == 429 and "申请重置密码次数过多" in refused.text
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.THROTTLED).count() == 1
    assert Client(REMOTE_ADDR="10.9.9.9").post(RESET, {"email": "x@example.cn"}).status_code == 302


def test_login_page_links_to_the_reset_page(client, world):
    assert reverse("password_reset") in client.get(reverse("login")).text


def test_reset_post_without_csrf_token_is_refused(world):
    with_email(world.reporter, "zhang@example.cn")
    response = Client(enforce_csrf_checks=True).post(RESET, {"email": "zhang@example.cn"})
    assert response.status_code == 403 and mail.outbox == []
