"""bench/generate.py runs in CI at a tiny fraction and writes what the benchmarks need."""

import sys
from pathlib import Path

import pytest

from reports.models import Report, ReportSummary
from supervision.orders.models import SupervisionOrder
from tasks.models import Plan

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
generate = pytest.importorskip("generate")

pytestmark = pytest.mark.django_db


def test_province_at_a_tiny_fraction_has_every_kind_of_row():
    counts = generate.generate("province", fraction=0.003, verbose=False)
    plans = Plan.objects.filter(title__startswith="省级方案")
    assert plans.count() == counts["plans"] >= 1
    reports = Report.objects.filter(task__plan__in=plans)
    assert reports.count() == counts["reports"] == ReportSummary.objects.count()
    assert Report.history.filter(task__plan__in=plans).count() == counts["reports"]
    largest = plans.get(title="省级方案0000")
    assert SupervisionOrder.objects.filter(plan=largest).count() == counts["orders"]
    assert largest.tasks.count() == max(p.tasks.count() for p in plans)


def test_generation_is_seeded_and_replaces_the_earlier_data():
    first = generate.generate("district", fraction=0.1, verbose=False)
    states = sorted(Report.objects.values_list("state", flat=True))
    second = generate.generate("district", fraction=0.1, verbose=False)
    assert first == second
    assert sorted(Report.objects.values_list("state", flat=True)) == states
    assert Plan.objects.filter(title__startswith="区级方案").count() == 1
