"""docs/security.md maps each of the 35 trust checks to tests that exist."""

import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
DOC = BASE_DIR / "docs" / "security.md"


def referenced_tests():
    """(file, function) pairs; `::name` alone continues the file named before it in the row."""
    pairs = []
    for line in DOC.read_text().splitlines():
        current = None
        for path, name in re.findall(r"`([\w/]+\.py)?::(test_\w+)`", line):
            current = path or current
            pairs.append((current, name))
    return pairs


def test_every_check_from_1_to_35_has_a_row():
    numbers = [int(n) for n in re.findall(r"^\| (\d+) \|", DOC.read_text(), flags=re.M)]
    assert numbers == list(range(1, 36))


def test_every_named_test_exists():
    pairs = referenced_tests()
    assert len(pairs) > 80
    missing = []
    for path, name in pairs:
        source = (BASE_DIR / path).read_text() if path and (BASE_DIR / path).exists() else ""
        if not re.search(rf"^def {name}\(", source, flags=re.M):
            missing.append(f"{path}::{name}")
    assert missing == []
