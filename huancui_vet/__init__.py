import os

# python-docx brings lxml, and openpyxl switches to lxml whenever it is importable: its
# workbook XML would then be parsed by lxml instead of defusedxml (security notes §B5) and
# written differently. Keep openpyxl on the standard library + defusedxml path. This module
# is imported before the settings, so it runs before anything imports openpyxl.
os.environ.setdefault("OPENPYXL_LXML", "False")

# The Celery app is loaded with Django, so `shared_task` functions bind to it and
# `celery -A huancui_vet worker` finds it (huancui_vet/celery.py).
from huancui_vet.celery import app as celery_app  # noqa: E402

__all__ = ["celery_app"]
