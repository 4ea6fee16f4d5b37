"""Log forging: a newline typed into a username or URL never writes a second log line."""

import json
import logging
import re

from django.test import Client

from huancui_vet.logs import EscapingFormatter, JsonFormatter

FORGED = "eve\n2026-11-30 10:00:00 INFO huancui_vet.security security event=login user=admin"


def capture(formatter, logger_names):
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    handler = Keep()
    handler.setFormatter(formatter)
    loggers = [logging.getLogger(name) for name in logger_names]
    for logger in loggers:
        logger.addHandler(handler)
    return records, lambda: [logger.removeHandler(handler) for logger in loggers]


def test_a_forged_username_stays_on_one_escaped_line(db):
    lines, done = capture(EscapingFormatter("%(levelname)s %(message)s"), ["huancui_vet.security"])
    logging.getLogger("huancui_vet.security").setLevel(logging.INFO)
    try:
        Client().post("/accounts/login/", {"username": FORGED, "password": "x"})
    finally:
        done()
    failed = [line for line in lines if "login_failed" in line]
    assert len(failed) == 1
    assert "\n" not in failed[0]
    assert "eve\\n2026-11-30" in failed[0]


def test_a_forged_url_stays_on_one_line_in_the_request_log(db):
    lines, done = capture(EscapingFormatter("%(message)s"), ["django.request"])
    try:
        Client().get("/no-such-page%0Aforged%20line")
    finally:
        done()
    assert lines and all("\n" not in line for line in lines)
    assert any("\\nforged line" in line for line in lines)


def test_json_lines_escape_every_field(db):
    lines, done = capture(JsonFormatter(), ["huancui_vet.security"])
    logging.getLogger("huancui_vet.security").setLevel(logging.INFO)
    try:
        Client().post("/accounts/login/", {"username": FORGED, "password": "x"})
    finally:
        done()
    assert lines and all("\n" not in line for line in lines)
    parsed = [json.loads(line) for line in lines]
    failed = [p for p in parsed if "login_failed" in p["message"]]
    assert len(failed) == 1 and FORGED in failed[0]["message"]
    assert failed[0]["logger"] == "huancui_vet.security"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", failed[0]["time"])


def test_plain_lines_carry_an_iso_time_with_offset(db):
    lines, done = capture(EscapingFormatter("%(asctime)s %(message)s"), ["huancui_vet.security"])
    logging.getLogger("huancui_vet.security").setLevel(logging.INFO)
    try:
        Client().post("/accounts/login/", {"username": "someone", "password": "x"})
    finally:
        done()
    stamp = lines[0].split(" ", 1)[0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", stamp)
    assert "ip=127.0.0.1" in lines[0] and "user=someone" in lines[0]
