"""Figures triggers leave draft-only writes out (supervision.figure_triggers): reinstalled
from the module, as 0009 installed them."""

from django.db import migrations

from supervision import figure_triggers


def install_triggers(apps, schema_editor):
    figure_triggers.install(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("supervision", "0010_order_units_host_first")]

    operations = [migrations.RunPython(install_triggers, install_triggers)]
