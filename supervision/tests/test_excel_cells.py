"""Formula neutralisation in the leadership workbook: typed text can never become a formula.

The CJK width helpers are tested with the shared xlsx module (huancui_vet/tests/test_xlsx.py).
"""

import io

import pytest
from openpyxl import Workbook, load_workbook

from supervision.tests.excel_fixtures import AS_OF, load_real_plan, seed_history
from supervision.workbook import build_workbook, collect_workbook_data
from supervision.workbook.cells import StyledCells

DANGEROUS = [
    '=HYPERLINK("http://evil.example","点我")',
    "+1",
    "-2+3",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
]


def roundtrip(values):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("t")
    cells = StyledCells(ws)
    ws.append([cells.cell(v) for v in values])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return list(load_workbook(buffer)["t"][1])


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_like_text_is_written_as_text(text):
    (cell,) = roundtrip([text])
    assert cell.data_type == "s"
    # XML turns a bare CR into LF when the file is read; the text is otherwise unchanged.
    assert cell.value == text.replace("\r", "\n")
    assert cell.quotePrefix is True


def test_plain_text_and_numbers_stay_as_they_are():
    text, number, fraction = roundtrip(["正常推进", 42, 0.25])
    assert text.data_type == "s" and text.quotePrefix is False
    assert number.data_type == "n" and number.value == 42
    assert fraction.data_type == "n" and fraction.value == 0.25


def test_control_characters_that_xml_cannot_hold_are_dropped():
    (cell,) = roundtrip(["进展\x0b说明\x00"])
    assert cell.value == "进展说明"


def test_reporter_text_in_the_workbook_is_inert(world):
    plan = load_real_plan()
    seed_history(plan, user=world.reporter, texts={n: DANGEROUS[n % 4] for n in range(1, 17)})
    data = collect_workbook_data(plan=plan, year=2023, as_of=AS_OF, user=None)
    buffer = io.BytesIO()
    build_workbook(data, buffer, include_details=True)
    buffer.seek(0)
    wb = load_workbook(buffer)
    seen = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                if cell.value in DANGEROUS[:4]:
                    seen += 1
                    assert cell.quotePrefix is True
    assert seen >= 16
    headers = [c.value for c in wb["任务推进情况"][3]]
    percent = wb["任务推进情况"].cell(row=4, column=headers.index("完成率") + 1)
    assert percent.data_type == "n"
