"""Cell-level helpers for the leadership workbook: styles, safe text, wrapped line counts.

The workbook is written in openpyxl's write-only mode so memory stays flat however many
rows a sheet streams. In that mode every styled value is a `WriteOnlyCell`; resolving a
Font/Fill/Alignment for each of 100,000 cells is slow, so each named style is resolved once
into a `StyleArray` and copied onto new cells.
"""

import datetime
import math
import re
from copy import copy
from dataclasses import dataclass
from decimal import Decimal

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from huancui_vet.xlsx import FORMULA_TRIGGERS, display_width

BODY_FONT = "宋体"
HEADING_FONT = "黑体"

# One search finds both problems in bulk text: a formula trigger at the start, or a control
# character XML cannot hold anywhere. Most text matches neither and passes untouched.
_NEEDS_CARE = re.compile(
    "^[" + re.escape("".join(FORMULA_TRIGGERS)) + "]|" + ILLEGAL_CHARACTERS_RE.pattern
)

DATE_FORMAT = 'yyyy"年"m"月"d"日"'
PERCENT_FORMAT = "0%"
# Averages and rates carry one decimal on the pages (78.3%); so do their cells.
PERCENT1_FORMAT = "0.0%"

_thin = Side(style="thin", color="808080")
_BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)

# Traffic-light fills (Excel's own "good / neutral / bad" colours, readable in greyscale print).
FILLS = {
    "green": PatternFill("solid", start_color="C6EFCE", end_color="C6EFCE"),
    "amber": PatternFill("solid", start_color="FFEB9C", end_color="FFEB9C"),
    "red": PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE"),
    "grey": PatternFill("solid", start_color="EDEDED", end_color="EDEDED"),
    "header": PatternFill("solid", start_color="D9E1F2", end_color="D9E1F2"),
}

_STYLE_SPECS = {
    "title": {
        "font": Font(name=HEADING_FONT, size=16, bold=True),
        "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True),
    },
    "subtitle": {
        "font": Font(name=BODY_FONT, size=11),
        "alignment": Alignment(horizontal="center", vertical="center"),
    },
    "section": {
        "font": Font(name=HEADING_FONT, size=12, bold=True),
        "alignment": Alignment(horizontal="left", vertical="center"),
    },
    "header": {
        "font": Font(name=HEADING_FONT, size=11, bold=True),
        "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "fill": FILLS["header"],
        "border": _BORDER,
    },
    "text": {
        "font": Font(name=BODY_FONT, size=10.5),
        "alignment": Alignment(horizontal="left", vertical="center", wrap_text=True),
        "border": _BORDER,
    },
    "center": {
        "font": Font(name=BODY_FONT, size=10.5),
        "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "border": _BORDER,
    },
    "number": {
        "font": Font(name=BODY_FONT, size=10.5),
        "alignment": Alignment(horizontal="right", vertical="center"),
        "border": _BORDER,
    },
    "score": {
        "font": Font(name=BODY_FONT, size=10.5),
        "alignment": Alignment(horizontal="right", vertical="center"),
        "border": _BORDER,
        "number_format": "0.0",
    },
    "percent": {
        "font": Font(name=BODY_FONT, size=10.5),
        "alignment": Alignment(horizontal="right", vertical="center"),
        "border": _BORDER,
        "number_format": PERCENT_FORMAT,
    },
    "percent1": {
        "font": Font(name=BODY_FONT, size=10.5),
        "alignment": Alignment(horizontal="right", vertical="center"),
        "border": _BORDER,
        "number_format": PERCENT1_FORMAT,
    },
    "date": {
        "font": Font(name=BODY_FONT, size=10.5),
        "alignment": Alignment(horizontal="center", vertical="center"),
        "border": _BORDER,
        "number_format": DATE_FORMAT,
    },
    "label": {
        "font": Font(name=HEADING_FONT, size=11),
        "alignment": Alignment(horizontal="left", vertical="center"),
    },
    "plain": {
        "font": Font(name=BODY_FONT, size=11),
        "alignment": Alignment(horizontal="left", vertical="center"),
    },
    "date_plain": {
        "font": Font(name=BODY_FONT, size=11),
        "alignment": Alignment(horizontal="left", vertical="center"),
        "number_format": DATE_FORMAT,
    },
    "bare": {
        "alignment": Alignment(vertical="center"),
    },
    "bare_percent": {
        "alignment": Alignment(horizontal="right", vertical="center"),
        "number_format": PERCENT_FORMAT,
    },
    "bare_date": {
        "alignment": Alignment(horizontal="center", vertical="center"),
        "number_format": DATE_FORMAT,
    },
    "note": {
        "font": Font(name=BODY_FONT, size=10, italic=True, color="595959"),
        "alignment": Alignment(horizontal="left", vertical="center", wrap_text=True),
    },
}
for _light in ("green", "amber", "red", "grey"):
    _STYLE_SPECS[f"status_{_light}"] = {**_STYLE_SPECS["center"], "fill": FILLS[_light]}


def wrapped_lines(value, width, *, slack=1.0):
    """How many printed lines `value` takes in a wrapped column `width` characters wide.

    `slack` < 1 assumes a narrower column: fonts substituted for 宋体 (WPS, LibreOffice) set
    CJK text up to ~10% wider than Excel, and long texts are where that adds up to a lost line.
    """
    if value is None or value == "":
        return 1
    usable = max(1, (width - 1) * slack)
    return sum(max(1, math.ceil(display_width(line) / usable)) for line in str(value).split("\n"))


def clean_text(value):
    """Drop control characters that XML (and so xlsx) cannot hold; keep tab, CR and LF."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


@dataclass
class StyledCells:
    """Makes styled WriteOnlyCells for one worksheet from pre-resolved style arrays."""

    ws: object

    def __post_init__(self):
        self._arrays = {}
        for name, spec in _STYLE_SPECS.items():
            probe = WriteOnlyCell(self.ws)
            for attribute, value in spec.items():
                setattr(probe, attribute, value)
            self._arrays[name] = probe._style
            quoted = WriteOnlyCell(self.ws)
            quoted._style = copy(probe._style)
            quoted.quotePrefix = True
            self._arrays[name + "+quoted"] = quoted._style

    def cell(self, value, style="text"):
        """One styled cell. Every str goes through here or `value`, so typed text never
        becomes a formula."""
        cell = WriteOnlyCell(self.ws)
        if isinstance(value, str):
            value = clean_text(value)
            cell.value = value
            if value.startswith(FORMULA_TRIGGERS):
                # Excel's leading apostrophe: stored as a string, shown unchanged.
                cell.data_type = "s"
                cell._style = copy(self._arrays[style + "+quoted"])
                return cell
        elif isinstance(value, Decimal):
            cell.value = float(value)
        elif isinstance(value, datetime.datetime):
            # Excel has no time zones; the caller passes local dates, but be defensive.
            cell.value = value.replace(tzinfo=None)
        else:
            cell.value = value
        cell._style = copy(self._arrays[style])
        return cell

    def value(self, value):
        """An unstyled value for bulk rows: plain values pass through untouched (the cheap
        path openpyxl writes fastest); formula-like text becomes a quoted text cell."""
        if isinstance(value, str) and _NEEDS_CARE.search(value):
            value = clean_text(value)
            if value.startswith(FORMULA_TRIGGERS):
                return self.cell(value, "bare")
        return value


def use_default_font(wb, name=BODY_FONT, size=10.5):
    """Make `name` the workbook's default font, so unstyled cells print in a Chinese font.

    openpyxl has no public setter: the default (fontId 0) is the first entry of wb._fonts.
    """
    fonts = wb._fonts
    default = Font(name=name, sz=size, family=3, charset=134)  # 134 = GB2312
    wb._fonts = type(fonts)([default, *list(fonts)[1:]])
