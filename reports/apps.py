from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "进展填报与审核"

    def ready(self):
        from reports.raw_jobs import register_raw_jobs

        register_raw_jobs()  # 原始数据 exports run as background jobs (我的导出)
