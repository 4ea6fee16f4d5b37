"""The portal's URLs plus the signed-in trivial view bench/run.py measures every page against.

The trivial view goes through the full middleware stack (security headers, session read,
authentication, CSRF, CSP, audit, axes …) and login_required, then returns "ok" without a
template or a query of its own: the floor of any signed-in page on this installation.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path


@login_required
def trivial(request):
    return HttpResponse("ok")


urlpatterns = [path("bench/trivial/", trivial), path("", include("huancui_vet.urls"))]
