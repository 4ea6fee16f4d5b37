"""Which Django permissions each portal role's group holds: the single source of truth.

The groups are created by a data migration and re-synced after every `migrate` (and every
test-database flush) by a post_migrate handler, so a fresh database, an upgraded one and a
flushed one end up with exactly these permissions. To grant a feature's new permission,
add it here; nothing else.
"""

from departments.models import Role

_READ = [
    "tasks.view_plan",
    "tasks.view_task",
    "tasks.view_target",
    "reports.view_report",
    # Supervision orders and verifications are scoped per unit by supervision.orders.access.
    "supervision.view_supervisionorder",
    "supervision.view_verification",
    # Year-end evaluations: units read their own published line (supervision.evaluation.access).
    "supervision.view_evaluation",
]
_REPORTER = _READ + [
    "reports.add_report",
    "reports.change_report",
    "reports.submit_report",
    "reports.add_evidence",
    "reports.delete_evidence",
    "supervision.handle_order",  # acknowledge, reply, ask for an extension (主办 unit only)
]
_READ_ALL = _READ + ["reports.view_all_reports", "reports.view_dashboard"]
# Supervisors issue, urge, close and verify (督查督办); leaders add instructions (领导批示).
_SUPERVISE = ["supervision.issue_order", "supervision.manage_evaluation"]

ROLE_PERMISSIONS = {
    Role.REPORTER: _REPORTER,
    Role.HEAD: _REPORTER
    + [
        "reports.signoff_report",
        "notifications.manage_unit_webhooks",
        "departments.manage_unit_users",
    ],
    Role.SUPERVISOR: _READ_ALL + _SUPERVISE + ["reports.review_report", "reports.close_period"],
    # Leaders also approve (审定) or return the year-end evaluation.
    Role.LEADER: _READ_ALL + ["supervision.instruct_order", "supervision.approve_evaluation"],
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
        "tasks.add_keyarea",
        "tasks.import_plan",
        "tasks.export_plan",
        "tasks.import_task",
        "tasks.export_task",
        "tasks.import_target",
        "tasks.export_target",
        "tasks.add_departmentalias",
        "tasks.change_departmentalias",
        "tasks.delete_departmentalias",
        "tasks.view_departmentalias",
        "departments.import_department",
        "departments.export_department",
        "supervision.add_scoringsettings",
        "supervision.change_scoringsettings",
        "supervision.view_scoringsettings",
        "supervision.view_reportdelivery",
        "supervision.issue_order",
        "supervision.add_ordersettings",
        "supervision.change_ordersettings",
        "supervision.view_ordersettings",
        "departments.view_securityevent",
        "notifications.view_notice",
        "notifications.view_delivery",
        # Background jobs (我的导出): read-only in the admin, to see stuck or failed ones.
        "jobs.view_job",
        "notifications.change_delivery",
        "notifications.add_unitwebhook",
        "notifications.change_unitwebhook",
        "notifications.delete_unitwebhook",
        "notifications.view_unitwebhook",
    ],
}


def sync_role_groups(apps, schema_editor=None, *, create_missing_permissions=True):
    """Create each role's group and give it exactly the permissions listed above.

    Works with historical models (from a migration) and real ones (post_migrate). A
    permission whose model does not exist yet at that migration is skipped; the
    post_migrate run at the end of `migrate` grants it.
    """
    if create_missing_permissions:
        from django.contrib.auth.management import create_permissions

        for app_config in apps.get_app_configs():
            had_models_module = getattr(app_config, "models_module", None)
            app_config.models_module = had_models_module or True
            create_permissions(app_config, apps=apps, verbosity=0)
            app_config.models_module = had_models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    available = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for role, perm_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.label)
        group.permissions.set([available[name] for name in perm_names if name in available])


def sync_role_groups_after_migrate(sender, **kwargs):
    """post_migrate handler: acts once per migrate/flush, after every app's permissions exist.

    post_migrate is sent once per installed app, in INSTALLED_APPS order, and auth creates
    each app's permissions on that app's signal; so act on the last app's signal only.
    """
    from django.apps import apps as global_apps

    if sender.label != list(global_apps.get_app_configs())[-1].label:
        return
    sync_role_groups(kwargs.get("apps") or global_apps, create_missing_permissions=False)
