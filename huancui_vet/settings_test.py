"""Test settings: the production module with fast, deterministic overrides."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-" + "y" * 20)
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")

from huancui_vet.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The manifest storage needs collectstatic; a dedicated test runs collectstatic with it.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = tempfile.mkdtemp(prefix="huancui-media-")
STATIC_ROOT = tempfile.mkdtemp(prefix="huancui-static-")
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": "WARNING"},
    "filters": {"db_outage": {"()": "huancui_vet.faults.OneLinePerOutageFilter"}},
    "loggers": {"django.request": {"filters": ["db_outage"]}},
}
# Jobs run synchronously where they are started: tests are deterministic (the thread and the
# Celery paths have their own tests in jobs/tests/).
JOBS_RUN_INLINE = os.environ.get("JOBS_RUN_INLINE", "true").lower() in ("1", "true", "yes")
CELERY_BROKER_URL = ""  # never the developer's broker: notifications would enqueue to it
