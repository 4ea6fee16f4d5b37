from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from departments.models import Role


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
    """Liveness plus a real database round-trip; 503 when the database cannot answer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return JsonResponse(
            {"status": "error", "database": "unavailable", "detail": exc.__class__.__name__},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok"})


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


@login_not_required
def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


@login_not_required
def server_error(request):
    return render(request, "errors/500.html", status=500)
