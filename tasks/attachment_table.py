"""Find the task table in an attachment's grids and read its rows by column role.

The header row is found by its Chinese captions, whatever synonyms and title rows the
issuing office used. Word attachments split one table over several (a page break, a table
per section, header rows repeated on every page): a table without its own header continues
the previous one if it has as many columns, and a row that repeats the header is skipped.
"""

import re
from dataclasses import dataclass, field

from huancui_vet.xlsx import SpreadsheetError

# Header captions seen in real attachments, whitespace removed.
HEADER_SYNONYMS = {
    "number": {"序号", "编号", "任务序号", "序"},
    "content": {"任务内容", "工作任务", "重点任务", "主要任务", "具体任务", "任务", "工作内容"},
    "lead": {"牵头单位", "牵头部门", "牵头责任单位"},
    "support": {"责任单位", "责任部门", "配合单位", "配合部门", "参与单位", "协办单位"},
    "deadline": {"完成时限", "时间节点", "完成时间", "时限要求", "时间安排", "完成时限要求"},
    "target": {"目标", "指标", "目标任务", "工作目标", "主要目标", "预期目标", "目标要求"},
    "remark": {"备注", "说明"},
}
_HEADER_SEARCH_ROWS = 15
_SPACES = re.compile(r"[\s\u3000\u00a0\ufeff]+")
# "（2020—2023年）", "2020-2023年", "2021年至2025年"; a single "（2022年）" too.
_YEAR_RANGE = re.compile(r"(20\d{2})\s*年?\s*[—–\-－~～至到]+\s*(20\d{2})\s*年")
_SINGLE_YEAR = re.compile(r"[（(]\s*(20\d{2})\s*年\s*[）)]")
_TITLE_NOISE = re.compile(r"^附件\s*\d*\s*[:：]?\s*|[（(]\s*20\d{2}[^）)]*[）)]\s*$")
_TITLE_TAIL = re.compile(r"(?:任务清单|任务分工(?:表|方案)?|重点任务分工表?)$")


def caption(value):
    return _SPACES.sub("", str(value or "")).rstrip("：:")


@dataclass
class TaskTable:
    columns: dict  # role -> 0-based column index; "lead" may be missing (single-column layout)
    rows: list  # [(where, {role: value})], where = "第3行" / "第2个表格第3行"
    title: str = ""  # the text above the header ("附件：…任务分工（2020—2023年）")
    years: tuple | None = None  # (start, end) read from the title
    skipped_headers: int = 0
    labels: list = field(default_factory=list)


def _header(row):
    columns = {}
    for c, value in enumerate(row):
        cap = caption(value)
        for role, captions in HEADER_SYNONYMS.items():
            if cap in captions and role not in columns:
                columns[role] = c
    if "content" in columns and ("lead" in columns or "support" in columns):
        return columns
    return None


def _find_header(rows):
    for index, (_, row) in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        columns = _header(row)
        if columns:
            return index, columns
    return None, None


def title_years(text):
    """(start, end) years a title states, or None."""
    match = _YEAR_RANGE.search(text or "")
    if match:
        start, end = int(match.group(1)), int(match.group(2))
        return (start, end) if start <= end else None
    match = _SINGLE_YEAR.search(text or "")
    return (int(match.group(1)),) * 2 if match else None


def title_name(text):
    """A plan name from a title line: "附件：" and the years in brackets removed."""
    return _TITLE_TAIL.sub("", _TITLE_NOISE.sub("", (text or "").strip()).strip())


def _row_values(row, columns):
    return {role: (row[c] if c < len(row) else None) for role, c in columns.items()}


def _where(table, number, several):
    return f"{table.label}第{number}行" if several else f"第{number}行"


def find_task_table(grid):
    """The task rows of every table that carries (or continues) the task table."""
    several = grid.document and len(grid.tables) > 1
    result, header_values = None, None
    for table in grid.tables:
        index, columns = _find_header(table.rows)
        if index is None:
            if result is None or not _continues(table, result.columns):
                continue
            index = -1  # a continuation: every row is a task row
        elif result is None:
            above = [str(v) for _, row in table.rows[:index] for v in row if v]
            result = TaskTable(columns=columns, rows=[], title=" ".join(grid.title_lines + above))
        elif columns != result.columns:
            continue  # another kind of table (a contact list, a signature block)
        header_values = header_values or [caption(v) for v in table.rows[max(index, 0)][1]]
        result.labels.append(table.label)
        for number, row in table.rows[index + 1 :]:
            if [caption(v) for v in row] == header_values:
                result.skipped_headers += 1  # the header repeated on a new page
                continue
            result.rows.append((_where(table, number, several), _row_values(row, result.columns)))
        if not grid.document:
            break  # spreadsheets: the first sheet with a task table is the table
    if result is None:
        raise SpreadsheetError(
            "未找到任务表：表头应包含“任务内容”（或“工作任务”“重点任务”）"
            "以及“牵头单位”或“责任单位”等列。"
        )
    result.years = title_years(result.title)
    return result


def _continues(table, columns):
    width = max((len(row) for _, row in table.rows), default=0)
    return width > max(columns.values())
