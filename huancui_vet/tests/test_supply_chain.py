"""Supply chain and local serving: every requirement pinned and locked with hashes, the Docker
image installs only hashed packages, and `make run` serves with DEBUG off."""

import re
import subprocess
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

BASE_DIR = Path(__file__).resolve().parents[2]


def requirement_lines(path):
    for raw in (BASE_DIR / path).read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            yield Requirement(line)


def locked():
    """{name: (version, number of hashes)} from requirements.lock."""
    text = (BASE_DIR / "requirements.lock").read_text()
    entries = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = re.match(r"([A-Za-z0-9_.\-]+)==(\S+)", block)
        if match:
            entries[canonicalize_name(match[1])] = (match[2], block.count("--hash=sha256:"))
    return entries


def test_every_requirement_is_pinned_exactly():
    for path in ("requirements.txt", "requirements-dev.txt"):
        for req in requirement_lines(path):
            assert str(req.specifier).startswith("=="), f"{req} in {path} is not pinned with =="


def test_the_lock_covers_every_requirement_at_its_pinned_version_with_hashes():
    lock = locked()
    for req in requirement_lines("requirements.txt"):
        name = canonicalize_name(req.name)
        assert name in lock, f"{req.name} is missing from requirements.lock: run `make lock`"
        version, hashes = lock[name]
        assert req.specifier.contains(version), f"{req.name}: lock has {version}, want {req}"
    assert all(hashes > 0 for _, hashes in lock.values())


def test_the_lock_holds_the_whole_installed_tree_of_the_runtime_requirements():
    lock = locked()
    pending = [canonicalize_name(r.name) for r in requirement_lines("requirements.txt")]
    seen = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        assert name in lock, f"{name} (a dependency) is missing from requirements.lock"
        for spec in metadata.requires(name) or []:
            dep = Requirement(spec)
            if dep.marker is None or dep.marker.evaluate({"extra": ""}):
                pending.append(canonicalize_name(dep.name))
    assert len(seen) >= 15


def test_the_docker_image_installs_the_lock_with_require_hashes():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert "pip install --require-hashes --no-deps -r requirements.lock" in dockerfile
    assert "-r requirements.txt" not in dockerfile


def test_make_run_serves_with_debug_off_and_a_git_ignored_local_key():
    commands = subprocess.run(
        ["make", "-n", "run"], cwd=BASE_DIR, capture_output=True, text=True, check=True
    ).stdout
    assert "DEBUG=true" not in commands and "runserver" not in commands
    assert "DEBUG=false" in commands and "collectstatic" in commands and "gunicorn" in commands
    ignored = subprocess.run(
        ["git", "check-ignore", ".local-secret-key"], cwd=BASE_DIR, capture_output=True
    )
    assert ignored.returncode == 0
    dev = subprocess.run(
        ["make", "-n", "dev"], cwd=BASE_DIR, capture_output=True, text=True, check=True
    ).stdout
    assert "DEBUG=true" in dev and "runserver" in dev


def test_pip_check_finds_no_broken_requirements():
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "pip", "check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
