from django.db import migrations

from departments.roles import sync_role_groups


class Migration(migrations.Migration):
    dependencies = [
        ("departments", "0001_initial"),
        ("tasks", "0001_initial"),
        ("reports", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
