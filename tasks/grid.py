"""What every attachment reader returns: tables as grids of cell values, plus title lines.

A grid cell is the value as the file holds it (text, number, date or None). Merged cells
follow one rule in every format: a horizontal merge keeps the value in its first column, a
vertical merge repeats it in every row it spans.
"""

from dataclasses import dataclass, field


@dataclass
class TableGrid:
    label: str  # where the table is, for messages: "工作表“任务清单”", "第2个表格"
    rows: list  # [(row number within the table, [cell values])]


@dataclass
class Grid:
    tables: list[TableGrid] = field(default_factory=list)
    title_lines: list[str] = field(default_factory=list)  # text above the tables (docx)
    document: bool = False  # a Word document: all its tables may hold the task table
