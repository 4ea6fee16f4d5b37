"""The workbook renders with LibreOffice: a PDF with pages, A4 landscape, Chinese text."""

import subprocess

import pytest

from supervision.tests.excel_fixtures import AS_OF, load_real_plan, seed_history
from supervision.workbook import build_workbook, collect_workbook_data

pytestmark = pytest.mark.render


def convert_to_pdf(soffice, source, outdir):
    # A private profile per run, so parallel test runs (and a desktop LibreOffice) don't clash.
    profile = (outdir / "lo-profile").as_uri()
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = outdir / (source.stem + ".pdf")
    assert pdf.exists(), "LibreOffice produced no PDF"
    return pdf


def test_workbook_renders_to_landscape_pages(world, soffice, tmp_path):
    plan = load_real_plan()
    seed_history(plan, user=world.reporter, skip_last_for={3, 9})
    source = tmp_path / "workbook.xlsx"
    data = collect_workbook_data(plan=plan, year=2023, as_of=AS_OF, user=None)
    build_workbook(data, source)

    pdf = convert_to_pdf(soffice, source, tmp_path)
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    fields = dict(line.split(":", 1) for line in info.stdout.splitlines() if ":" in line)
    pages = int(fields["Pages"])
    # 汇总 (2 pages: figures + chart, then the table), tasks, scores, overdue.
    assert pages >= 5
    width, height = (float(v) for v in fields["Page size"].split("pts")[0].split(" x "))
    assert width > height  # landscape
    assert abs(width - 842) < 3 and abs(height - 595) < 3  # A4 in points

    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert f"{plan.title}推进情况汇总" in text
    assert "第 1 页，共" in text
    assert "2023年6月30日" in text

    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")],
        check=True,
        capture_output=True,
    )
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == pages
    assert all(image.stat().st_size > 2000 for image in images)  # not blank pages
