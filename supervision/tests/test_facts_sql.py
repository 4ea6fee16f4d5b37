"""What the dashboard family counts in SQL equals the Python rules applied report by report.

On seeded random plans (reports.tests.random_summaries) and as-of dates before, on and after
deadlines: compliance counts, reports not submitted, last report dates, the first period a
task was reported done, and the scorecard's timeliness and review totals, against
compliance_kind / period_state / is_done / the line items over each loaded report row.
"""

import pytest

from reports.selectors import PeriodState
from reports.tests.random_summaries import as_of_dates, build_random_plan
from supervision.facts import is_done, load_plan_facts, local_date
from supervision.models import ScoringSettings
from supervision.scoring import build_scorecard
from supervision.selectors import compliance_kind, compliance_kinds

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[(11, "monthly"), (12, "quarterly")])
def random_plan(request):
    seed, cycle = request.param
    return build_random_plan(seed, cycle=cycle)


def test_counts_from_the_database_equal_the_rules_per_report(random_plan):
    for as_of in as_of_dates(random_plan.periods):
        facts = load_plan_facts(plan=random_plan.plan, as_of=as_of, user=None)
        ended = facts.ended_periods()
        rows = facts.rows(facts.periods)
        cutoff = facts.cutoff
        for period in ended:
            kinds = compliance_kinds(facts, period)
            for a in facts.assignments:
                fact = rows.get((a.task_id, a.department_id, period.start))
                assert kinds[(a.task_id, a.department_id)] == compliance_kind(
                    facts, fact, period
                ), (as_of, period, a)
        expected = {
            (a.task_id, a.department_id, p.start)
            for p in ended
            for a in facts.assignments
            if facts.period_state(p, rows.get((a.task_id, a.department_id, p.start)))
            in (PeriodState.DUE, PeriodState.MISSING)
        }
        assert facts.unsubmitted(ended) == expected, as_of

        latest, first_done = {}, {}
        for fact in rows.values():
            if fact.submitted_at is not None and fact.submitted_at < cutoff:
                moment = fact.submitted_at
            elif fact.submitted_by(cutoff):
                moment = fact.first_submitted_at
            else:
                moment = None
            if moment is not None and (fact.task_id not in latest or moment > latest[fact.task_id]):
                latest[fact.task_id] = moment
            if fact.is_lead and fact.accepted_by(cutoff) and is_done(fact):
                start = first_done.get(fact.task_id)
                first_done[fact.task_id] = min(start or fact.period_start, fact.period_start)
        assert facts.last_report_dates() == {t: local_date(m) for t, m in latest.items()}
        assert facts.first_done_periods() == first_done, as_of


def test_scorecard_totals_equal_the_sum_of_its_line_items(random_plan):
    settings = ScoringSettings.for_plan(random_plan.plan)
    checked = 0
    for as_of in as_of_dates(random_plan.periods):
        facts = load_plan_facts(plan=random_plan.plan, as_of=as_of, user=None)
        for kind in ("plan", "quarter"):
            data = build_scorecard(
                facts, settings=settings, period_kind=kind, period_start=as_of, detailed=True
            )
            for row in data.rows:
                for key in ("timeliness", "review"):
                    component = row.component(key)
                    items = row.items_for(key)
                    assert component.item_count == len(items), (as_of, kind, key)
                    assert component.earned == sum(i.earned for i in items), (as_of, kind, key)
                    assert component.possible == sum(i.weight for i in items)
                    checked += len(items)
    assert checked


def test_inside_the_first_period_early_reports_give_the_last_report_date(world):
    """No period has ended yet, so there are no masks, but a report submitted early in the
    first period is the task's 最近报送 (as the rule over every row says)."""
    import datetime

    from supervision.tests.factories import make_report

    first = datetime.date(2023, 1, 1)
    make_report(
        world.task1, world.edu, first, author=world.reporter, submitted_on=datetime.date(2023, 1, 9)
    )
    make_report(world.task2, world.hr, first, author=world.hr_reporter)  # a draft: no date
    facts = load_plan_facts(plan=world.plan, as_of=datetime.date(2023, 1, 20), user=None)
    assert facts.ended_periods() == []
    assert facts.last_report_dates() == {world.task1.pk: datetime.date(2023, 1, 9)}
    # Before the early submission's day it is not there yet.
    facts = load_plan_facts(plan=world.plan, as_of=datetime.date(2023, 1, 8), user=None)
    assert facts.last_report_dates() == {}
