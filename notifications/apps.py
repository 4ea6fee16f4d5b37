from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "消息提醒"

    def ready(self):
        from notifications import (  # noqa: F401 - connects the signal receivers
            evaluation_receivers,
            job_receivers,
            order_receivers,
            receivers,
        )
