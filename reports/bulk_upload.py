"""Bulk entry from Excel, part 2: check an uploaded workbook and write the drafts.

The upload passes the file checks of huancui_vet/xlsx.py, then every row is
validated against the department's tasks (行号, 列, 原因 for each problem). Only when no row
is wrong are the drafts written, through reports.services in ONE transaction: a row the
services refuse rolls back every other row too.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction

from departments.audit import security_event_record
from departments.models import SecurityEvent
from huancui_vet.xlsx import (
    FORMULA_REFUSED,
    Formula,
    RowError,
    RowErrors,
    SpreadsheetError,
    cell_text,
    open_uploaded_xlsx,
    read_rows,
)
from reports.bulk import (
    FORMAT_VERSION,
    MAIN_COLUMNS,
    MAIN_SHEET,
    MAX_ROWS,
    META_SHEET,
    STATUS_BY_LABEL,
    TARGET_COLUMNS,
    TARGET_SHEET,
    TEXT_FIELDS,
    BulkRow,
    bulk_rows,
    target_value,
)
from reports.services import ReportError, check_yes_no, report_save, report_start
from tasks.periods import plan_periods

# Every import is an audited security event (who, file hash, outcome): ecosystem-security B5.


class BulkUploadError(RowErrors):
    """The upload was refused; `.errors` lists every RowError. Nothing was written."""


@dataclass
class Change:
    """What one uploaded row asks to write."""

    row: int
    bulk_row: BulkRow
    fields: dict
    target_values: dict = field(default_factory=dict)
    expected_version: int = 0


@dataclass(frozen=True)
class Meta:
    """What the hidden _meta sheet says about the workbook."""

    plan_id: int
    period_start: datetime.date
    department_id: int
    versions: dict  # task number -> report version at download (0: no report yet)


def _meta(workbook):
    if META_SHEET not in workbook.sheetnames or MAIN_SHEET not in workbook.sheetnames:
        raise BulkUploadError(
            [RowError(0, "文件", "这不是本平台下载的批量填报表，请先下载填报表再填写上传。")]
        )
    unknown = set(workbook.sheetnames) - {MAIN_SHEET, TARGET_SHEET, META_SHEET}
    if unknown:
        raise BulkUploadError(
            [RowError(0, "文件", f"表格中有多余的工作表：{'、'.join(sorted(unknown))}。")]
        )
    values = {}
    for row in workbook[META_SHEET].iter_rows(max_row=10, max_col=2, values_only=True):
        if row and row[0]:
            values[str(row[0])] = cell_text(row[1] if len(row) > 1 else None)
    if values.get("format") != FORMAT_VERSION:
        raise BulkUploadError([RowError(0, "文件", "填报表版本不符，请重新下载填报表。")])
    try:
        versions = {}
        for item in filter(None, values.get("versions", "").split(";")):
            number, version = item.split(":")
            versions[int(number)] = int(version)
        return Meta(
            plan_id=int(values["plan"]),
            period_start=datetime.date.fromisoformat(values["period"]),
            department_id=int(values["department"]),
            versions=versions,
        )
    except (KeyError, ValueError):
        raise BulkUploadError([RowError(0, "文件", "填报表已损坏，请重新下载。")]) from None


def read_meta_and_rows(uploaded_file):
    """Open the upload safely; return (Meta, {sheet name: rows})."""
    try:
        workbook = open_uploaded_xlsx(uploaded_file)
    except SpreadsheetError as exc:
        raise BulkUploadError([RowError(0, "文件", exc.message)]) from exc
    try:
        meta = _meta(workbook)
        sheets = {MAIN_SHEET: read_rows(workbook[MAIN_SHEET], max_rows=MAX_ROWS)}
        if TARGET_SHEET in workbook.sheetnames:
            sheets[TARGET_SHEET] = read_rows(workbook[TARGET_SHEET], max_rows=MAX_ROWS)
    except SpreadsheetError as exc:
        raise BulkUploadError([RowError(0, "文件", exc.message)]) from exc
    finally:
        workbook.close()
    return meta, sheets


def _columns(rows, expected, errors, sheet_label):
    """Map header → index from the first row whose first cell is the first expected header."""
    for index, (row_number, values) in enumerate(rows):
        names = [cell_text(v) for v in values]
        if names and names[0] == expected[0]:
            missing = [c for c in expected if c not in names]
            for column in missing:
                errors.append(RowError(row_number, column, f"{sheet_label}缺少该列。"))
            if missing:  # the rows cannot be read without their columns; the errors say why
                return None, []
            return {c: names.index(c) for c in expected}, rows[index + 1 :]
    errors.append(
        RowError(0, sheet_label, f"{sheet_label}找不到表头行（第一列应为“{expected[0]}”）。")
    )
    return None, []


def _int(value):
    text = cell_text(value).rstrip("%")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(value)
    return int(text)


def _percent_cell(value):
    """The cell as a number where it reads as one ("50", 50, "50%"), else its text for the
    service to refuse with its own message."""
    text = cell_text(value)
    if not text:
        return None
    try:
        return _int(value)
    except ValueError:
        return text


def _row_changed(bulk_row, fields, target_values):
    report = bulk_row.report
    if report is None:
        return any(v not in (None, "") for v in fields.values()) or any(
            v is not None for v in target_values.values()
        )
    for name, value in fields.items():
        current = getattr(report, name)
        if (current if current is not None else "") != (value if value is not None else ""):
            return True
    return any(target_value(report, target) != value for target, value in target_values.items())


def _task_row(row_number, get, by_number, seen):
    """(BulkRow, []) for the row's 序号, or (None, [RowError])."""
    number_text = cell_text(get("序号"))
    try:
        number = _int(get("序号"))
    except ValueError:
        return None, [RowError(row_number, "序号", f"序号“{number_text}”不是任务序号。")]
    bulk_row = by_number.get(number)
    if bulk_row is None:
        message = f"本单位不承担第 {number} 号任务，不能填报该任务。"
        return None, [RowError(row_number, "序号", message)]
    if number in seen:
        message = f"第 {number} 号任务与第 {seen[number]} 行重复。"
        return None, [RowError(row_number, "序号", message)]
    seen[number] = row_number
    return bulk_row, []


def _row_fields(row_number, get):
    """(fields, errors): the row's cells as report fields.

    Only the spreadsheet's own vocabulary is read here (a status by its Chinese label);
    every business rule (limits, ranges, what a supporting unit may fill) is checked by
    reports.services.report_save, whose errors apply_changes puts beside the cell.
    """
    fields = {name: cell_text(get(column)) for column, name in TEXT_FIELDS.items()}
    status_text = cell_text(get("推进状态"))
    status = STATUS_BY_LABEL.get(status_text) if status_text else ""
    errors = []
    if status is None:
        valid = "、".join(STATUS_BY_LABEL)
        message = f"推进状态“{status_text}”无效，应为：{valid}。"
        errors.append(RowError(row_number, "推进状态", message))
    fields.update(progress_status=status or "", percent=_percent_cell(get("完成百分比")))
    return fields, errors


def _main_sheet_changes(sheets, rows, errors):
    """{task number: Change} for every non-blank valid row of the main sheet."""
    by_number = {row.task.number: row for row in rows}
    main_columns = [c[0] for c in MAIN_COLUMNS]
    index, data = _columns(sheets[MAIN_SHEET], main_columns, errors, "填报表")
    changes: dict[int, Change] = {}
    seen: dict[int, int] = {}
    for row_number, values in data if index else []:

        def get(column, values=values):
            i = index.get(column)
            return values[i] if i is not None and i < len(values) else None

        formulas = [c for c in index if isinstance(get(c), Formula)]
        if formulas:
            errors.extend(RowError(row_number, c, FORMULA_REFUSED) for c in formulas)
            continue
        bulk_row, row_errors = _task_row(row_number, get, by_number, seen)
        if bulk_row is None:
            errors.extend(row_errors)
            continue
        fields, row_errors = _row_fields(row_number, get)
        errors.extend(row_errors)
        if not any(v not in (None, "") for v in fields.values()):
            continue  # a blank row is left alone (it never clears a draft)
        if not row_errors:
            changes[bulk_row.task.number] = Change(row=row_number, bulk_row=bulk_row, fields=fields)
    return changes


def _write_refusal(change, versions):
    """Why this change would overwrite someone's newer version (a RowError), or None.

    Whether the report may be changed at all (period closed, state) is the services' rule:
    report_save refuses and apply_changes reports it on the row.
    """
    bulk_row = change.bulk_row
    report = bulk_row.report
    number = bulk_row.task.number
    if versions.get(number, 0) != (report.version if report else 0):
        return RowError(
            change.row,
            "序号",
            f"第 {number} 号任务的本期报告在下载填报表后已被修改"
            "（可能是同事在网页上或通过上传修改），为免覆盖，请重新下载填报表后再填写。",
        )
    return None


def parse_changes(*, sheets, rows, versions):
    """Validate every uploaded row against the department's tasks; return [Change].

    Raises BulkUploadError with every problem found (行号, 列, 原因).
    """
    errors: list[RowError] = []
    changes = _main_sheet_changes(sheets, rows, errors)
    _parse_targets(sheets.get(TARGET_SHEET), rows, changes, errors)
    result = []
    for change in changes.values():
        bulk_row = change.bulk_row
        if bulk_row.is_lead and TARGET_SHEET in sheets:
            # Every target of the task: a blank cell clears the value. Without the sheet
            # (deleted by the user) the target values are left alone.
            change.target_values = {t: change.target_values.get(t) for t in bulk_row.targets}
        if not _row_changed(bulk_row, change.fields, change.target_values):
            continue
        refusal = _write_refusal(change, versions)
        if refusal is not None:
            errors.append(refusal)
            continue
        change.expected_version = bulk_row.report.version if bulk_row.report else 0
        result.append(change)
    if errors:
        raise BulkUploadError(sorted(errors, key=lambda e: e.row))  # stable: sheet order
    return result


def _parse_targets(rows_in_sheet, rows, changes, errors):
    if not rows_in_sheet:
        return
    label = "目标实际值表"
    index, data = _columns(rows_in_sheet, [c[0] for c in TARGET_COLUMNS], errors, label)
    targets = {t.pk: (row, t) for row in rows for t in row.targets}
    for row_number, values in data if index else []:
        value = values[index["本期实际值"]] if index["本期实际值"] < len(values) else None
        if isinstance(value, Formula):
            errors.append(RowError(row_number, f"本期实际值（{label}）", FORMULA_REFUSED))
            continue
        try:
            target_id = _int(values[index["目标编号"]])
        except (ValueError, IndexError):
            errors.append(RowError(row_number, f"目标编号（{label}）", "目标编号无效。"))
            continue
        if target_id not in targets:
            errors.append(
                RowError(row_number, f"目标编号（{label}）", "该目标不属于本单位牵头的任务。")
            )
            continue
        bulk_row, target = targets[target_id]
        number = None
        if cell_text(value):
            try:
                number = Decimal(cell_text(value))
                if not number.is_finite() or number < 0 or number >= Decimal("1e10"):
                    raise InvalidOperation
            except InvalidOperation:
                errors.append(
                    RowError(row_number, f"本期实际值（{label}）", "实际值必须是不小于0的数字。")
                )
                continue
            try:
                check_yes_no(target, number, stored=target_value(bulk_row.report, target))
            except ReportError as exc:
                errors.append(RowError(row_number, f"本期实际值（{label}）", exc.message))
                continue
            number = number.quantize(Decimal("0.01"))
        change = changes.get(bulk_row.task.number)
        if change is None:  # only the target sheet touches this task
            change = changes[bulk_row.task.number] = Change(
                row=row_number, bulk_row=bulk_row, fields={}
            )
        change.target_values[target] = number


class _Rollback(Exception):
    pass


# The column of each report field, to put a service's field error beside its cell.
FIELD_COLUMNS = {
    **{name: column for column, name in TEXT_FIELDS.items()},
    "progress_status": "推进状态",
    "percent": "完成百分比",
}


def _row_errors(row, exc):
    """A service's refusal as RowErrors: one per field it names, else one for the row."""
    if not exc.field_errors:
        return [RowError(row, "序号", exc.message)]
    return [
        RowError(row, FIELD_COLUMNS.get(name, "序号"), message)
        for name, message in exc.field_errors.items()
    ]


def apply_changes(*, user, plan, period_start, changes):
    """Create or update the drafts, all in one transaction. Returns (created, updated).

    Raises BulkUploadError (and writes nothing) if the services refuse any row.
    """
    errors = []
    created = updated = 0
    try:
        with transaction.atomic():
            for change in changes:
                existing = change.bulk_row.report
                try:
                    report = report_start(
                        user=user, task=change.bulk_row.task, period_start=period_start
                    )
                    report_save(
                        user=user,
                        report=report,
                        expected_version=change.expected_version,
                        fields=change.fields,
                        target_values=change.target_values or None,
                    )
                except ReportError as exc:
                    errors.extend(_row_errors(change.row, exc))
                    continue
                if existing is None:
                    created += 1
                else:
                    updated += 1
            if errors:
                raise _Rollback
    except _Rollback:
        raise BulkUploadError(errors) from None
    return created, updated


def upload_workbook(*, user, uploaded_file, plans):
    """Validate and write an uploaded workbook. Returns (plan, period_start, created, updated).

    `plans` are the plans the user's department works on. Raises BulkUploadError.
    """
    try:
        meta, sheets = read_meta_and_rows(uploaded_file)
        plan_id, period_start = meta.plan_id, meta.period_start
        if meta.department_id != user.department_id:
            raise BulkUploadError(
                [RowError(0, "文件", "这份填报表是其他单位的，只能上传本单位下载的填报表。")]
            )
        plan = next((p for p in plans if p.pk == plan_id), None)
        if plan is None or period_start not in {p.start for p in plan_periods(plan)}:
            raise BulkUploadError(
                [RowError(0, "文件", "填报表中的方案或填报期不存在，请重新下载。")]
            )
        rows = bulk_rows(department=user.department, plan=plan, period_start=period_start)
        changes = parse_changes(
            sheets=sheets,
            rows=rows,
            versions=meta.versions,
        )
        created, updated = apply_changes(
            user=user, plan=plan, period_start=period_start, changes=changes
        )
    except BulkUploadError as exc:
        security_event_record(
            kind=SecurityEvent.Kind.IMPORT,
            user=user,
            detail=f"批量填报被拒绝：{len(exc.errors)} 处错误；sha256={_sha256(uploaded_file)}",
        )
        raise
    security_event_record(
        kind=SecurityEvent.Kind.IMPORT,
        user=user,
        detail=(
            f"批量填报 方案{plan.pk} {period_start.isoformat()}：新增 {created}、更新 {updated}；"
            f"文件 sha256={_sha256(uploaded_file)}"
        ),
    )
    return plan, period_start, created, updated


def _sha256(uploaded_file):
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest()
