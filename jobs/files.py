"""A job's result files: removed with the row, and after `JOBS_KEEP_DAYS` (purge_jobs).

Only the storage API is used (filesystem or S3 alike). Exports are audited when written
(SecurityEvent 导出), so their removal by the purge is audited too.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone

from departments.audit import security_event_record
from departments.models import SecurityEvent
from jobs.models import Job, job_result_path

logger = logging.getLogger("jobs")

EXPIRED_MESSAGE = "结果文件已超过保留期限（{days} 天），已删除。如需要请重新发起。"


def job_file_names(job: Job) -> set[str]:
    """The stored file of `job` and the names its earlier attempts used."""
    names = {job.result.name} if job.result.name else set()
    reference = job.result_name or job.result.name
    if reference:
        names.update(job_result_path(job, reference, attempt=n) for n in range(1, job.attempts))
    return names


def delete_job_files(job: Job) -> None:
    storage = job.result.storage
    for name in job_file_names(job):
        if storage.exists(name):
            storage.delete(name)


@receiver(post_delete, sender=Job, dispatch_uid="jobs.delete_job_files")
def _delete_files_with_the_row(sender, instance: Job, **kwargs) -> None:
    # After the commit: a deletion that is rolled back keeps its file.
    transaction.on_commit(lambda: delete_job_files(instance), robust=True)


def purge_job_files(*, days: int | None = None, now=None) -> int:
    """Remove the files of jobs finished more than `days` ago; 已完成 becomes 已过期.
    Returns how many jobs lost their file; running it again finds nothing more."""
    days = settings.JOBS_KEEP_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    old = (
        Job.objects.filter(status__in=[Job.Status.DONE, Job.Status.FAILED], finished_at__lt=cutoff)
        .exclude(result="")
        .only("pk", "status", "result", "result_name", "attempts")
    )
    purged = 0
    for job in old.iterator(chunk_size=500):
        changes = {"result": "", "result_name": "", "content_type": ""}
        if job.status == Job.Status.DONE:
            changes |= {"status": Job.Status.EXPIRED, "message": EXPIRED_MESSAGE.format(days=days)}
        # Conditional on the row as read: a job run again meanwhile is left alone.
        if Job.objects.filter(pk=job.pk, status=job.status, result=job.result.name).update(
            **changes
        ):
            delete_job_files(job)
            purged += 1
    if purged:
        security_event_record(
            kind=SecurityEvent.Kind.EXPORT,
            detail=f"清理过期导出文件：{purged} 个（保留 {days} 天）",
        )
    logger.info("purged the files of %s jobs older than %s days", purged, days)
    return purged
