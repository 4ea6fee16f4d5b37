"""The supervision vocabularies, each defined once (English values, Chinese labels).

Pages, the workbook and tests read labels and orders from here; the values are the strings
the templates and the CSS classes (light--red, badge--…) already use.
"""

from django.db import models


class Light(models.TextChoices):
    """A task's traffic light on the as-of date (in the order the dashboard ranks them)."""

    RED = "red", "滞后/逾期"
    AMBER = "amber", "预警"
    GREEN = "green", "正常推进"
    GREY = "grey", "未到期"


class ComplianceKind(models.TextChoices):
    """How one expected report stands on the as-of date (table order)."""

    ON_TIME = "on_time", "按期报送"
    LATE = "late", "逾期报送"
    RETURNED = "returned", "退回修改"
    MISSING = "missing", "逾期未报"
    AWAITING = "awaiting", "未到截止"


class TargetStatus(models.TextChoices):
    MET = "met", "已达成"
    MISSED = "missed", "未达成（已过期）"
    PENDING = "pending", "推进中"  # not due yet and not met


class Grade(models.TextChoices):
    """A department's grade; pages and the workbook show the label."""

    EXCELLENT = "excellent", "优秀"
    GOOD = "good", "良好"
    FAIR = "fair", "一般"
    POOR = "poor", "较差"
