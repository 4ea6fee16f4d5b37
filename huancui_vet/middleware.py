import time

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers

from huancui_vet.faults import error_page_html, in_outage
from huancui_vet.health import health_response


class HealthCheckMiddleware:
    """Answer /healthz before host validation and the HTTPS redirect.

    Load balancers and the container HEALTHCHECK call the server by its IP over plain HTTP;
    they must get the real database check, not a 400 (unknown host) or a 301 (to HTTPS).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz":
            return health_response()
        return self.get_response(request)


class NoStoreForAuthenticatedMiddleware:
    """Keep signed-in pages out of browser and proxy caches.

    Every page behind the login shows department data; a shared office computer's back
    button or disk cache must not replay it after sign-out. Views that set their own
    Cache-Control (downloads, health check) keep it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if in_outage(request):
            return response  # the outage page sets no-store itself; request.user needs the DB
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response


class RequestSizeLimitMiddleware:
    """Refuse a request body larger than any upload the portal accepts, before it is read.

    The upload forms check sizes too, but only after Django has spooled the whole body to
    disk (the CSRF check reads it first); this stops a multi-GB POST at its header. A proxy
    in front (client_max_body_size) does the same earlier and is still recommended.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            limit_mb = settings.MAX_REQUEST_BYTES // (1024 * 1024)
            return HttpResponse(
                error_page_html("errors/413.html", limit_mb=limit_mb),
                status=413,
            )
        return self.get_response(request)


SESSION_SAVED_AT = "_saved_at"  # epoch seconds of the session's last save


class SlidingSessionMiddleware:
    """Slide the idle timeout without writing the session on every request.

    SESSION_SAVE_EVERY_REQUEST made every signed-in request an UPDATE and a COMMIT. Instead
    the session is saved — which pushes its expiry to now + SESSION_COOKIE_AGE — only when
    SESSION_REFRESH_SECONDS have passed since its last save. An active user writes at most
    once per interval; an idle one is still signed out after the idle timeout (at the
    earliest SESSION_REFRESH_SECONDS before it). Runs before the view, so a sign-out wins.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and not in_outage(request) and not session.is_empty():
            now = int(time.time())
            saved_at = session.get(SESSION_SAVED_AT)
            if saved_at is None or now - saved_at >= settings.SESSION_REFRESH_SECONDS:
                session[SESSION_SAVED_AT] = now  # marks the session modified: saved once
        return self.get_response(request)


def stamp_session_at_login(sender, request, user, **kwargs):
    """user_logged_in receiver: the login saves the session anyway, so it starts the refresh
    interval (otherwise the first page after signing in would write the session again)."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_SAVED_AT] = int(time.time())
