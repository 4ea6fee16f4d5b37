"""Open a plan attachment in any accepted format and return its tables as grids.

Accepted: Word .docx, Excel .xlsx and .xls; Word .doc and WPS .wps are converted to .docx
with LibreOffice (`soffice --headless`) when it is installed. The size is checked before
anything is parsed; encrypted files (an OLE container where a zip package is expected, or
an encrypted .xls) are refused with a Chinese sentence.
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

from huancui_vet.xlsx import (
    OLE_SIGNATURE,
    ZIP_SIGNATURE,
    SpreadsheetError,
    check_office_zip,
    read_upload,
)
from tasks.docx import read_docx_grid
from tasks.xlsx import read_xls_grid, read_xlsx_grid

ACCEPTED_FORMATS = (".docx", ".xlsx", ".xls", ".doc", ".wps")
ACCEPTED_TEXT = "Word（.docx，.doc/.wps 需服务器安装 LibreOffice）或 Excel（.xlsx、.xls）"
CONVERT_TIMEOUT_SECONDS = 60
# The stream an Office program writes when a .docx/.xlsx is saved with a password.
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


def attachment_format(filename, data):
    """The format to read, from the file name, checked against the content."""
    suffix = Path(filename or "").suffix.lower()
    if suffix not in ACCEPTED_FORMATS:
        if data[:4] == ZIP_SIGNATURE and b"word/" in data[:4096]:
            return ".docx"
        if data[:4] == ZIP_SIGNATURE:
            return ".xlsx"
        raise SpreadsheetError(f"不支持该文件格式。可导入的格式：{ACCEPTED_TEXT}。")
    return suffix


def _refuse_encrypted(data):
    if data[:4] == OLE_SIGNATURE and _ENCRYPTED_STREAM in data:
        raise SpreadsheetError("文件设置了密码（已加密），无法读取：请去掉密码后再导入。")


def _soffice_to_docx(data, suffix):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise SpreadsheetError(
            f"服务器未安装 LibreOffice，无法读取 {suffix} 文件："
            "请用 Word 或 WPS 另存为 .docx 后再导入。"
        )
    with tempfile.TemporaryDirectory(prefix="plan-attachment-") as tmp:
        source = Path(tmp) / f"attachment{suffix}"
        source.write_bytes(data)
        command = [
            soffice,
            f"-env:UserInstallation=file://{tmp}/profile",  # a private profile: no lock clash
            "--headless",
            "--convert-to",
            "docx",
            "--outdir",
            tmp,
            str(source),
        ]
        try:
            # S603: the command is fixed; the only input is a file name we chose.
            subprocess.run(  # noqa: S603
                command, capture_output=True, timeout=CONVERT_TIMEOUT_SECONDS, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise SpreadsheetError(f"{suffix} 文件转换超时，请另存为 .docx 后再导入。") from exc
        converted = Path(tmp) / "attachment.docx"
        if not converted.exists():
            raise SpreadsheetError(
                f"无法转换该 {suffix} 文件（可能已损坏或设置了密码），请另存为 .docx 后再导入。"
            )
        return converted.read_bytes()


def _read_docx(data):
    if data[:4] != ZIP_SIGNATURE:
        raise SpreadsheetError("文件内容不是有效的 .docx 文档（可能是改了扩展名的其他文件）。")
    check_office_zip(data, main_part="word/document.xml", label=".docx 文档")
    try:
        return read_docx_grid(data)
    except Exception as exc:  # python-docx/lxml raise many types for malformed parts
        raise SpreadsheetError("无法读取该 .docx 文件，请用 Word 打开并重新保存后再导入。") from exc


def read_attachment(*, file, filename=""):
    """(Grid, format) of an uploaded attachment: a path, bytes or a file-like object.

    Refuses a file over UPLOAD_XLSX_MAX_BYTES after reading at most one byte more.
    """
    if not filename and isinstance(file, str | Path):
        filename = str(file)
    filename = filename or getattr(file, "name", "") or ""
    data = read_upload(file)
    fmt = attachment_format(filename, data)
    _refuse_encrypted(data)
    if fmt in (".doc", ".wps"):
        if data[:4] == ZIP_SIGNATURE:  # a .docx saved under the old extension
            return _read_docx(data), fmt
        return _read_docx(_soffice_to_docx(data, fmt)), fmt
    if fmt == ".docx":
        return _read_docx(data), fmt
    if fmt == ".xls":
        if data[:4] == ZIP_SIGNATURE:  # an .xlsx saved under the old extension
            return read_xlsx_grid(data), fmt
        return read_xls_grid(data), fmt
    return read_xlsx_grid(data), fmt
