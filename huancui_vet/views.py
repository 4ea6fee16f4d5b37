from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseBadRequest, HttpResponseForbidden, HttpResponseServerError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from huancui_vet import faults
from huancui_vet.health import health_response
from huancui_vet.signals import access_denied


@require_safe
def home(request):
    """Send each user to the page their permissions make them work from."""
    user = request.user
    if user.has_perm("reports.submit_report"):
        return redirect("reports:my_tasks")
    if user.has_perm("reports.review_report") and not user.is_staff:
        return redirect("reports:review_queue")
    if user.has_perm("reports.view_dashboard"):
        return redirect("supervision:dashboard")
    return render(request, "no_role.html", status=403)


@login_not_required
@never_cache
def healthz(request):
    """Normally answered by HealthCheckMiddleware; kept so the URL can be reversed."""
    return health_response()


def permission_denied(request, exception=None):
    # The audit trail lives in departments (above this package): it listens for the signal.
    access_denied.send(sender=None, request=request)
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
