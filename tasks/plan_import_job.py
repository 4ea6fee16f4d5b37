"""A large plan attachment is imported by a background job (我的导出 / 后台任务).

The admin's confirmation of an attachment with more than `PLAN_IMPORT_INLINE_MAX_TASKS`
task rows starts this job instead of writing in the request; smaller ones stay inline. The
job re-reads the staged upload through the storage, previews it again and applies it with
the administrator's choices (`plan_import_apply`: all or nothing, audited there as
后台任务), then removes the staged file. The finished job links to the new plan.

A run that is a re-run (a crash or a lost worker after the import committed but before the
job was marked 已完成) recognises the earlier run's plan — the plan of that title created
since the job was started — and finishes with its link instead of importing again (the
title is unique, so a second import would fail).
"""

import datetime

from django.core.files.storage import default_storage
from django.urls import reverse

from departments.models import Department
from jobs.services import JobError
from tasks.models import Plan
from tasks.plan_import import PlanImportError, plan_import_apply, plan_import_preview

PLAN_IMPORT_JOB = "tasks.plan_import"
PLAN_IMPORT_JOB_LABEL = "导入方案附件"


def plan_import_job_params(*, staged_path, filename, cleaned_data, unit_map) -> dict:
    document_date = cleaned_data.get("document_date")
    return {
        "path": staged_path,
        "filename": filename,
        "title": cleaned_data["title"],
        "issuer": cleaned_data.get("issuer") or "",
        "document_date": document_date.isoformat() if document_date else None,
        "start_year": cleaned_data["start_year"],
        "end_year": cleaned_data["end_year"],
        # name -> department pk, or None for "create it"
        "unit_map": {name: (d.pk if d else None) for name, d in unit_map.items()},
    }


def may_import_plan(user, params) -> bool:
    """The admin import page's own rule."""
    return user.has_perm("tasks.add_plan") and user.has_perm("tasks.import_plan")


def _unit_map(choices):
    departments = Department.objects.in_bulk([pk for pk in choices.values() if pk])
    unit_map = {}
    for name, pk in choices.items():
        if pk is not None and pk not in departments:
            raise JobError(f"为“{name}”选择的单位已不存在，请重新导入。")
        unit_map[name] = departments.get(pk) if pk else None
    return unit_map


def _plan_of_an_earlier_attempt(context) -> Plan | None:
    """The plan an earlier attempt of this job committed, if one did."""
    if context.job.attempts <= 1:
        return None
    return Plan.objects.filter(
        title=context.params["title"].strip(), created_at__gte=context.job.created_at
    ).first()


def _finish_with(context, plan: Plan, task_count: int) -> None:
    context.progress(task_count, task_count)
    context.message = f"已导入方案附件《{plan.title}》：{task_count} 项任务。"
    context.result_url = reverse("admin:tasks_plan_change", args=[plan.pk])


def run_plan_import_job(context) -> None:
    params = context.params
    earlier = _plan_of_an_earlier_attempt(context)
    if earlier is not None:
        default_storage.delete(params["path"])  # the earlier run may have died before this
        _finish_with(context, earlier, earlier.tasks.count())
        return
    if not default_storage.exists(params["path"]):
        raise JobError("上传的文件已不存在，请重新导入。")
    with default_storage.open(params["path"], "rb") as fh:
        data = fh.read()
    document_date = params.get("document_date")
    try:
        preview = plan_import_preview(file=data, filename=params["filename"])
        total = len(preview.tasks)
        context.progress(0, total)
        result = plan_import_apply(
            preview=preview,
            title=params["title"],
            unit_map=_unit_map(params["unit_map"]),
            user=context.user,
            issuer=params["issuer"],
            document_date=datetime.date.fromisoformat(document_date) if document_date else None,
            start_year=params["start_year"],
            end_year=params["end_year"],
            channel="后台任务",
        )
    except PlanImportError as exc:
        raise JobError("导入失败，未写入任何内容：" + "；".join(map(str, exc.errors))) from exc
    default_storage.delete(params["path"])
    _finish_with(context, result.plan, result.task_count)


def register_plan_import_job() -> None:
    from jobs.registry import register

    register(
        PLAN_IMPORT_JOB,
        label=PLAN_IMPORT_JOB_LABEL,
        run=run_plan_import_job,
        may_access=may_import_plan,
    )
