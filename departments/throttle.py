"""Throttles beyond django-axes' username+IP lock-out, counted from the audit trail.

- Password spraying: many failed sign-ins from one IP across any usernames. Axes locks a
  username+IP pair (so an office behind one NAT address is not locked out by one person), which
  leaves one IP free to try a few passwords on every name. Past LOGIN_IP_FAILURE_LIMIT failures
  in THROTTLE_WINDOW every sign-in from that IP is refused until the window has passed.
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


def login_ip_throttled(request):
    """True when the request's IP has too many recent failed sign-ins (any usernames)."""
    ip = client_ip(request)
    if ip is None:
        return False
    failures = SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.LOGIN_FAILED, ip_address=ip, at__gte=_since()
    ).count()
    return failures >= settings.LOGIN_IP_FAILURE_LIMIT


def password_change_throttled(user):
    """True when the user has typed too many wrong old passwords recently."""
    failures = SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.PASSWORD_CHANGE_FAILED, user=user, at__gte=_since()
    ).count()
    return failures >= settings.PASSWORD_CHANGE_FAILURE_LIMIT


def window_minutes():
    return int(settings.THROTTLE_WINDOW.total_seconds() // 60)
