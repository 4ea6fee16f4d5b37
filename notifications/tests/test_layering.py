"""notifications is the top app: it may import every app, and no other app imports it."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOWER_APPS = ["huancui_vet", "departments", "tasks", "reports", "supervision"]


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_no_lower_app_imports_notifications():
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for app in LOWER_APPS
        for path in (ROOT / app).rglob("*.py")
        if "tests" not in path.parts  # guard tests may build notices to walk every URL
        for module in imported_modules(path)
        if module == "notifications" or module.startswith("notifications.")
    ]
    assert offenders == []
