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
