from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "后台任务"

    def ready(self):
        from jobs import files  # noqa: F401  (connects the post_delete receiver)
