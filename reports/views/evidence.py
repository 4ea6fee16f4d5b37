"""Evidence files: upload to a draft, download through an access check, delete from a draft."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST, require_safe

from reports import services
from reports.access import get_evidence_for_user, get_report_for_user
from reports.forms import EvidenceForm


@require_POST
@permission_required("reports.add_evidence", raise_exception=True)
def evidence_upload(request, pk):
    report = get_report_for_user(request.user, pk, for_edit=True)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("reports:report_detail", pk=report.pk)
    try:
        evidence = services.evidence_add(
            user=request.user, report=report, uploaded_file=form.cleaned_data["file"]
        )
    except services.ReportError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已上传：{evidence.original_name}")
    return redirect("reports:report_detail", pk=report.pk)


@require_safe
@permission_required("reports.view_report", raise_exception=True)
def evidence_download(request, pk):
    evidence = get_evidence_for_user(request.user, pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不存在。") from None
    # as_attachment: never rendered inline by the browser, whatever the content.
    return FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )


# The file is its own document: no scripts, no forms, no plugins beyond the viewer, no
# same-origin access (a crafted file cannot act as the signed-in user), never framed.
INLINE_CSP = (
    "sandbox; default-src 'none'; img-src 'self'; object-src 'self'; "
    "style-src 'unsafe-inline'; frame-ancestors 'self'"
)


@require_safe
@permission_required("reports.view_report", raise_exception=True)
def evidence_view(request, pk):
    """Images and PDFs open in the browser (same access check as the download); any other
    type is downloaded exactly as by evidence_download."""
    evidence = get_evidence_for_user(request.user, pk)
    inline = evidence.opens_inline
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不存在。") from None
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    if inline:
        response["Content-Security-Policy"] = INLINE_CSP
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@permission_required("reports.delete_evidence", raise_exception=True)
def evidence_delete(request, pk):
    evidence = get_evidence_for_user(request.user, pk, for_edit=True)
    report_pk = evidence.report_id
    try:
        services.evidence_delete(user=request.user, evidence=evidence)
    except services.ReportError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已删除：{evidence.original_name}")
    return redirect("reports:report_detail", pk=report_pk)
