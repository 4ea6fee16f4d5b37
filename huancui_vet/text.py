"""Text helpers with no Django dependency."""

import re

_WHITESPACE = re.compile(r"[\s\u3000\u00a0\ufeff]+")


def compact(text):
    """The text without any whitespace (names never contain spaces in these documents)."""
    return _WHITESPACE.sub("", str(text or ""))
