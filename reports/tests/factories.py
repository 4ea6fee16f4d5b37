"""Small builders for report tests: drafts, submissions and upload files."""

import datetime
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from reports import services
from reports.models import Report

JUNE = datetime.date(2023, 6, 1)
MAY = datetime.date(2023, 5, 1)

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100


def ooxml_bytes(part):
    """A minimal zip that looks like a .docx (word/document.xml) or .xlsx (xl/workbook.xml)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return buffer.getvalue()


def upload(name, content):
    return SimpleUploadedFile(name, content)


def pdf(name="佐证材料.pdf"):
    return upload(name, PDF_BYTES)


LEAD_FIELDS = {"progress_status": "on_track", "percent": 40, "work_done": "完成实训基地选址。"}


def draft(world, *, user=None, task=None, period=JUNE, fields=None, target_values=None):
    """A saved draft by `user` (the education bureau reporter by default)."""
    user = user or world.reporter
    task = task or world.task1
    report = services.report_start(user=user, task=task, period_start=period)
    if fields is None:
        fields = LEAD_FIELDS if report.is_lead_report else {"work_done": "配合完成调研。"}
    return services.report_save(
        user=user,
        report=report,
        expected_version=report.version,
        fields=fields,
        target_values=target_values,
    )


def submitted(world, **kwargs):
    report = draft(world, **kwargs)
    return services.report_submit(user=kwargs.get("user") or world.reporter, report=report)


def fresh(report):
    return Report.objects.get(pk=report.pk)


def milestone(world, indicator="达到国家办学标准", *, year=2024):
    """A yes/no target (a milestone: no number) on task 1."""
    from tasks.models import Target

    return Target.objects.create(
        task=world.task1,
        year=year,
        indicator=indicator,
        kind=Target.Kind.MILESTONE,
        source_sentence=f"{year}年{indicator}。",
    )
