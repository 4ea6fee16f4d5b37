"""我的导出 / 后台任务: the user's own jobs, a job's page with its progress, the download.

A job is shown only to the user who started it (anyone else: 404, as if it did not exist).
The download asks the kind's access check again, so a user who lost the right since
starting the job gets 403.
"""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from jobs.models import Job
from jobs.registry import UnknownJobKind, get_kind
from jobs.services import job_revive_if_stale, parse_job_id

PAGE_SIZE = 20


def _own_job(request, pk) -> Job:
    job_id = parse_job_id(pk)
    job = Job.objects.filter(pk=job_id, created_by=request.user).first() if job_id else None
    if job is None:
        raise Http404("没有找到该后台任务。")
    return job


@require_safe
def job_list(request):
    jobs = Job.objects.filter(created_by=request.user).order_by("-created_at")
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "jobs/job_list.html", {"page": page})


@require_safe
def job_detail(request, pk):
    job = _own_job(request, pk)
    job_revive_if_stale(job)
    return render(request, "jobs/job_detail.html", {"job": job})


@require_safe
def job_status(request, pk):
    """The job page's progress, polled by static/js/job_progress.js."""
    job = _own_job(request, pk)
    job_revive_if_stale(job)
    response = JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "done": job.progress_done,
            "total": job.progress_total,
            "percent": job.percent,
            "message": job.message,
            "finished": job.is_finished,
            "download_url": reverse("jobs:download", args=[job.pk]) if job.has_file else "",
        }
    )
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def job_download(request, pk):
    job = _own_job(request, pk)
    if not job.has_file:
        raise Http404("该任务没有可下载的文件。")
    try:
        allowed = get_kind(job.kind).may_access(request.user, job.params)
    except UnknownJobKind:
        allowed = False
    if not allowed:
        raise PermissionDenied
    response = FileResponse(
        job.result.open("rb"),
        as_attachment=True,
        filename=job.result_name,
        content_type=job.content_type or "application/octet-stream",
    )
    # Department figures: never keep a copy in a shared or browser cache.
    response["Cache-Control"] = "no-store"
    return response
