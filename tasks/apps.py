from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = "实施方案与任务"

    def ready(self):
        from tasks.plan_import_job import register_plan_import_job

        register_plan_import_job()  # large attachments are imported by a background job
