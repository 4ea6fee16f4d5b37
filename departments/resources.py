"""django-import-export resource for the department directory (单位名录)."""

from import_export import fields, resources

from departments.models import Department
from huancui_vet.admin_imports import (
    ChineseColumnErrorsMixin,
    ChineseIntegerWidget,
    ChoiceLabelWidget,
    YesNoWidget,
)


class DepartmentResource(ChineseColumnErrorsMixin, resources.ModelResource):
    name = fields.Field(attribute="name", column_name="单位名称")
    short_name = fields.Field(attribute="short_name", column_name="简称")
    kind = fields.Field(
        attribute="kind", column_name="类别", widget=ChoiceLabelWidget(Department.Kind)
    )
    is_active = fields.Field(attribute="is_active", column_name="启用", widget=YesNoWidget())
    sort_order = fields.Field(
        attribute="sort_order", column_name="排序", widget=ChineseIntegerWidget()
    )

    class Meta:
        model = Department
        fields = ("name", "short_name", "kind", "is_active", "sort_order")
        import_id_fields = ("name",)
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = True
        report_skipped = True
