"""Bulk entry from Excel (stub until the feature lands)."""

from huancui_vet.placeholder import coming_soon

bulk_entry = coming_soon
bulk_download = coming_soon
bulk_upload = coming_soon
