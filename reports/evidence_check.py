"""Content check for evidence uploads: the file's bytes must match its extension.

PDF, JPG and PNG are recognised by their magic bytes (`filetype`). DOCX and XLSX are ZIP
containers, so the archive must hold `[Content_Types].xml` and the part that makes it a Word
document (`word/document.xml`) or a workbook (`xl/workbook.xml`), with no macros
(`vbaProject.bin`) and no zip bomb (the spreadsheet limits of `huancui_vet.xlsx`). No file
may carry HTML or script markup (a PDF/PNG "polyglot" that a browser could render as a page).
"""

import zipfile

import filetype

from huancui_vet.xlsx import ZIP_SIGNATURE, SpreadsheetError, check_office_container

ALLOWED = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
OOXML_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
ACCEPT_ATTR = ",".join(f".{ext}" for ext in ALLOWED)

UNSUPPORTED = "仅支持 PDF、Word（.docx）、Excel（.xlsx）、JPG、PNG 格式的佐证材料。"
MISMATCH = "文件内容与扩展名不符（例如把其他类型的文件改成了 .{ext}），已拒绝上传。"
MARKUP = "文件中夹带网页或脚本代码，出于安全原因不予接收。请重新导出或扫描后再上传。"
# Markup a browser would run if it ever rendered the file as a page.
MARKUP_SIGNS = (
    b"<html",
    b"<script",
    b"<!doctype html",
    b"<iframe",
    b"<body",
    b"<svg",
    b"<?xml-stylesheet",
)


class EvidenceRejected(Exception):
    pass


def _extension(name):
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _zip_has(uploaded_file, part):
    """True if the container holds the part; EvidenceRejected for macros or a zip bomb."""
    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        uploaded_file.seek(0)
    try:
        check_office_container(entries)
    except SpreadsheetError as exc:
        raise EvidenceRejected(exc.message) from exc
    names = {entry.filename for entry in entries}
    return "[Content_Types].xml" in names and part in names


def _carries_markup(uploaded_file):
    """Scan PDF/image bytes (already size-limited) for HTML or script markup."""
    uploaded_file.seek(0)
    data = uploaded_file.read().lower()
    uploaded_file.seek(0)
    return any(sign in data for sign in MARKUP_SIGNS)


def detect_evidence_kind(uploaded_file):
    """Return the MIME type to store, or raise EvidenceRejected with a Chinese message."""
    ext = _extension(uploaded_file.name)
    if ext not in ALLOWED:
        raise EvidenceRejected(UNSUPPORTED)
    uploaded_file.seek(0)
    head = uploaded_file.read(8192)
    uploaded_file.seek(0)
    kind = filetype.guess(head)
    if ext in OOXML_PART:
        ok = kind is not None and kind.extension == "zip" or head[:4] == ZIP_SIGNATURE
        ok = ok and _zip_has(uploaded_file, OOXML_PART[ext])
    else:
        expected = "jpg" if ext == "jpeg" else ext
        ok = kind is not None and kind.extension == expected
    if not ok:
        raise EvidenceRejected(MISMATCH.format(ext=ext))
    if ext not in OOXML_PART and _carries_markup(uploaded_file):
        raise EvidenceRejected(MARKUP)
    return ALLOWED[ext]


def check_evidence_upload(uploaded_file, *, max_bytes):
    """Size, emptiness and content checks of any evidence upload (report or supervision).

    Returns (content_type, original_name) or raises EvidenceRejected with a Chinese message.
    """
    if uploaded_file.size > max_bytes:
        raise EvidenceRejected(f"文件过大：单个佐证材料不能超过 {max_bytes // (1024 * 1024)} MB。")
    if uploaded_file.size == 0:
        raise EvidenceRejected("文件为空，请重新选择。")
    content_type = detect_evidence_kind(uploaded_file)
    name = uploaded_file.name.replace("\\", "/").rsplit("/", 1)[-1][-200:]
    return content_type, name
