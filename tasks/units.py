"""Reading the unit cells of a plan attachment: "区财政局、区商务局等", "区人力资源社会保障\\n局".

Pure functions plus `UnitDirectory`, the one place that turns a written unit name into a
Department (by its name or by a DepartmentAlias). The importer, the admin resources and
load_plan all go through here, so a spelling accepted in one place is accepted everywhere.
"""

import re
from dataclasses import dataclass, field

# The directory of unit names belongs to departments (users_import reads it too); compact is
# a plain text helper. Both are re-exported for the plan importer.
from departments.directory import UnitDirectory  # noqa: F401
from huancui_vet.text import compact

# Units are separated by these in real attachments; whitespace (line breaks, full-width spaces)
# is a *soft* boundary because Word/Excel also break a single long name across lines.
_SEPARATORS = re.compile(r"([、，,；;]+)")
_WHITESPACE = re.compile(r"[\s\u3000\u00a0\ufeff]+")
# Open-ended wording at the end of a cell: "等", "等单位", "及有关行业主管部门", "相关部门".
_NOTE_SUFFIX = re.compile(
    r"(?P<note>(?:及|以及|和)?(?:其他|有关|相关)\S*?(?:部门|单位)|等(?:部门|单位)?)\s*$"
)
# An unknown fragment this short ("局", "委员会") is the tail of a name broken across lines.
_TAIL_MAX_CHARS = 3


@dataclass
class ParsedUnits:
    names: list[str] = field(default_factory=list)  # as written, whitespace removed
    note: str = ""  # open-ended wording, kept verbatim so an export reproduces the cell


def _merge_fragments(fragments, is_known):
    """Join fragments of one piece back into names.

    Takes the longest run of fragments that spells a known unit; otherwise glues short unknown
    tails ("局") onto the fragment before them, so an unknown name broken across lines still
    comes out whole.
    """
    names = []
    i = 0
    while i < len(fragments):
        for j in range(len(fragments), i, -1):
            candidate = "".join(fragments[i:j])
            if is_known(candidate):
                names.append(candidate)
                i = j
                break
        else:
            j = i + 1
            while (
                j < len(fragments)
                and len(fragments[j]) <= _TAIL_MAX_CHARS
                and not is_known(fragments[j])
            ):
                j += 1
            names.append("".join(fragments[i:j]))
            i = j
    return names


def split_units(cell, is_known=lambda name: False):
    """Split a unit cell into names and trailing open-ended wording.

    >>> split_units("区财政局、税务局等").names
    ['区财政局', '税务局']
    """
    text = str(cell or "").replace("\r\n", "\n").replace("\r", "\n")
    if not compact(text):
        return ParsedUnits()
    parts = _SEPARATORS.split(text.strip())
    # parts alternates piece, separator, piece, ...; drop empty trailing pieces ("A、B、").
    pieces = parts[0::2]
    separators = [""] + parts[1::2]
    while pieces and not compact(pieces[-1]):
        pieces.pop()
        separators.pop()

    note = ""
    last = pieces[-1].strip()
    match = _NOTE_SUFFIX.search(last)
    if match:
        head = last[: match.start()]
        if compact(head):
            pieces[-1] = head
            note = match.group("note")
        else:
            # The wording is a piece of its own ("区财政局、有关部门"): keep its separator.
            note = separators[-1][:1] + compact(last)
            pieces.pop()

    names = []
    for piece in pieces:
        fragments = [f for f in _WHITESPACE.split(piece) if f]
        names.extend(_merge_fragments(fragments, is_known))
    return ParsedUnits(names=names, note=note)


def join_units(names, note=""):
    """The cell text for a list of unit names, as the attachment writes it."""
    return "、".join(names) + note
