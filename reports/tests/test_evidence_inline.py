"""Evidence at a glance: images and PDFs open in the browser, safely; other types download;
the same access rule as the download for every role."""

import pytest
from django.urls import reverse

from reports import services
from reports.tests.factories import JPG_BYTES, PDF_BYTES, PNG_BYTES, draft, ooxml_bytes, upload

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def add(world, name, content):
    report = draft(world)
    return services.evidence_add(
        user=world.reporter, report=report, uploaded_file=upload(name, content)
    )


def view_url(evidence):
    return reverse("reports:evidence_view", kwargs={"pk": evidence.pk})


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("会议纪要.pdf", PDF_BYTES, "application/pdf"),
        ("现场照片.jpg", JPG_BYTES, "image/jpeg"),
        ("截图.png", PNG_BYTES, "image/png"),
    ],
)
def test_images_and_pdfs_open_inline_in_a_sandbox(client, world, name, content, content_type):
    evidence = add(world, name, content)
    client.force_login(world.neutral_supervisor)
    response = client.get(view_url(evidence))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("inline;")
    csp = response["Content-Security-Policy"]
    assert csp.startswith("sandbox;") and "default-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == content


def test_other_types_download_as_attachment_without_the_inline_policy(client, world):
    evidence = add(world, "总结.docx", ooxml_bytes("word/document.xml"))
    client.force_login(world.reporter)
    response = client.get(view_url(evidence))
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    assert response["Content-Disposition"].startswith("attachment;")
    assert not response["Content-Security-Policy"].startswith("sandbox")


def test_the_download_link_still_downloads_pdfs(client, world):
    evidence = add(world, "会议纪要.pdf", PDF_BYTES)
    client.force_login(world.reporter)
    response = client.get(reverse("reports:evidence_download", kwargs={"pk": evidence.pk}))
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("reporter", 200),
        ("head", 200),
        ("hr_reporter", 200),  # supporting unit on task 1 reads the lead report
        ("other_reporter", 404),
        ("supervisor", 200),
        ("leader", 200),
    ],
)
def test_inline_view_uses_the_download_access_rule(client, world, who, status):
    evidence = add(world, "现场照片.jpg", JPG_BYTES)
    client.force_login(getattr(world, who))
    assert client.get(view_url(evidence)).status_code == status
    download = reverse("reports:evidence_download", kwargs={"pk": evidence.pk})
    assert client.get(download).status_code == status


def test_anonymous_is_sent_to_login(client, world):
    evidence = add(world, "现场照片.jpg", JPG_BYTES)
    response = client.get(view_url(evidence))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_report_page_offers_online_view_only_for_inline_types(client, world):
    report = draft(world)
    pdf_evidence = services.evidence_add(
        user=world.reporter, report=report, uploaded_file=upload("会议纪要.pdf", PDF_BYTES)
    )
    docx = services.evidence_add(
        user=world.reporter,
        report=report,
        uploaded_file=upload("总结.docx", ooxml_bytes("word/document.xml")),
    )
    client.force_login(world.reporter)
    page = client.get(reverse("reports:report_detail", kwargs={"pk": report.pk})).text
    assert view_url(pdf_evidence) in page and view_url(docx) not in page
