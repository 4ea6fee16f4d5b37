"""A background job (后台任务): one long piece of work a user started, its progress and result.

The row is the job's whole state (Celery keeps no results): a worker claims it, reports
progress on it and stores the result file through the default storage (filesystem or S3:
only the storage API is used, never a local path). The primary key is a random UUID, so a
job's address cannot be guessed; the views still show a job only to the user who started it.
"""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


def job_result_path(job, filename, *, attempt=None):
    """jobs/<uuid>-a<attempt>.<ext>: one name per attempt, so a run taken for dead that
    comes back can never replace or delete the file of the run that superseded it."""
    attempt = job.attempts if attempt is None else attempt
    return f"jobs/{job.pk}-a{attempt}{PurePosixPath(filename).suffix.lower()}"


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "处理中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        # Done once, its file since removed by `purge_jobs` (JOBS_KEEP_DAYS).
        EXPIRED = "expired", "已过期"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField("类型", max_length=60)
    params = models.JSONField("参数", default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="jobs",
        verbose_name="发起人",
    )
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    progress_done = models.PositiveIntegerField("已处理", default=0)
    progress_total = models.PositiveIntegerField("总数", default=0)
    message = models.CharField("说明", max_length=500, blank=True)
    result = models.FileField("结果文件", upload_to=job_result_path, max_length=300, blank=True)
    result_name = models.CharField("结果文件名", max_length=255, blank=True)
    content_type = models.CharField("文件类型", max_length=120, blank=True)
    # A portal path to what the job made when it is not a file (an imported plan).
    result_url = models.CharField("结果链接", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    # Moved by every progress report: a 处理中 job whose heartbeat stopped has lost its worker.
    heartbeat_at = models.DateTimeField("最近活动时间", null=True, blank=True)
    attempts = models.PositiveIntegerField("执行次数", default=0)
    # When the job's page last sent a lost job again (a lease: one re-send per stale window).
    requeued_at = models.DateTimeField("重新发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="job_owner_newest")]

    def __str__(self):
        return f"{self.label}（{self.get_status_display()}）"

    @property
    def label(self):
        from jobs.registry import kind_label  # the registry names kinds; models stay plain

        return kind_label(self.kind)

    @property
    def percent(self):
        if self.status == self.Status.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)

    @property
    def is_finished(self):
        return self.status in FINISHED_STATUSES

    @property
    def has_file(self):
        return self.status == self.Status.DONE and bool(self.result.name)


# A job in one of these states never runs again (a purged 已过期 job included).
FINISHED_STATUSES = (Job.Status.DONE, Job.Status.FAILED, Job.Status.EXPIRED)
