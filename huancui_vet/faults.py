"""Failing calmly: database outages and session saves that fail after a committed write.

During a database outage every request must get the Chinese 503 page, rendered without
touching the database (no session, no user, no context processors), and leave exactly one
log line — not a traceback per middleware layer that tried the database again.

How: the 500 handler recognises a database error, marks the request (`request.db_outage`)
and renders `errors/503.html` from the template alone. Layers that would touch the database
on the way out (session save, the signed-in check for Cache-Control) skip a marked request,
and `OneLinePerOutageFilter` reduces the `django.request` record to one line per request.
Recovery needs nothing: `CONN_HEALTH_CHECKS` replaces the broken connection on the next
request.
"""

import logging
import sys

from django.conf import settings
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import DatabaseError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static

logger = logging.getLogger("huancui_vet.faults")

OUTAGE_RETRY_AFTER_SECONDS = 10


def is_database_error(exc):
    return isinstance(exc, DatabaseError)


def mark_outage(request):
    if request is not None:
        request.db_outage = True


def in_outage(request):
    return getattr(request, "db_outage", False)


def error_page_html(template_name, **context):
    """Render a standalone error page (templates/errors/) from the template alone.

    No request, no context processors, no database. The stylesheet's URL falls back to the
    unhashed name when the static manifest is missing, so an error page never fails itself.
    """
    try:
        stylesheet = static("css/portal.css")
    except ValueError:
        stylesheet = settings.STATIC_URL.rstrip("/") + "/css/portal.css"
    return render_to_string(template_name, {"stylesheet": stylesheet, **context})


def outage_response():
    """The 503 page from the template alone: safe to render while the database is down."""
    response = HttpResponse(error_page_html("errors/503.html"), status=503)
    response["Retry-After"] = str(OUTAGE_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def current_exception():
    """The exception being handled (Django calls handler500 inside its `except` block)."""
    return sys.exc_info()[1]


class OneLinePerOutageFilter(logging.Filter):
    """Turn a database-outage `django.request` record into one line, once per request.

    The first record of a request whose failure was a database error loses its traceback and
    names the error class instead; any later record for the same request is dropped.
    """

    def filter(self, record):
        request = getattr(record, "request", None)
        exc = record.exc_info[1] if record.exc_info else None
        if not in_outage(request) and not is_database_error(exc):
            return True
        if getattr(request, "db_outage_logged", False):
            return False
        if request is not None:
            request.db_outage_logged = True
        error = exc.__class__.__name__ if exc is not None else "DatabaseError"
        first_line = str(exc).strip().splitlines()[0][:200] if exc is not None and str(exc) else ""
        record.msg = "database unavailable: %s %s (%s: %s)"
        record.args = (
            getattr(request, "method", "-"),
            getattr(request, "path", "-"),
            error,
            first_line,
        )
        record.exc_info = None
        record.exc_text = None
        return True


class ResilientSessionMiddleware(SessionMiddleware):
    """Never turn a finished response into an error because the session could not be saved.

    The session is saved after the view has committed its work. If that save fails (the
    database went away, or the session row was deleted meanwhile), answering 400/500 would
    tell the user their report was not saved when it was. Instead the response the view built
    stands — it reflects the committed data — and the failure is logged on one line. During a
    marked outage the save is not even attempted.
    """

    def process_response(self, request, response):
        if in_outage(request):
            return response
        try:
            return super().process_response(request, response)
        except (DatabaseError, SessionInterrupted) as exc:
            logger.warning(
                "session not saved after %s %s answered %s: %s",
                request.method,
                request.path,
                response.status_code,
                exc.__class__.__name__,
            )
            return response
