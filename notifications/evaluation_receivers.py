"""Year-end evaluations (年度考评) become notices: a submitted draft waits for the leaders'
审定, a returned draft goes back to the supervisors with the leader's comment, and a
published result tells each unit that has a line (its own line only) and the supervisors.
"""

from django.dispatch import receiver
from django.urls import reverse

from notifications.models import Kind
from notifications.receivers import never_breaks_the_change
from notifications.rules import leaders, supervisors, unit_staff
from notifications.services import Message, notify, notify_many
from supervision import signals as evaluation_signals
from supervision.evaluation.models import Evaluation, EvaluationLine


def _evaluation_url(evaluation):
    return reverse("supervision:evaluation_detail", kwargs={"pk": evaluation.pk})


def _name(evaluation):
    return f"{evaluation.plan.title} {evaluation.year}年度考评"


def _notify_step(evaluation, *, recipients, kind, title, body):
    """One notice for a submit/return step; each step writes one EvaluationEvent, so the
    event count keys a repeated step (a second submission is a new notice)."""
    notify(
        recipients=recipients,
        kind=kind,
        title=title,
        body=body,
        url=_evaluation_url(evaluation),
        dedupe_key=f"{kind}:v{evaluation.pk}:e{evaluation.events.count()}",
    )


@receiver(evaluation_signals.evaluation_submitted, sender=Evaluation)
@never_breaks_the_change
def on_evaluation_submitted(sender, evaluation, actor, **kwargs):
    _notify_step(
        evaluation,
        recipients=leaders(),
        kind=Kind.EVALUATION_SUBMITTED,
        title=f"待审定：{_name(evaluation)}",
        body=f"{actor.display_name}提交了{_name(evaluation)}，请审定发布或退回。",
    )


@receiver(evaluation_signals.evaluation_returned, sender=Evaluation)
@never_breaks_the_change
def on_evaluation_returned(sender, evaluation, actor, comment="", **kwargs):
    _notify_step(
        evaluation,
        recipients=supervisors(),
        kind=Kind.EVALUATION_RETURNED,
        title=f"考评被退回：{_name(evaluation)}",
        body=f"{actor.display_name}退回了{_name(evaluation)}。退回意见：{comment}",
    )


@receiver(evaluation_signals.evaluation_published, sender=Evaluation)
@never_breaks_the_change
def on_evaluation_published(sender, evaluation, actor, **kwargs):
    """One batch (notify_many: a fixed number of queries however many units have a line)."""
    url = _evaluation_url(evaluation)
    title = f"考评结果已发布：{_name(evaluation)}"
    key = f"{Kind.EVALUATION_PUBLISHED}:v{evaluation.pk}"
    unit_ids = list(
        EvaluationLine.objects.filter(evaluation=evaluation).values_list("department_id", flat=True)
    )
    staff = unit_staff(unit_ids)
    messages = [
        Message(
            kind=Kind.EVALUATION_PUBLISHED,
            title=title,
            body=f"{_name(evaluation)}已由{actor.display_name}审定发布。",
            url=url,
            dedupe_key=key,
            recipients=supervisors(),
        )
    ]
    messages += [
        Message(
            kind=Kind.EVALUATION_PUBLISHED,
            title=title,
            body=f"{_name(evaluation)}已审定发布，可查看本单位的考评结果。",
            url=url,
            dedupe_key=f"{key}:d{department_id}",
            recipients=staff.get(department_id, []),
        )
        for department_id in unit_ids
    ]
    notify_many(messages)
