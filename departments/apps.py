from axes import apps as axes_apps
from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate


class DepartmentsConfig(AppConfig):
    name = "departments"
    verbose_name = "部门与用户"
    default = True  # this module also holds AxesChineseConfig

    def ready(self):
        from departments import audit  # connects the sign-in audit receivers on import
        from departments.roles import sync_role_groups_after_migrate
        from huancui_vet.middleware import stamp_session_at_login

        audit.connect_lockout_receiver()
        user_logged_in.connect(stamp_session_at_login, dispatch_uid="huancui_vet.session_stamp")

        # Re-sync role groups after every migrate and test-database flush. Connected to the
        # auth app's signal so it runs after auth has created all permissions.
        post_migrate.connect(
            sync_role_groups_after_migrate,
            dispatch_uid="departments.sync_role_groups",
        )


class AxesChineseConfig(axes_apps.AppConfig):
    """django-axes under a Chinese name in the admin (its AppConfig has no verbose_name)."""

    verbose_name = "登录锁定记录"
    default = False
