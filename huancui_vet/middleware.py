from django.utils.cache import add_never_cache_headers

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
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
