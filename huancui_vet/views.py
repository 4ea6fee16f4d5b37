from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseBadRequest, HttpResponseForbidden, HttpResponseServerError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from departments.models import Role
from huancui_vet import faults
from huancui_vet.health import health_response


@require_safe
def home(request):
    """Send each role to the page it works from."""
    role = request.user.role
    if role in (Role.REPORTER, Role.HEAD):
        return redirect("reports:my_tasks")
    if role == Role.SUPERVISOR:
        return redirect("reports:review_queue")
    if role in (Role.LEADER, Role.ADMINISTRATOR):
        return redirect("supervision:dashboard")
    return render(request, "no_role.html", status=403)


@login_not_required
@never_cache
def healthz(request):
    """Normally answered by HealthCheckMiddleware; kept so the URL can be reversed."""
    return health_response()


def permission_denied(request, exception=None):
    from departments.audit import security_event_record
    from departments.models import SecurityEvent

    security_event_record(kind=SecurityEvent.Kind.ACCESS_DENIED, request=request)
    return render(request, "errors/403.html", status=403)


@login_not_required
def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


@login_not_required
def server_error(request):
    """The 500 page, or the 503 outage page when the database is what failed.

    Neither touches the database or the session: both render from the template alone, so a
    signed-in user during an outage still gets a Chinese page rather than the server's bare
    English error.
    """
    if faults.is_database_error(faults.current_exception()):
        faults.mark_outage(request)
        return faults.outage_response()
    return HttpResponseServerError(faults.error_page_html("errors/500.html"))


@login_not_required
def bad_request(request, exception=None):
    # No request context: a bad Host header makes request.get_host() itself raise.
    return HttpResponseBadRequest(faults.error_page_html("errors/400.html"))


@login_not_required
def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the Chinese page instead of Django's English one; nothing saved."""
    return HttpResponseForbidden(faults.error_page_html("errors/csrf_failure.html"))
