"""Which version of a setting a page's figures used (django-simple-history rows)."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Max


@dataclass(frozen=True)
class SettingsVersion:
    number: int  # 1 for the first saved version
    changed_at: datetime.datetime


def settings_version(instance) -> SettingsVersion | None:
    """The version number and last change of a model with `history` (one query); None for
    unsaved defaults (nothing has been set yet)."""
    if instance is None or instance.pk is None:
        return None
    found = instance.history.aggregate(number=Count("history_id"), changed_at=Max("history_date"))
    if not found["number"]:
        return None
    return SettingsVersion(number=found["number"], changed_at=found["changed_at"])
