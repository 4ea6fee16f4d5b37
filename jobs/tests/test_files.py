"""Result files: purged after JOBS_KEEP_DAYS (purge_jobs), removed with their job's row."""

import datetime
import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from departments.models import SecurityEvent
from jobs.files import purge_job_files
from jobs.models import Job
from jobs.services import job_start


def _finished_days_ago(job, days):
    Job.objects.filter(pk=job.pk).update(
        finished_at=timezone.now() - datetime.timedelta(days=days, minutes=1)
    )


def test_purge_removes_old_files_marks_them_expired_and_is_idempotent(world, echo_kind, settings):
    settings.JOBS_KEEP_DAYS = 7
    old = job_start(kind=echo_kind, user=world.supervisor, params={"text": "old"})
    fresh = job_start(kind=echo_kind, user=world.supervisor, params={"text": "new"})
    old.refresh_from_db()
    fresh.refresh_from_db()
    old_name = old.result.name
    _finished_days_ago(old, 8)
    _finished_days_ago(fresh, 6)
    out = io.StringIO()
    call_command("purge_jobs", stdout=out)
    assert out.getvalue().strip() == "已删除 1 个过期的后台任务结果文件。"
    old.refresh_from_db()
    assert (old.status, old.get_status_display(), old.result.name) == ("expired", "已过期", "")
    assert old.message == "结果文件已超过保留期限（7 天），已删除。如需要请重新发起。"
    assert old.is_finished and not old.has_file
    assert not default_storage.exists(old_name)
    assert default_storage.exists(fresh.result.name)
    events = SecurityEvent.objects.filter(kind="export", detail__startswith="清理过期导出文件")
    assert list(events.values_list("detail", flat=True)) == ["清理过期导出文件：1 个（保留 7 天）"]
    # Again: nothing more to do, nothing audited.
    assert purge_job_files() == 0
    assert events.count() == 1


def test_purge_days_option_and_the_expired_job_page(client, world, echo_kind):
    job = job_start(kind=echo_kind, user=world.supervisor, params={"text": "x"})
    _finished_days_ago(job, 2)
    call_command("purge_jobs", "--days", "3", stdout=io.StringIO())
    assert Job.objects.get(pk=job.pk).status == Job.Status.DONE
    call_command("purge_jobs", "--days", "1", stdout=io.StringIO())
    assert Job.objects.get(pk=job.pk).status == Job.Status.EXPIRED
    client.force_login(world.supervisor)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "已过期" in page and "保留期限" in page
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_purge_refuses_negative_days(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="保留天数不能为负数"):
        call_command("purge_jobs", "--days", "-1")


def test_deleting_a_user_deletes_their_jobs_files(
    world, echo_kind, django_capture_on_commit_callbacks
):
    job = job_start(kind=echo_kind, user=world.neutral_supervisor, params={"text": "y"})
    job.refresh_from_db()
    name = job.result.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        world.neutral_supervisor.delete()
    assert not Job.objects.filter(pk=job.pk).exists()
    assert not default_storage.exists(name)
