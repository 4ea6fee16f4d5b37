"""Excel workbook downloads (stub until the feature lands)."""

from huancui_vet.placeholder import coming_soon

workbook_download = coming_soon
