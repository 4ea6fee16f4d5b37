"""One Chinese date formatter and one month arithmetic (huancui_vet.dates), used everywhere."""

import datetime

import pytest

from huancui_vet.dates import add_months, chinese_date, chinese_month
from reports.tests.factories import draft

D = datetime.date


def test_chinese_date_and_month():
    assert chinese_date(D(2023, 6, 30)) == "2023年6月30日"
    assert chinese_month(D(2023, 12, 1)) == "2023年12月"


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2023, 11, 15), 1, D(2023, 12, 1)),
        (D(2023, 12, 1), 1, D(2024, 1, 1)),
        (D(2024, 1, 31), -1, D(2023, 12, 1)),
        (D(2023, 1, 1), 12, D(2024, 1, 1)),
    ],
)
def test_add_months_gives_the_first_of_the_month(day, months, expected):
    assert add_months(day, months) == expected


def test_a_report_names_its_period_in_chinese(world):
    report = draft(world)
    assert str(report).endswith("2023年6月")
    assert "2023-06" not in str(report)
