"""Throttles beyond django-axes' username+IP lock-out, counted from the audit trail.

- Password spraying: many failed sign-ins from one IP across any usernames. Axes locks a
  username+IP pair (so an office behind one NAT address is not locked out by one person), which
  leaves one IP free to try a few passwords on every name. Past LOGIN_IP_FAILURE_LIMIT failures
  in THROTTLE_WINDOW every sign-in from that IP is refused until the window has passed.
- Self-service password reset: past PASSWORD_RESET_IP_LIMIT requests from one IP the form is
  refused; an account is sent at most PASSWORD_RESET_MAIL_LIMIT reset mails per window.
- The password-change form: past PASSWORD_CHANGE_FAILURE_LIMIT wrong old passwords in the
  window the form is refused, so a hijacked session cannot guess the password it does not know.

Counting `SecurityEvent` rows keeps the rule shared by every gunicorn worker and host, and each
refusal is itself audited.
"""

from django.conf import settings
from django.utils import timezone

from departments.models import SecurityEvent
from huancui_vet.client_ip import client_ip


def _since():
    return timezone.now() - settings.THROTTLE_WINDOW


def _recent(kind, **filters):
    """How many `kind` events matching `filters` fall within the throttle window."""
    return SecurityEvent.objects.filter(kind=kind, at__gte=_since(), **filters).count()


def _ip_count(request, kind):
    ip = client_ip(request)
    return 0 if ip is None else _recent(kind, ip_address=ip)


def login_ip_throttled(request):
    """True when the request's IP has too many recent failed sign-ins (any usernames)."""
    failures = _ip_count(request, SecurityEvent.Kind.LOGIN_FAILED)
    return failures >= settings.LOGIN_IP_FAILURE_LIMIT


def password_change_throttled(user):
    """True when the user has typed too many wrong old passwords recently."""
    failures = _recent(SecurityEvent.Kind.PASSWORD_CHANGE_FAILED, user=user)
    return failures >= settings.PASSWORD_CHANGE_FAILURE_LIMIT


def password_reset_ip_throttled(request):
    """True when the IP asked for too many reset mails recently (any addresses)."""
    requests = _ip_count(request, SecurityEvent.Kind.PASSWORD_RESET_REQUESTED)
    return requests >= settings.PASSWORD_RESET_IP_LIMIT


def password_reset_mail_throttled(user):
    """True when the account was sent too many reset mails recently (mail bombing)."""
    mails = _recent(SecurityEvent.Kind.PASSWORD_RESET_MAILED, user=user)
    return mails >= settings.PASSWORD_RESET_MAIL_LIMIT


def window_minutes():
    return int(settings.THROTTLE_WINDOW.total_seconds() // 60)
