"""The security audit trail: who signed in, failed, was locked out or refused, imported, exported.

Each event is one `SecurityEvent` row plus a line on the `huancui_vet.security` logger.
Never pass secrets (passwords, session keys) in `detail`.
"""

import logging

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from departments.models import SecurityEvent
from huancui_vet.client_ip import client_ip
from huancui_vet.signals import access_denied

logger = logging.getLogger("huancui_vet.security")


def security_event_record(*, kind, request=None, user=None, username="", detail=""):
    """Append one audit event. `user` defaults to the request's signed-in user."""
    if user is None and request is not None:
        request_user = getattr(request, "user", None)
        if request_user is not None and request_user.is_authenticated:
            user = request_user
    username = (username or (user.get_username() if user is not None else ""))[:150]
    # Keep log lines on one line whatever the user typed (log injection).
    detail = " ".join(str(detail).split())[:500]
    event = SecurityEvent.objects.create(
        at=timezone.now(),
        kind=kind,
        user=user,
        username=username,
        ip_address=client_ip(request),
        path=(request.path[:300] if request is not None else ""),
        detail=detail,
    )
    logger.info(
        "security event=%s user=%s ip=%s path=%s detail=%s",
        kind,
        username or "-",
        event.ip_address or "-",
        event.path or "-",
        detail or "-",
    )
    return event


@receiver(user_logged_in, dispatch_uid="audit_user_logged_in")
def _on_logged_in(sender, request, user, **kwargs):
    security_event_record(kind=SecurityEvent.Kind.LOGIN, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="audit_user_logged_out")
def _on_logged_out(sender, request, user, **kwargs):
    if user is not None:
        security_event_record(kind=SecurityEvent.Kind.LOGOUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="audit_user_login_failed")
def _on_login_failed(sender, credentials, request=None, **kwargs):
    # `credentials` has the password already masked by Django; only the username is kept.
    security_event_record(
        kind=SecurityEvent.Kind.LOGIN_FAILED,
        request=request,
        username=str(credentials.get("username", "")),
    )


@receiver(access_denied, dispatch_uid="audit_access_denied")
def _on_access_denied(sender, request, **kwargs):
    security_event_record(kind=SecurityEvent.Kind.ACCESS_DENIED, request=request)


def _on_locked_out(sender, request, username, **kwargs):
    security_event_record(
        kind=SecurityEvent.Kind.LOCKED_OUT,
        request=request,
        username=str(username or ""),
        detail="连续多次密码错误，账号暂时锁定",
    )


def connect_lockout_receiver():
    from axes.signals import user_locked_out

    user_locked_out.connect(_on_locked_out, dispatch_uid="audit_user_locked_out")
