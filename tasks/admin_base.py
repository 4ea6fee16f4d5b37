"""Shared pieces for the admin classes that import spreadsheets (now in huancui_vet)."""

from huancui_vet.admin_imports import ChineseImportErrorsMixin  # noqa: F401 - re-exported
