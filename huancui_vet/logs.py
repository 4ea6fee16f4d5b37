"""Log formatters that keep one record on one line, whatever the user typed.

A username or URL with a newline must not write a forged line into the security log, so every
field (the message with its arguments, and the request path Django adds) is escaped: control
characters become `\\n`, `\\x1b`, … . `JsonFormatter` (LOG_FORMAT=json) writes one JSON object
per line for log collectors; JSON escaping covers the same characters.
"""

import json
import logging
from datetime import UTC, datetime


def escape_control(text):
    """Escape control characters (newline, carriage return, escape, …) but keep Chinese text."""
    return "".join(
        ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
        for ch in str(text)
    )


def iso_time(record):
    """The record's time in ISO 8601 with the UTC offset (2026-11-30T21:58:20.123+08:00)."""
    local = datetime.fromtimestamp(record.created, tz=UTC).astimezone()
    return local.isoformat(timespec="milliseconds")


class EscapingFormatter(logging.Formatter):
    """The plain formatter with the message escaped and ISO times with their offset.

    Tracebacks stay multi-line as written.
    """

    def formatTime(self, record, datefmt=None):  # noqa: N802 - logging's API name
        return iso_time(record)

    def formatMessage(self, record):
        record.message = escape_control(record.message)
        return super().formatMessage(record)


class JsonFormatter(logging.Formatter):
    def format(self, record):
        payload = {
            "time": iso_time(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            payload["path"] = request.path
        status = getattr(record, "status_code", None)
        if status is not None:
            payload["status"] = status
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)
