"""WSGI entry for bench/run.py: the production application with bench/bench_urls.py."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huancui_vet.settings")

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
settings.ROOT_URLCONF = "bench_urls"
