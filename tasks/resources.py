"""django-import-export resources for tasks and targets, plus the shared xlsx format.

Columns carry the attachment's Chinese captions; units are written by name, joined by 、,
with open-ended wording ("等") kept. Lookups are cached per import (one query per table,
not one per row), and every widget error is a Chinese ValueError so it lands in the
per-row error table of the admin's preview.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from import_export import fields, resources, widgets
from import_export.formats.base_formats import XLSX

from huancui_vet.xlsx import check_xlsx, read_upload, set_text
from tasks.models import Plan, Target, Task, TaskAssignment
from tasks.services import task_set_units
from tasks.units import UnitDirectory, compact, join_units


class SafeXLSX(XLSX):
    """XLSX that checks uploads like the plan importer and never writes live formulas.

    import-export's own escaping strips a leading "=" and turns every cell into text
    (security notes §A1.6); here numbers stay numbers and risky strings are quote-prefixed.
    """

    def create_dataset(self, in_stream):
        check_xlsx(read_upload(in_stream))
        return super().create_dataset(in_stream)

    def export_data(self, dataset, **kwargs):
        import io

        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = (dataset.title or "数据")[:31]
        ws.append(list(dataset.headers or []))
        for r, row in enumerate(dataset, start=2):
            for c, value in enumerate(row, start=1):
                set_text(ws.cell(row=r, column=c), value)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()


class ChoiceLabelWidget(widgets.Widget):
    """TextChoices by their Chinese label ("政府部门"); the stored value is accepted too."""

    def __init__(self, choices, **kwargs):
        self.choices = choices
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = compact(value)
        if not text:
            return None
        for choice in self.choices:
            if text in (choice.label, choice.value):
                return choice.value
        labels = "、".join(c.label for c in self.choices)
        raise ValueError(f"“{value}”不是有效的选项，应为：{labels}")

    def render(self, value, obj=None, **kwargs):
        for choice in self.choices:
            if value == choice.value:
                return choice.label
        return value or ""


class YesNoWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = compact(value)
        if text in ("", "None"):
            return None
        if text in ("是", "1", "True", "true", "启用"):
            return True
        if text in ("否", "0", "False", "false", "停用"):
            return False
        raise ValueError(f"“{value}”应为“是”或“否”")

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class ChineseDecimalWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = compact(value).rstrip("%％")
        if not text:
            return None
        try:
            return Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(f"“{value}”不是数字") from exc

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None
        return int(value) if value == value.to_integral_value() else float(value)


class ChineseIntegerWidget(widgets.IntegerWidget):
    """IntegerWidget with a Chinese error, not `[<class 'decimal.ConversionSyntax'>]`."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except (InvalidOperation, ValueError, TypeError) as exc:
            raise ValueError(f"“{value}”不是整数") from exc


class ChineseDateWidget(widgets.DateWidget):
    """DateWidget with a Chinese error (import-export's own says "Value could not be parsed")."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"“{value}”不是有效日期，应写作 2023-06-30") from exc


class PlanByTitleWidget(widgets.CachedForeignKeyWidget):
    def __init__(self, **kwargs):
        super().__init__(Plan, field="title", **kwargs)

    def clean(self, value, row=None, **kwargs):
        if not compact(value):
            raise ValueError("缺少方案名称")
        try:
            return super().clean(str(value).strip(), row, **kwargs)
        except Plan.DoesNotExist as exc:
            raise ValueError(f"方案“{value}”不存在") from exc


class UnitsWidget(widgets.Widget):
    """A unit cell ⇄ (list of (Department, written_as), open-ended note).

    The directory of names and aliases is loaded once per resource (two queries).
    """

    def __init__(self, resource, *, required, **kwargs):
        self.resource = resource
        self.required = required
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        directory = self.resource.unit_directory()
        parsed = directory.split(value)
        if self.required and not parsed.names:
            raise ValueError("缺少牵头单位")
        unknown = [name for name in parsed.names if directory.get(name) is None]
        if unknown:
            raise ValueError("以下单位不在单位名录中：" + "、".join(f"“{n}”" for n in unknown))
        units = []
        for name in parsed.names:
            dept = directory.get(name)
            units.append((dept, "" if name == dept.name else name))
        return units, parsed.note

    def render(self, value, obj=None, **kwargs):
        if isinstance(value, tuple):  # the parsed form, shown in the import preview
            units, note = value
            return join_units([written or dept.name for dept, written in units], note)
        return value or ""


REQUIRED = "此项为必填项，不能为空。"


class ChineseColumnErrorsMixin:
    """Key row errors by the sheet's Chinese column caption, not the model's field name.

    The admin's error table labels each error with its key: "排序", not "sort_order".
    Errors on a model field without a column keep the field's verbose name.
    """

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as exc:
            raise ValidationError(self._chinese_keys(instance, exc.error_dict)) from exc

    def _chinese_keys(self, instance, error_dict):
        captions = {f.attribute: f.column_name for f in self.fields.values() if f.attribute}
        renamed = {}
        for key, errors in error_dict.items():
            label = captions.get(key)
            if label is None and key != NON_FIELD_ERRORS:
                try:
                    label = str(instance._meta.get_field(key).verbose_name)
                except FieldDoesNotExist:
                    label = key
            messages = [REQUIRED if e.code in ("null", "blank") else e for e in errors]
            renamed.setdefault(label or key, []).extend(messages)
        return renamed


class TaskResource(ChineseColumnErrorsMixin, resources.ModelResource):
    plan = fields.Field(attribute="plan", column_name="方案", widget=PlanByTitleWidget())
    number = fields.Field(attribute="number", column_name="序号", widget=ChineseIntegerWidget())
    content = fields.Field(attribute="content", column_name="任务内容")
    lead_units = fields.Field(attribute="imported_lead_units", column_name="牵头单位")
    supporting_units = fields.Field(attribute="imported_supporting_units", column_name="责任单位")
    deadline = fields.Field(
        attribute="deadline", column_name="完成时限", widget=ChineseDateWidget("%Y-%m-%d")
    )

    class Meta:
        model = Task
        fields = ("plan", "number", "content", "lead_units", "supporting_units", "deadline")
        import_id_fields = ("plan", "number")
        clean_model_instances = True
        use_transactions = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._directory = None
        self.fields["lead_units"].widget = UnitsWidget(self, required=True)
        self.fields["supporting_units"].widget = UnitsWidget(self, required=False)

    def unit_directory(self):
        if self._directory is None:
            self._directory = UnitDirectory.load()
        return self._directory

    def get_queryset(self):
        return Task.objects.select_related("plan").with_units()

    def _units_text(self, task, role):
        names = [a.unit_text for a in task.assignments.all() if a.role == role]
        note = task.lead_note if role == TaskAssignment.Role.LEAD else task.support_note
        return join_units(names, note)

    def dehydrate_lead_units(self, task):
        return self._units_text(task, TaskAssignment.Role.LEAD)

    def dehydrate_supporting_units(self, task):
        return self._units_text(task, TaskAssignment.Role.SUPPORT)

    def before_save_instance(self, instance, row, **kwargs):
        # The notes live on the task itself; set them before its single save.
        for attr, note_attr in (
            ("imported_lead_units", "lead_note"),
            ("imported_supporting_units", "support_note"),
        ):
            if hasattr(instance, attr):
                setattr(instance, note_attr, getattr(instance, attr)[1])

    def after_save_instance(self, instance, row, **kwargs):
        lead = getattr(instance, "imported_lead_units", None)
        support = getattr(instance, "imported_supporting_units", None)
        if lead is None and support is None:
            return
        if lead is None or support is None:
            current = Task.objects.with_units().get(pk=instance.pk)
            keep = {
                role: [
                    (a.department, a.written_as)
                    for a in current.assignments.all()
                    if a.role == role
                ]
                for role in TaskAssignment.Role.values
            }
        task_set_units(
            task=instance,
            lead=lead[0] if lead is not None else keep[TaskAssignment.Role.LEAD],
            support=support[0] if support is not None else keep[TaskAssignment.Role.SUPPORT],
        )


class TaskByNumberWidget(widgets.Widget):
    """The 任务序号 column, read together with the row's 方案 column (tasks cached once)."""

    def __init__(self, resource, **kwargs):
        self.resource = resource
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        plan_title = compact((row or {}).get("方案"))
        if not plan_title:
            raise ValueError("缺少方案名称")
        try:
            number = int(value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"任务序号“{value}”不是整数") from exc
        task = self.resource.task_index().get((plan_title, number))
        if task is None:
            raise ValueError(f"方案“{plan_title}”中没有序号为 {number} 的任务")
        return task

    def render(self, value, obj=None, **kwargs):
        return value.number if value else None


class TargetResource(ChineseColumnErrorsMixin, resources.ModelResource):
    plan = fields.Field(column_name="方案", readonly=True)
    task = fields.Field(attribute="task", column_name="任务序号")
    year = fields.Field(attribute="year", column_name="年度", widget=ChineseIntegerWidget())
    indicator = fields.Field(attribute="indicator", column_name="指标")
    target_value = fields.Field(
        attribute="target_value", column_name="目标值", widget=ChineseDecimalWidget()
    )
    unit = fields.Field(attribute="unit", column_name="单位")
    kind = fields.Field(attribute="kind", column_name="类型", widget=ChoiceLabelWidget(Target.Kind))
    source_sentence = fields.Field(attribute="source_sentence", column_name="原文依据")

    class Meta:
        model = Target
        fields = (
            "plan",
            "task",
            "year",
            "indicator",
            "target_value",
            "unit",
            "kind",
            "source_sentence",
        )
        import_id_fields = ("task", "year", "indicator")
        clean_model_instances = True
        use_transactions = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._tasks = None
        self.fields["task"].widget = TaskByNumberWidget(self)

    def task_index(self):
        if self._tasks is None:
            self._tasks = {
                (compact(t.plan.title), t.number): t for t in Task.objects.select_related("plan")
            }
        return self._tasks

    def get_queryset(self):
        return Target.objects.select_related("task__plan")

    def dehydrate_plan(self, target):
        return target.task.plan.title
