"""The one Chinese date formatter and the one month arithmetic of the portal.

Templates use the `date` filter with the same patterns ("Y年n月j日", "Y年n月"); Python code
(labels, mail, workbook subtitles, scoring notes, model names) calls these.
"""

import datetime


def chinese_date(day: datetime.date) -> str:
    """2023年6月30日"""
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_month(day: datetime.date) -> str:
    """2023年6月"""
    return f"{day.year}年{day.month}月"


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after `day`'s month (negative: before)."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)
