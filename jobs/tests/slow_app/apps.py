"""A test-only app for the real-worker test: registers a slow job kind (`test.slow`)."""

from django.apps import AppConfig


class SlowJobsConfig(AppConfig):
    name = "jobs.tests.slow_app"
    label = "slow_jobs_test"

    def ready(self):
        from jobs.registry import register
        from jobs.tests.slow_app.kind import run_slow

        register("test.slow", label="测试慢任务", run=run_slow, may_access=lambda user, p: True)
