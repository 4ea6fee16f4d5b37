"""Figures tokens (supervision.figure_cache): the table, a row for every plan and the global
row, and the triggers that renew them (supervision.figure_triggers), from the map frozen
below as it was when this migration was written (0011 replaced it)."""

import secrets

from django.db import migrations, models

from supervision import figure_triggers


def seed_tokens(apps, schema_editor):
    FiguresVersion = apps.get_model("supervision", "FiguresVersion")
    Plan = apps.get_model("tasks", "Plan")
    plan_ids = [0, *Plan.objects.values_list("pk", flat=True)]
    FiguresVersion.objects.bulk_create(
        [FiguresVersion(plan_id=pk, token=secrets.randbits(62)) for pk in plan_ids],
        ignore_conflicts=True,
    )


PLAN_OF_TASK = "SELECT t.plan_id AS plan_id FROM r JOIN tasks_task t ON t.id = r.task_id"
PLAN_OF_ORDER = (
    "SELECT o.plan_id AS plan_id FROM r JOIN supervision_supervisionorder o ON o.id = r.order_id"
)
PLAN_OR_GLOBAL = "SELECT COALESCE(r.plan_id, 0) AS plan_id FROM r"
FIGURE_TABLES = {
    "tasks_plan": (("id",), "SELECT r.id AS plan_id FROM r"),
    "tasks_task": (("plan_id",), "SELECT r.plan_id AS plan_id FROM r"),
    "tasks_taskassignment": (("task_id",), PLAN_OF_TASK),
    "tasks_target": (("task_id",), PLAN_OF_TASK),
    "departments_department": (("id",), "SELECT 0 AS plan_id FROM r"),
    "reports_report": (("task_id",), PLAN_OF_TASK),
    "reports_reportsummary": (("plan_id",), "SELECT r.plan_id AS plan_id FROM r"),
    "reports_targetvalue": (
        ("target_id",),
        "SELECT t.plan_id AS plan_id FROM r JOIN tasks_target g ON g.id = r.target_id "
        "JOIN tasks_task t ON t.id = g.task_id",
    ),
    "supervision_supervisionorder": (("plan_id",), "SELECT r.plan_id AS plan_id FROM r"),
    "supervision_orderunit": (("order_id",), PLAN_OF_ORDER),
    "supervision_orderevent": (("order_id",), PLAN_OF_ORDER),
    "supervision_verification": (("plan_id",), "SELECT r.plan_id AS plan_id FROM r"),
    "supervision_ordersettings": (("plan_id",), PLAN_OR_GLOBAL),
    "supervision_scoringsettings": (("plan_id",), PLAN_OR_GLOBAL),
}


def install_triggers(apps, schema_editor):
    figure_triggers.install(schema_editor, FIGURE_TABLES)


def uninstall_triggers(apps, schema_editor):
    figure_triggers.uninstall(schema_editor, FIGURE_TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0008_adjustment_withdrawal"),
        ("tasks", "0007_plan_and_key_area_history"),
        ("reports", "0003_summary_lead_accepted_index"),
        ("departments", "0007_unit_people_and_password_reset"),
    ]

    operations = [
        migrations.CreateModel(
            name="FiguresVersion",
            fields=[
                (
                    "plan_id",
                    models.BigIntegerField(primary_key=True, serialize=False, verbose_name="方案"),
                ),
                ("token", models.BigIntegerField(verbose_name="版本标记")),
            ],
            options={
                "verbose_name": "统计数据版本",
                "verbose_name_plural": "统计数据版本",
            },
        ),
        migrations.RunPython(seed_tokens, migrations.RunPython.noop),
        migrations.RunPython(install_triggers, uninstall_triggers),
    ]
