"""The admin lists jobs read-only and never links their files."""

from django.urls import reverse

from jobs.services import job_start


def test_admin_reads_jobs_without_the_file_link(client, world, echo_kind):
    job = job_start(kind=echo_kind, user=world.supervisor, params={"text": "x"})
    client.force_login(world.admin)
    listing = client.get(reverse("admin:jobs_job_changelist"))
    assert listing.status_code == 200
    page = client.get(reverse("admin:jobs_job_change", args=[job.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "结果.txt" in text and f"jobs/{job.pk}-a1.txt" not in text
    assert client.post(reverse("admin:jobs_job_add")).status_code == 403
