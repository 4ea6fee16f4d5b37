"""Figures triggers leave draft-only writes out (supervision.figure_triggers): the report,
summary and target value triggers of 0009 get a WHERE on the report's state. Both maps are
frozen (0009's in that migration), so going back reinstalls exactly the triggers before."""

import importlib

from django.db import migrations

from supervision import figure_triggers

BEFORE = importlib.import_module("supervision.migrations.0009_figures_version").FIGURE_TABLES
PLAN_OF_TASK = "SELECT t.plan_id AS plan_id FROM r JOIN tasks_task t ON t.id = r.task_id"
FIGURE_TABLES = {
    **BEFORE,
    "reports_report": (("task_id", "state"), f"{PLAN_OF_TASK} WHERE r.state <> 'draft'"),
    "reports_reportsummary": (
        ("plan_id", "state"),
        "SELECT r.plan_id AS plan_id FROM r WHERE r.state <> 'draft'",
    ),
    "reports_targetvalue": (
        ("target_id", "report_id"),
        "SELECT t.plan_id AS plan_id FROM r JOIN tasks_target g ON g.id = r.target_id "
        "JOIN tasks_task t ON t.id = g.task_id "
        "JOIN reports_report x ON x.id = r.report_id WHERE x.state <> 'draft'",
    ),
}


def skip_drafts(apps, schema_editor):
    figure_triggers.install(schema_editor, FIGURE_TABLES)


def count_drafts(apps, schema_editor):
    figure_triggers.install(schema_editor, BEFORE)


class Migration(migrations.Migration):
    dependencies = [("supervision", "0010_order_units_host_first")]

    operations = [migrations.RunPython(skip_drafts, count_drafts)]
