"""Settings for the real Celery worker test: a file database and Redis, from the environment."""

import os

from huancui_vet.settings_test import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "jobs.tests.slow_app.apps.SlowJobsConfig"]  # noqa: F405
CELERY_BROKER_URL = os.environ["CELERY_BROKER_URL"]
JOBS_RUN_INLINE = False
MEDIA_ROOT = os.environ["MEDIA_ROOT"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
}
