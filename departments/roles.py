"""Which Django permissions each portal role's group holds.

Applied by data migrations (`sync_role_groups`), so a fresh database and an upgraded one
end up with the same groups. Add a permission here and a migration that calls
`sync_role_groups` again when a feature needs a new one.
"""

from departments.models import Role

_READ = ["tasks.view_plan", "tasks.view_task", "tasks.view_target", "reports.view_report"]
_REPORTER = _READ + [
    "reports.add_report",
    "reports.change_report",
    "reports.submit_report",
    "reports.add_evidence",
    "reports.delete_evidence",
]
_READ_ALL = _READ + ["reports.view_all_reports", "reports.view_dashboard"]

ROLE_PERMISSIONS = {
    Role.REPORTER: _REPORTER,
    Role.HEAD: _REPORTER + ["reports.signoff_report"],
    Role.SUPERVISOR: _READ_ALL + ["reports.review_report", "reports.close_period"],
    Role.LEADER: _READ_ALL,
    # Administrators manage the back office; they are also is_staff.
    Role.ADMINISTRATOR: _READ_ALL
    + [
        "reports.review_report",
        "reports.close_period",
        "departments.add_user",
        "departments.change_user",
        "departments.view_user",
        "departments.add_department",
        "departments.change_department",
        "departments.view_department",
        "tasks.add_plan",
        "tasks.change_plan",
        "tasks.add_task",
        "tasks.change_task",
        "tasks.add_target",
        "tasks.change_target",
        "tasks.delete_target",
        "tasks.add_taskassignment",
        "tasks.change_taskassignment",
        "tasks.delete_taskassignment",
        "tasks.view_taskassignment",
        "tasks.view_keyarea",
        "tasks.change_keyarea",
    ],
}


def sync_role_groups(apps, schema_editor=None):
    """Create each role's group and give it exactly the permissions listed above."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perm_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.label)
        perms = []
        for name in perm_names:
            app_label, codename = name.split(".")
            perms.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(perms)
