"""Sending one outbox row: a mail through Django's backend, or a group-bot post (stdlib).

Every function raises `DeliveryError` (or the backend's own exception) on failure; the
caller records it and retries later. Webhook posts have a timeout, so a hanging bot
cannot stall the sender.
"""

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.urls import reverse

from notifications.models import Channel

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


class DeliveryError(Exception):
    pass


def portal_link(path):
    return settings.PORTAL_BASE_URL.rstrip("/") + path if path else ""


def unsubscribe_token(user_id, kind):
    """A signed token naming the user and the kind to stop ("*": every optional kind)."""
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token):
    """(user_id, kind) or None for a forged or mangled token."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return int(data["u"]), str(data["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def unsubscribe_link(user_id, kind):
    token = unsubscribe_token(user_id, kind)
    return portal_link(reverse("notifications:unsubscribe", kwargs={"token": token}))


def mail_text(delivery):
    lines = [delivery.body.strip(), ""]
    if delivery.url:
        lines.append(f"在平台中查看：{portal_link(delivery.url)}")
    lines += [
        "",
        "—— 环翠区职业教育创新发展高地建设任务推进督查平台（本邮件由系统自动发送）",
        f"不想再收到此类邮件：{unsubscribe_link(delivery.recipient_id, delivery.kind)}",
    ]
    return "\n".join(lines)


def send_mail(delivery):
    if not delivery.recipient.email:
        raise DeliveryError("收件人没有电子邮箱地址")
    message = EmailMessage(
        subject=f"[督查平台] {delivery.subject}",
        body=mail_text(delivery),
        to=[delivery.recipient.email],
        headers={"List-Unsubscribe": f"<{unsubscribe_link(delivery.recipient_id, delivery.kind)}>"},
    )
    message.send(fail_silently=False)


def markdown_text(delivery):
    body = delivery.body.strip().replace("\n", "\n\n")
    text = f"### {delivery.subject}\n\n{body}"
    if delivery.url:
        text += f"\n\n[在平台中查看]({portal_link(delivery.url)})"
    return text


def dingtalk_sign(secret, timestamp_ms):
    """DingTalk's signature: base64(HmacSHA256(key=secret, "timestamp\\nsecret")), url-encoded."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def dingtalk_url(url, secret, timestamp_ms=None):
    if not secret:
        return url
    timestamp_ms = timestamp_ms or int(time.time() * 1000)
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def webhook_payload(delivery):
    text = markdown_text(delivery)
    if delivery.channel == Channel.DINGTALK:
        return {"msgtype": "markdown", "markdown": {"title": delivery.subject, "text": text}}
    return {"msgtype": "markdown", "markdown": {"content": text}}


def post_webhook(delivery):
    bot = delivery.webhook
    url = dingtalk_url(bot.url, bot.secret) if bot.channel == Channel.DINGTALK else bot.url
    if not url.startswith(("https://", "http://")):
        raise DeliveryError("Webhook 地址无效")
    data = json.dumps(webhook_payload(delivery), ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url, data=data, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(  # noqa: S310 - http(s) only, checked above
            request, timeout=settings.NOTIFY_WEBHOOK_TIMEOUT
        ) as response:
            answer = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise DeliveryError(f"连接失败：{exc}") from None
    # Both bots answer 200 with {"errcode": 0} on success and a non-zero errcode otherwise.
    try:
        errcode = json.loads(answer or b"{}").get("errcode", 0)
    except (ValueError, AttributeError):
        errcode = 0
    if errcode:
        raise DeliveryError(f"机器人返回错误：{answer[:300].decode('utf-8', 'replace')}")


def deliver(delivery):
    if delivery.channel == Channel.EMAIL:
        send_mail(delivery)
    else:
        post_webhook(delivery)
