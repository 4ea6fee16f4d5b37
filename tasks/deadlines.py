"""Reading the 完成时限 and 目标 cells of an attachment (pure functions).

"2021年底前" → 2021-12-31, "2022年6月" → 2022-06-30, "长期坚持" → no date (an open-ended
marker kept as written). Targets: "2022年：专业教师“双师型”比例：50%" (the export layout) or
free text ("到2022年，双师型教师占比达到50%") → year, value and unit where they can be read.
"""

import calendar
import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from huancui_vet.dates import chinese_date, chinese_month

OPEN_ENDED_DEADLINES = ("长期坚持", "持续推进", "长期", "持续", "常态化", "每年", "逐年")
_DEADLINE = re.compile(r"(20\d{2})\s*年(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?)?")
_EXPORTED_TARGET = re.compile(r"^(20\d{2})年[:：](.+?)(?:[:：](\d+(?:\.\d+)?)(\D{0,4}))?$")
_YEAR = re.compile(r"(20\d{2})\s*年")
_VALUE = re.compile(r"(\d+(?:\.\d+)?)\s*(%|％|个|所|家|人次|人|项|名|万元|亿元|门|本|次|处|支|套)")
_TARGET_SPLIT = re.compile(r"[\n；;。]+")


@dataclass
class Deadline:
    date: datetime.date | None
    text: str  # as written ("2021年底前", "长期坚持"), "" when the cell is empty
    readable: bool = True


def parse_deadline(value):
    """A 完成时限 cell as a Deadline; a date cell counts as written on that day."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return Deadline(value, deadline_text(value))
    text = str(value or "").strip()
    if not text:
        return Deadline(None, "")
    match = _DEADLINE.search(text)
    if match:
        year, month, day = (int(g) if g else None for g in match.groups())
        try:
            return Deadline(_last_day(year, month, day), text)
        except ValueError:
            return Deadline(None, text, readable=False)
    readable = any(marker in text for marker in OPEN_ENDED_DEADLINES)
    return Deadline(None, text, readable=readable)


def _last_day(year, month, day):
    if month is None:
        return datetime.date(year, 12, 31)
    if day is None:
        return datetime.date(year, month, calendar.monthrange(year, month)[1])
    return datetime.date(year, month, day)


def deadline_text(date):
    """How an attachment writes a date deadline: "2022年底前", "2022年6月底前"."""
    if (date.month, date.day) == (12, 31):
        return f"{date.year}年底前"
    if date.day == calendar.monthrange(date.year, date.month)[1]:
        return f"{chinese_month(date)}底前"
    return f"{chinese_date(date)}前"


@dataclass
class TargetText:
    year: int | None
    indicator: str
    value: Decimal | None
    unit: str
    sentence: str


def parse_targets(value):
    """A 目标 cell as TargetText items, one per line or sentence."""
    items = []
    for sentence in _TARGET_SPLIT.split(str(value or "")):
        sentence = sentence.strip(" \t\u3000，,")
        if sentence:
            items.append(_parse_target(sentence))
    return items


def _parse_target(sentence):
    exported = _EXPORTED_TARGET.match(sentence)
    if exported:
        year, indicator, number, unit = exported.groups()
        value = Decimal(number) if number else None
        return TargetText(int(year), indicator, value, (unit or "") if value else "", sentence)
    year = _YEAR.search(sentence)
    found = _VALUE.search(sentence)
    return TargetText(
        year=int(year.group(1)) if year else None,
        indicator=sentence,
        value=Decimal(found.group(1)) if found else None,
        unit=(found.group(2).replace("％", "%") if found else ""),
        sentence=sentence,
    )


def target_line(*, year, indicator, value_text):
    """One target in the export layout (read back exactly by parse_targets)."""
    return f"{year}年：{indicator}" + (f"：{value_text}" if value_text else "")
