"""The Celery app: background jobs (the `jobs` app) and notification delivery on worker hosts.

Used only when `CELERY_BROKER_URL` is set (Redis); without it the portal runs jobs in a
background thread of the web process (`jobs.dispatch`), so `make run` needs no other service.
Worker settings come from Django's settings (the `CELERY_` names in settings.py). Task
modules are each app's `celery_tasks.py` (not `tasks.py`: `tasks` is the plan app's name).

Start a worker:  celery -A huancui_vet worker --loglevel=INFO --concurrency=2
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huancui_vet.settings")

app = Celery("huancui_vet")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(related_name="celery_tasks")
