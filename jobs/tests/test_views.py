"""我的导出 pages per role: only the job's creator sees it; the download re-checks the right."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from departments.models import Role
from jobs.models import Job
from jobs.services import job_start


def _urls(job):
    return [
        reverse("jobs:detail", args=[job.pk]),
        reverse("jobs:status", args=[job.pk]),
        reverse("jobs:download", args=[job.pk]),
    ]


@pytest.fixture
def supervisors_job(world, echo_kind):
    return job_start(kind=echo_kind, user=world.supervisor, params={"text": "督查"})


def test_the_creator_sees_the_page_the_status_and_downloads_the_file(
    client, world, supervisors_job
):
    client.force_login(world.supervisor)
    page = client.get(reverse("jobs:detail", args=[supervisors_job.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "测试导出" in text and "已完成" in text and "下载 结果.txt" in text
    assert 'value="100"' in text
    status = client.get(reverse("jobs:status", args=[supervisors_job.pk])).json()
    assert status == {
        "status": "done",
        "status_label": "已完成",
        "done": 3,
        "total": 3,
        "percent": 100,
        "message": "已导出 3 行。",
        "finished": True,
        "download_url": reverse("jobs:download", args=[supervisors_job.pk]),
    }
    download = client.get(reverse("jobs:download", args=[supervisors_job.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == "attempt 1: 督查".encode()
    assert download["Content-Type"] == "text/plain; charset=utf-8"
    assert "attachment" in download["Content-Disposition"]
    assert download["Cache-Control"] == "no-store"
    # The list names each job's file, so several exports of one kind can be told apart.
    listing = client.get(reverse("jobs:list")).content.decode()
    assert '<div class="small muted">结果.txt</div>' in listing


@pytest.mark.parametrize(
    "who", ["reporter", "other_reporter", "head", "neutral_supervisor", "leader", "admin"]
)
def test_everyone_else_gets_404_for_the_job(client, world, supervisors_job, who):
    client.force_login(getattr(world, who))
    for url in _urls(supervisors_job):
        assert client.get(url).status_code == 404, url
    listing = client.get(reverse("jobs:list")).content.decode()
    assert str(supervisors_job.pk) not in listing


def test_anonymous_is_sent_to_login(client, supervisors_job):
    for url in _urls(supervisors_job):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_creator_who_lost_the_right_gets_403_at_download(client, world, supervisors_job):
    world.supervisor.groups.remove(Group.objects.get(name=Role.SUPERVISOR.label))
    world.supervisor.groups.add(Group.objects.get(name=Role.REPORTER.label))
    client.force_login(world.supervisor)
    assert client.get(reverse("jobs:detail", args=[supervisors_job.pk])).status_code == 200
    assert client.get(reverse("jobs:download", args=[supervisors_job.pk])).status_code == 403


@pytest.mark.parametrize("who", ["leader", "admin", "neutral_supervisor"])
def test_each_role_with_the_right_uses_its_own_jobs(client, world, echo_kind, who):
    user = getattr(world, who)
    job = job_start(kind=echo_kind, user=user, params={"text": who})
    client.force_login(user)
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 200
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 200
    assert str(job.pk) in client.get(reverse("jobs:list")).content.decode()


def test_a_job_still_running_has_no_download_and_polls(client, world, echo_kind):
    job = Job.objects.create(kind=echo_kind, created_by=world.supervisor, params={})
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, attempts=1, progress_done=1, progress_total=4
    )
    client.force_login(world.supervisor)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "处理中" in page and "（1 / 4）" in page and 'value="25"' in page
    assert reverse("jobs:status", args=[job.pk]) in page
    assert "js/job_progress.js" in page
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_a_bad_job_address_is_404(client, world):
    client.force_login(world.supervisor)
    assert client.get("/jobs/not-a-uuid/").status_code == 404
    assert client.get("/jobs/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_the_list_is_paginated_and_newest_first(
    client, world, echo_kind, django_assert_max_num_queries
):
    for index in range(25):
        job_start(kind=echo_kind, user=world.supervisor, params={"text": str(index)})
    client.force_login(world.supervisor)
    with django_assert_max_num_queries(12):
        first = client.get(reverse("jobs:list"))
    assert first.context["page"].paginator.count == 25
    assert len(first.context["page"].object_list) == 20
    assert "第 1 / 2 页" in first.content.decode()
    second = client.get(reverse("jobs:list"), {"page": 2})
    assert len(second.context["page"].object_list) == 5
