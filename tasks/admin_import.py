"""Admin pages to import a plan attachment, amend a plan from a revised one, and export it.

Two steps, nothing written before the second: the upload is checked, kept in storage under
a random name (its key lives in the user's session), and previewed; the confirmation names
the plan, its years, and a unit for every name the directory does not know.
"""

import datetime
import io
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone

from departments.models import Department
from huancui_vet.xlsx import XLSX_CONTENT_TYPE, SpreadsheetError, read_upload
from jobs.services import job_start
from tasks.amendments import plan_amend, plan_amendment_diff
from tasks.attachments import ACCEPTED_FORMATS, ACCEPTED_TEXT
from tasks.models import Plan
from tasks.plan_export import DOCX_CONTENT_TYPE, plan_export
from tasks.plan_import import PlanImportError, plan_import_apply, plan_import_preview
from tasks.plan_import_job import PLAN_IMPORT_JOB, may_import_plan, plan_import_job_params

STAGING_DIR = "plan-imports"
SESSION_KEY = "plan_import_uploads"
NEW_UNIT = "new"
# A preview nobody confirmed leaves its file behind; the next upload removes such files.
STAGED_MAX_AGE = datetime.timedelta(days=1)


class AttachmentUploadForm(forms.Form):
    file = forms.FileField(
        label="方案附件（任务清单）",
        help_text=f"可导入：{ACCEPTED_TEXT}。表头需包含“序号”“任务内容”“牵头单位”“责任单位”"
        "（或同义列名），可另有“完成时限/时间节点”“目标/指标”“备注”列。",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in ACCEPTED_FORMATS:
            raise forms.ValidationError(f"不支持该文件格式。可导入：{ACCEPTED_TEXT}。")
        try:
            return upload.name, read_upload(upload)
        except SpreadsheetError as exc:
            raise forms.ValidationError(exc.message) from exc


class UnitChoicesForm(forms.Form):
    """One required choice per unknown unit name: an existing unit, or a new one."""

    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, unknown=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unknown = list(unknown)
        existing = [(str(d.pk), d.name) for d in Department.objects.order_by("sort_order", "name")]
        self.departments = Department.objects.in_bulk()
        for index, unit in enumerate(self.unknown):
            self.fields[f"unit_{index}"] = forms.ChoiceField(
                label=f"“{unit.name}”（{'、'.join(unit.wheres[:3])}）",
                choices=[("", "请选择…"), (NEW_UNIT, f"新建单位“{unit.name}”"), *existing],
                initial=str(unit.suggestion.pk) if unit.suggestion else "",
                help_text=f"建议：{unit.suggestion.name}" if unit.suggestion else "未找到相近单位",
            )

    def unit_map(self):
        chosen = {}
        for index, unit in enumerate(self.unknown):
            value = self.cleaned_data[f"unit_{index}"]
            chosen[unit.name] = None if value == NEW_UNIT else self.departments[int(value)]
        return chosen

    def unit_fields(self):
        return [self[f"unit_{i}"] for i in range(len(self.unknown))]


class PlanConfirmForm(UnitChoicesForm):
    title = forms.CharField(label="方案名称", max_length=200)
    issuer = forms.CharField(label="发文机关", max_length=100, required=False)
    document_date = forms.DateField(label="印发日期", required=False, help_text="格式：2020-06-15")
    start_year = forms.IntegerField(label="起始年度", min_value=2000, max_value=2100)
    end_year = forms.IntegerField(label="截止年度", min_value=2000, max_value=2100)


class AmendConfirmForm(UnitChoicesForm):
    document_number = forms.CharField(label="调整文号", max_length=100)
    effective_date = forms.DateField(label="生效日期", help_text="格式：2022-03-01")


def _remove_abandoned_uploads():
    if not default_storage.exists(STAGING_DIR):
        return
    cutoff = timezone.now() - STAGED_MAX_AGE
    for name in default_storage.listdir(STAGING_DIR)[1]:
        path = f"{STAGING_DIR}/{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)


def _stage(request, name, data):
    _remove_abandoned_uploads()
    token = uuid.uuid4().hex
    path = default_storage.save(
        f"{STAGING_DIR}/{token}{Path(name).suffix.lower()}", ContentFile(data)
    )
    request.session.setdefault(SESSION_KEY, {})[token] = {"path": path, "name": name}
    request.session.modified = True
    return token


def _staged(request, token):
    entry = request.session.get(SESSION_KEY, {}).get(token or "")
    if entry is None or not default_storage.exists(entry["path"]):
        raise PlanImportError(["上传的文件已过期，请重新选择文件。"])
    with default_storage.open(entry["path"], "rb") as fh:
        return entry["name"], fh.read()


def _unstage(request, token):
    entry = request.session.get(SESSION_KEY, {}).pop(token, None)
    request.session.modified = True
    if entry:
        default_storage.delete(entry["path"])


def _preview(request, *, plan):
    """(token, preview) from a new upload or the staged file named by the form's token."""
    if "file" in request.FILES:
        upload = AttachmentUploadForm(request.POST, request.FILES)
        if not upload.is_valid():
            raise PlanImportError(upload.errors["file"])
        name, data = upload.cleaned_data["file"]
        token = _stage(request, name, data)
    else:
        token = request.POST.get("token", "")
        name, data = _staged(request, token)
    preview = plan_import_preview(file=data, filename=name)
    if plan is not None:
        preview.diff = plan_amendment_diff(plan=plan, preview=preview)
    return token, preview


def _initial(preview, token):
    years = preview.years or (None, None)
    return {
        "token": token,
        "title": preview.title_guess,
        "start_year": years[0],
        "end_year": years[1],
    }


def _render(request, admin, *, plan, context):
    title = f"方案调整：{plan.title}" if plan else "导入方案附件（任务清单）"
    context = {
        **admin.admin_site.each_context(request),
        "opts": admin.opts,
        "title": title,
        "plan": plan,
        "accepted": ACCEPTED_TEXT,
        **context,
    }
    return TemplateResponse(request, "tasks/admin/import_attachment.html", context)


def _import_in_background(request, form, token):
    """Start the import job for the staged file; the job removes the file when done."""
    entry = request.session.get(SESSION_KEY, {}).pop(token)
    request.session.modified = True
    return job_start(
        kind=PLAN_IMPORT_JOB,
        user=request.user,
        params=plan_import_job_params(
            staged_path=entry["path"],
            filename=entry["name"],
            cleaned_data=form.cleaned_data,
            unit_map=form.unit_map(),
        ),
    )


def _too_large_for_the_request(preview, plan):
    return plan is None and len(preview.tasks) > settings.PLAN_IMPORT_INLINE_MAX_TASKS


def _confirm(request, form, preview, plan):
    data = form.cleaned_data
    if plan is None:
        return plan_import_apply(
            preview=preview,
            title=data["title"],
            unit_map=form.unit_map(),
            user=request.user,
            request=request,
            issuer=data["issuer"],
            document_date=data["document_date"],
            start_year=data["start_year"],
            end_year=data["end_year"],
        ).plan
    plan_amend(
        plan=plan,
        preview=preview,
        unit_map=form.unit_map(),
        user=request.user,
        request=request,
        document_number=data["document_number"],
        effective_date=data["effective_date"],
    )
    return plan


def attachment_flow(request, admin, *, plan=None):
    """Upload → preview with choices → confirm. Handles both import and amendment."""
    if request.method != "POST":
        return _render(request, admin, plan=plan, context={"upload": AttachmentUploadForm()})
    try:
        token, preview = _preview(request, plan=plan)
    except PlanImportError as exc:
        return _render(
            request,
            admin,
            plan=plan,
            context={"upload": AttachmentUploadForm(), "errors": exc.errors},
        )
    form_class = AmendConfirmForm if plan else PlanConfirmForm
    confirming = "_confirm" in request.POST
    form = form_class(
        request.POST if confirming else None,
        unknown=preview.unknown,
        initial=_initial(preview, token),
    )
    errors = []
    if confirming and form.is_valid() and _too_large_for_the_request(preview, plan):
        job = _import_in_background(request, form, token)
        return redirect("jobs:detail", job.pk)
    if confirming and form.is_valid():
        try:
            saved = _confirm(request, form, preview, plan)
        except PlanImportError as exc:
            errors = exc.errors
        else:
            _unstage(request, token)
            return _done(request, admin, saved, preview, amended=plan is not None)
    context = {"preview": preview, "form": form, "errors": errors, "upload": AttachmentUploadForm()}
    return _render(request, admin, plan=plan, context=context)


def _done(request, admin, plan, preview, *, amended):
    if amended:
        text = f"已调整《{plan.title}》：{sum(len(d.sentences()) for d in preview.diff)} 处变更。"
    else:
        text = f"导入方案附件《{plan.title}》：{len(preview.tasks)} 项任务"
    messages.success(request, text)
    return redirect("admin:tasks_plan_change", plan.pk)


def import_attachment_view(request, admin):
    if not may_import_plan(request.user, None):
        raise PermissionDenied
    return attachment_flow(request, admin)


def amend_attachment_view(request, admin, pk):
    if not (
        request.user.has_perm("tasks.change_plan") and request.user.has_perm("tasks.import_plan")
    ):
        raise PermissionDenied
    return attachment_flow(request, admin, plan=get_object_or_404(Plan, pk=pk))


CONTENT_TYPES = {"xlsx": XLSX_CONTENT_TYPE, "docx": DOCX_CONTENT_TYPE}


def export_attachment_view(request, pk, fmt="xlsx"):
    if not request.user.has_perm("tasks.export_plan"):
        raise PermissionDenied
    plan = get_object_or_404(Plan, pk=pk)
    content_type = CONTENT_TYPES[fmt]
    buffer = io.BytesIO()
    plan_export(plan=plan, output=buffer, fmt=fmt, request=request)
    response = HttpResponse(buffer.getvalue(), content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename=plan-{plan.pk}-tasks.{fmt}"
    return response
