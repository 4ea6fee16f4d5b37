"""Figures tokens (supervision.figure_cache): the table, a row for every plan and the global
row, and the triggers that renew them (supervision.figure_triggers)."""

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


def install_triggers(apps, schema_editor):
    figure_triggers.install(schema_editor)


def uninstall_triggers(apps, schema_editor):
    figure_triggers.uninstall(schema_editor)


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
