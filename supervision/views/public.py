"""The public page of a plan marked public (此件公开发布): no login, accepted progress only."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from supervision.facts import load_plan_facts
from supervision.selectors import status_label
from tasks.models import Plan
from tasks.periods import default_as_of


@require_safe
@login_not_required
def public_plan(request, plan_id):
    """Tasks, lead units and the latest accepted status/percent of each task.

    Built from accepted lead summaries only: drafts, submitted-but-unreviewed reports,
    evidence, scores and people never reach this page.
    """
    plan = get_object_or_404(Plan, pk=plan_id, is_public=True)
    # user=None: every department's accepted reports (the page filters to accepted below).
    as_of = default_as_of(plan)
    facts = load_plan_facts(plan=plan, as_of=as_of, user=None, with_target_values=False)
    rows = []
    for task in facts.tasks:
        fact = facts.standing(task)
        period = facts.period(fact.period_start) if fact else None
        rows.append(
            {
                "number": task.number,
                "content": task.content,
                "lead_units": task.lead_units_text,
                "percent": fact.percent if fact else None,
                "status": status_label(fact) if fact else "",
                "period_label": period.label if period else "",
            }
        )
    return render(
        request, "supervision/public_plan.html", {"plan": plan, "rows": rows, "as_of": as_of}
    )
