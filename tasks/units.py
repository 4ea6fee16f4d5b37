"""Reading the unit cells of a plan attachment: "区财政局、区商务局等", "区人力资源社会保障\\n局".

Pure functions plus `UnitDirectory`, the one place that turns a written unit name into a
Department (by its name or by a DepartmentAlias). The importer, the admin resources and
load_plan all go through here, so a spelling accepted in one place is accepted everywhere.
"""

import difflib
import re
from dataclasses import dataclass, field

# The directory of unit names belongs to departments (users_import reads it too); the plan
# importer extends it below. compact is a plain text helper.
from departments.directory import UnitDirectory as BaseUnitDirectory
from huancui_vet.text import compact

# Units are separated by these in real attachments; whitespace (line breaks, full-width spaces)
# is a *soft* boundary because Word/Excel also break a single long name across lines.
_SEPARATORS = re.compile(r"([、，,；;]+)")
_WHITESPACE = re.compile(r"[\s\u3000\u00a0\ufeff]+")
# Open-ended wording at the end of a cell: "等", "等单位", "及有关行业主管部门", "相关部门",
# "各地有关部门", "相关省份有关部门" (a prefix such as 各地 is part of the wording, never a unit).
_NOTE_SUFFIX = re.compile(
    r"(?P<note>(?:及|以及|和)?(?:各\S{0,4}?|相关\S{1,4}?)?(?:其他|有关|相关)\S*?(?:部门|单位)"
    r"|等(?:部门|单位)?)\s*$"
)
_LEADING_SEPARATORS = "、，,；;"
# A piece starting with 各 ("各镇街", "各学校") addresses a whole class of bodies, not a unit.
_CLASS_PREFIX = "各"
# At or below this difflib ratio a known name is not offered as a likely match: "区审计局"
# and "区统计局" (0.75) are two departments; "区财政" and "区财政局" (0.86) are one.
SUGGESTION_CUTOFF = 0.79
# An unknown fragment this short ("局", "委员会") is the tail of a name broken across lines.
_TAIL_MAX_CHARS = 3


@dataclass
class ParsedUnits:
    names: list[str] = field(default_factory=list)  # as written, whitespace removed
    note: str = ""  # open-ended wording, kept verbatim so an export reproduces the cell


class UnitDirectory(BaseUnitDirectory):
    """The department directory plus the plan's open-ended phrases (OpenEndedPhrase) and
    near-name suggestions, for reading attachments. `load()` runs three queries."""

    def __init__(self, departments=(), aliases=(), phrases=()):
        super().__init__(departments, aliases)
        self.phrases = frozenset(compact(p) for p in phrases)

    @classmethod
    def load(cls, **extra):
        from tasks.models import OpenEndedPhrase

        phrases = list(OpenEndedPhrase.objects.values_list("text", flat=True))
        return super().load(phrases=phrases, **extra)

    def split(self, cell):
        """split_units() with this directory's names and open-ended phrases."""
        return split_units(cell, self.__contains__, phrases=self.phrases)

    def suggest(self, name):
        """The known department `name` most likely means ("区人社局" → 区人力资源社会保障局).

        An abbreviation keeps the full name's characters in order and its first and last
        character; otherwise difflib's ratio decides. None below SUGGESTION_CUTOFF.
        """
        name = compact(name)
        best, best_score = None, SUGGESTION_CUTOFF
        for known, dept in self._by_name.items():
            score = difflib.SequenceMatcher(None, name, known).ratio()
            if _is_abbreviation(name, known):
                score += 0.5
            if score > best_score or (score == best_score and best and dept.name < best.name):
                best, best_score = dept, score
        return best


def _is_abbreviation(short, full):
    if len(short) < 2 or len(short) >= len(full) or short[0] != full[0] or short[-1] != full[-1]:
        return False
    rest = iter(full)
    return all(ch in rest for ch in short)


def is_open_ended(piece, phrases=frozenset()):
    """Whether a whole piece of a unit cell is open-ended wording rather than a unit."""
    text = compact(piece)
    return text in phrases or text.startswith(_CLASS_PREFIX) or bool(_NOTE_SUFFIX.fullmatch(text))


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


def split_units(cell, is_known=lambda name: False, *, phrases=frozenset()):
    """Split a unit cell into names and open-ended wording (`phrases`: the admin's list).

    Open-ended pieces anywhere in the cell ("各地有关部门、教育部") go to the note, never
    to the names, so they can never become a unit.

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

    notes = []
    kept = []
    for piece, separator in zip(pieces, separators, strict=True):
        if compact(piece) and is_open_ended(piece, phrases) and not is_known(piece):
            # The wording is a piece of its own ("区财政局、有关部门"): keep its separator.
            notes.append((separator[:1] or "、") + compact(piece))
        else:
            kept.append(piece)
    if kept:
        last = kept[-1].strip()
        match = _NOTE_SUFFIX.search(last)
        if match and compact(last[: match.start()]) and not is_known(last):
            kept[-1] = last[: match.start()]
            notes.insert(0, match.group("note"))

    names = []
    for piece in kept:
        fragments = [f for f in _WHITESPACE.split(piece) if f]
        names.extend(_merge_fragments(fragments, is_known))
    note = "".join(notes)
    if not names:
        note = note.lstrip(_LEADING_SEPARATORS)
    return ParsedUnits(names=names, note=note)


def join_units(names, note=""):
    """The cell text for a list of unit names, as the attachment writes it.

    Never starts with a separator: a note kept with its separator ("，相关省份有关部门")
    loses it when no unit precedes it.
    """
    note = note or ""
    if not names:
        note = note.lstrip(_LEADING_SEPARATORS)
    return "、".join(names) + note
