"""A finished background job (我的导出) becomes a notice for the user who started it."""

from django.dispatch import receiver
from django.urls import reverse

from jobs.models import Job
from jobs.signals import job_finished
from notifications.models import Kind
from notifications.receivers import never_breaks_the_change
from notifications.services import notify


@receiver(job_finished, sender=Job, dispatch_uid="notifications.job_finished")
@never_breaks_the_change
def on_job_finished(sender, job, **kwargs):
    done = job.status == Job.Status.DONE
    title = f"后台任务已完成：{job.label}" if done else f"后台任务失败：{job.label}"
    body = job.message + ("请在“我的导出”中下载。" if done and job.result_name else "")
    notify(
        recipients=[job.created_by],
        kind=Kind.JOB_FINISHED,
        title=title,
        body=body,
        url=reverse("jobs:detail", args=[job.pk]),
        # One notice per run's end: a re-run after a lost worker is a new outcome.
        dedupe_key=f"job:{job.pk}:a{job.attempts}:{job.status}",
    )
