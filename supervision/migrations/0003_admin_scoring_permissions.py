"""Let the administrator role edit the scorecard settings in the admin.

Adds (never replaces) the permissions on the existing group, so it is independent of the
order in which other apps' migrations run `departments.roles.sync_role_groups`.
"""

from django.db import migrations

ADMIN_GROUP = "系统管理员"
CODENAMES = ["add_scoringsettings", "change_scoringsettings", "view_scoringsettings"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("supervision")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=ADMIN_GROUP)
    perms = Permission.objects.filter(content_type__app_label="supervision", codename__in=CODENAMES)
    group.permissions.add(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0002_scoring_settings"),
        ("departments", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
