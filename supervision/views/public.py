"""The public page of a plan marked public (此件公开发布): no login, accepted progress only."""

import io

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from supervision.facts import load_plan_facts
from supervision.figure_cache import cached_figures
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
    as_of = default_as_of(plan)
    rows = cached_figures(
        "public", plan, lambda: _public_rows(plan, as_of), as_of=as_of, scope=None
    )
    context = {
        "plan": plan,
        "rows": rows,
        "public_url": public_plan_url(request, plan),
        "as_of": as_of,
    }
    return render(request, "supervision/public_plan.html", context)


def _public_rows(plan, as_of):
    # user=None: every department's accepted reports (the rows show accepted standing only).
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
    return rows


@require_safe
@login_not_required
def public_index(request):
    """公开进展: every plan marked public, linked from the login page."""
    plans = Plan.objects.filter(is_public=True).order_by("-document_date", "title")
    return render(request, "supervision/public_index.html", {"plans": plans})


def public_plan_url(request, plan):
    """The plan's clean public address (/public/<id>/), absolute: from PUBLIC_BASE_URL when
    set (the address people outside reach, e.g. on a printed notice), else this request's."""
    path = reverse("public", kwargs={"plan_id": plan.pk})
    if settings.PUBLIC_BASE_URL:
        return settings.PUBLIC_BASE_URL.rstrip("/") + path
    return request.build_absolute_uri(path)


def _qr(request, plan_id):
    plan = get_object_or_404(Plan, pk=plan_id, is_public=True)
    # Error correction M survives a crease or a smudge on a printed notice.
    return segno.make(public_plan_url(request, plan), error="m", micro=False)


@require_safe
@login_not_required
def public_plan_qr_svg(request, plan_id):
    """The QR code of the plan's public address, drawn on the server (no CDN, no script)."""
    buffer = io.BytesIO()
    # A standalone document (with its namespace) so <img> can show it.
    _qr(request, plan_id).save(buffer, kind="svg", scale=4, title="公开进展页面二维码")
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml; charset=utf-8")


@require_safe
@login_not_required
def public_plan_qr_png(request, plan_id):
    """The same QR code as a PNG big enough to print (about 4 cm at 300 dpi)."""
    buffer = io.BytesIO()
    _qr(request, plan_id).save(buffer, kind="png", scale=12, border=4)
    response = HttpResponse(buffer.getvalue(), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="public-plan-{plan_id}-qr.png"'
    return response
