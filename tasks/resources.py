"""django-import-export resources for tasks and targets, plus the shared xlsx format.

Columns carry the attachment's Chinese captions; units are written by name, joined by 、,
with open-ended wording ("等") kept. Lookups are cached per import (one query per table,
not one per row), and every widget error is a Chinese ValueError so it lands in the
per-row error table of the admin's preview.
"""

from import_export import fields, resources, widgets

# Shared with the departments admin, so they live below both apps; re-exported here for the
# task and target resources.
from huancui_vet.admin_imports import (  # noqa: F401
    ChineseColumnErrorsMixin,
    ChineseDateWidget,
    ChineseDecimalWidget,
    ChineseIntegerWidget,
    ChoiceLabelWidget,
    SafeXLSX,
    YesNoWidget,
)
from tasks.models import Plan, Target, Task, TaskAssignment
from tasks.services import task_set_units
from tasks.units import UnitDirectory, compact, join_units


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
