"""Text helpers with no Django dependency."""

import re

_WHITESPACE = re.compile(r"[\s\u3000\u00a0\ufeff]+")


def compact(text):
    """The text without any whitespace (names never contain spaces in these documents)."""
    return _WHITESPACE.sub("", str(text or ""))


def plain_number(value) -> str:
    """A target or actual value as the plan writes it: 50, 32.5, 1 (never 32.50 or 1E+1).

    The one number format of targets and actuals: pages (the `figure` filter), the plan
    page (Target.display_value) and the workbook all call it.
    """
    from decimal import Decimal, InvalidOperation

    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return format(number.normalize(), "f")
