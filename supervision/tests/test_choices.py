"""The supervision vocabularies come from supervision.choices (one home each)."""

import datetime

import pytest

from supervision.choices import ComplianceKind, Grade, Light, TargetStatus
from supervision.models import ScoringSettings
from supervision.selectors import dashboard_data

pytestmark = pytest.mark.django_db


def test_dashboard_figures_speak_the_choices(world):
    data = dashboard_data(plan=world.plan, year=2024, as_of=datetime.date(2023, 3, 10), user=None)
    assert list(data.light_counts) == Light.values
    assert all(isinstance(t.light, Light) for t in data.tasks)
    assert all(isinstance(r.status, TargetStatus) for ty in data.target_years for r in ty.rows)
    assert {i.department_name for i in data.overdue}  # missing reports exist on this date
    assert data.compliance_total.expected == sum(
        getattr(data.compliance_total, kind) for kind in ComplianceKind.values
    )


def test_grades_are_the_grade_labels():
    settings = ScoringSettings()
    assert [settings.grade_for(s) for s in (95, 85, 65, 10)] == [g.label for g in Grade]
