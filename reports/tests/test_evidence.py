"""Evidence uploads: allowed types checked by content, size limit, access-checked download."""

import io
import zipfile

import pytest
from django.urls import reverse

from reports import services
from reports.models import Evidence
from reports.tests.factories import (
    EXE_BYTES,
    JPG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    draft,
    ooxml_bytes,
    pdf,
    submitted,
    upload,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("会议纪要.pdf", PDF_BYTES, "application/pdf"),
        ("现场照片.JPG", JPG_BYTES, "image/jpeg"),
        ("现场照片.jpeg", JPG_BYTES, "image/jpeg"),
        ("截图.png", PNG_BYTES, "image/png"),
        ("总结.docx", ooxml_bytes("word/document.xml"), DOCX),
        ("台账.xlsx", ooxml_bytes("xl/workbook.xml"), XLSX),
    ],
)
def test_allowed_files_are_stored_under_a_server_chosen_name(world, name, content, content_type):
    report = draft(world)
    evidence = services.evidence_add(
        user=world.reporter, report=report, uploaded_file=upload(name, content)
    )
    assert evidence.original_name == name
    assert evidence.content_type == content_type
    assert evidence.size == len(content)
    stored = evidence.file.name
    assert stored.startswith("evidence/") and name.rsplit(".", 1)[0] not in stored
    assert len(stored.rsplit("/", 1)[-1].split(".")[0]) >= 30


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("病毒.pdf", EXE_BYTES),  # an .exe renamed .pdf
        ("程序.exe", EXE_BYTES),
        ("照片.png", JPG_BYTES),  # a JPEG renamed .png
        ("伪装.docx", ooxml_bytes("xl/workbook.xml")),  # a workbook renamed .docx
        ("伪装.xlsx", b"PK\x03\x04not really a zip"),
        ("说明.txt", b"hello"),
        ("无扩展名", PDF_BYTES),
    ],
)
def test_files_whose_content_does_not_match_are_refused(world, name, content):
    report = draft(world)
    with pytest.raises(services.ReportError) as caught:
        services.evidence_add(
            user=world.reporter, report=report, uploaded_file=upload(name, content)
        )
    assert "仅支持" in caught.value.message or "内容与扩展名不符" in caught.value.message
    assert not Evidence.objects.exists()


def test_oversized_file_is_refused(world, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    report = draft(world)
    big = upload("大文件.pdf", PDF_BYTES + b"0" * 2048)
    with pytest.raises(services.ReportError, match="文件过大"):
        services.evidence_add(user=world.reporter, report=report, uploaded_file=big)
    assert not Evidence.objects.exists()


def test_upload_view_refuses_a_renamed_exe_with_a_chinese_message(client, world):
    report = draft(world)
    client.force_login(world.reporter)
    response = client.post(
        reverse("reports:evidence_upload", args=[report.pk]),
        {"file": upload("报告.pdf", EXE_BYTES)},
        follow=True,
    )
    assert "文件内容与扩展名不符" in response.content.decode()
    assert not Evidence.objects.exists()


def test_upload_view_refuses_a_200_mb_file(client, world, settings):
    # Same rule as a real 200 MB upload, without writing 200 MB in the test.
    settings.EVIDENCE_MAX_BYTES = 100
    report = draft(world)
    client.force_login(world.reporter)
    response = client.post(
        reverse("reports:evidence_upload", args=[report.pk]),
        {"file": upload("扫描件.pdf", PDF_BYTES + b" " * 200)},
        follow=True,
    )
    assert "文件过大" in response.content.decode()
    assert not Evidence.objects.exists()


def test_evidence_cannot_be_added_or_deleted_after_submission(world):
    report = draft(world)
    evidence = services.evidence_add(user=world.reporter, report=report, uploaded_file=pdf())
    report = services.report_submit(user=world.reporter, report=report)
    with pytest.raises(services.ReportError, match="只有草稿或被退回"):
        services.evidence_add(user=world.reporter, report=report, uploaded_file=pdf())
    with pytest.raises(services.ReportError, match="只有草稿或被退回"):
        services.evidence_delete(user=world.reporter, evidence=evidence)
    assert Evidence.objects.count() == 1


def test_delete_from_a_draft_removes_row_and_file(world, django_capture_on_commit_callbacks):
    report = draft(world)
    evidence = services.evidence_add(user=world.reporter, report=report, uploaded_file=pdf())
    storage, name = evidence.file.storage, evidence.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_delete(user=world.reporter, evidence=evidence)
    assert not Evidence.objects.exists()
    assert not storage.exists(name)


def test_download_is_an_attachment_with_the_chinese_name(client, world):
    report = submitted(world)
    evidence = Evidence.objects.create(
        report=report,
        file=upload("x.pdf", PDF_BYTES),
        original_name="实训基地验收报告.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
        uploaded_by=world.reporter,
    )
    client.force_login(world.leader)
    response = client.get(reverse("reports:evidence_download", args=[evidence.pk]))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%E5%AE%9E%E8%AE%AD" in disposition
    assert b"".join(response.streaming_content) == PDF_BYTES
    client.force_login(world.other_reporter)
    assert client.get(reverse("reports:evidence_download", args=[evidence.pk])).status_code == 404


def ooxml_with(part, extra_name, extra_bytes, *, compression=0):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
        archive.writestr(extra_name, extra_bytes)
    return buffer.getvalue()


HTML_PAYLOAD = b"<html><body><script>alert(document.cookie)</script></body></html>"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("宏.docx", ooxml_with("word/document.xml", "word/vbaProject.bin", b"\0" * 64), "宏"),
        ("宏.xlsx", ooxml_with("xl/workbook.xml", "xl/vbaProject.bin", b"\0" * 64), "宏"),
        (
            "炸弹.docx",
            ooxml_with(
                "word/document.xml", "word/media/x.bin", b"\0" * (60 * 1024 * 1024), compression=8
            ),
            "压缩炸弹",
        ),
        ("伪装.pdf", PDF_BYTES + HTML_PAYLOAD, "网页或脚本"),
        ("伪装.png", PNG_BYTES + b"<!DOCTYPE HTML>" + HTML_PAYLOAD, "网页或脚本"),
        ("伪装.jpg", JPG_BYTES + b"<SCRIPT src=x>", "网页或脚本"),
    ],
)
def test_macros_zip_bombs_and_html_polyglots_are_refused_by_content(world, name, content, message):
    report = draft(world)
    with pytest.raises(services.ReportError) as caught:
        services.evidence_add(
            user=world.reporter, report=report, uploaded_file=upload(name, content)
        )
    assert message in caught.value.message
    assert not Evidence.objects.exists()
