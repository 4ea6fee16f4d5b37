from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "督查督导"

    def ready(self):
        # Orders and verifications join the reports app's task record and header search
        # through its registries (reports never imports supervision).
        from reports.page_sections import register_task_page_section
        from reports.print_sections import register_task_print_section
        from reports.search import register_search_section
        from supervision.orders.hooks import search_orders, task_page_orders, task_print_orders

        register_task_page_section(task_page_orders)
        register_task_print_section(task_print_orders)
        register_search_section(search_orders)

        # A restored database gets new figures tokens (supervision.figure_cache).
        from huancui_vet.signals import database_restored

        database_restored.connect(_renew_figures_tokens, dispatch_uid="renew_figures_tokens")

        # My tasks (reports) is kept under the same tokens, through reports.kept.
        from reports.kept import register_keeper
        from supervision.figure_cache import cached_for_plans, code_version

        register_keeper(cached_for_plans)
        # The digest of the code that builds kept figures, from this process's own sources
        # at start-up (not from files a later deploy replaces under a running worker).
        code_version()

        # The workbook with its detail sheet is built by a background job (我的导出).
        from jobs.registry import register
        from supervision.workbook.job import (
            WORKBOOK_JOB,
            WORKBOOK_JOB_LABEL,
            may_take_workbook,
            run_workbook_job,
        )

        register(
            WORKBOOK_JOB,
            label=WORKBOOK_JOB_LABEL,
            run=run_workbook_job,
            may_access=may_take_workbook,
        )


def _renew_figures_tokens(**kwargs):
    from django.db import connection

    from supervision.models import FiguresVersion

    # An archive from before the tokens existed has no table: `migrate` creates it (and
    # its triggers) with new tokens anyway.
    if FiguresVersion._meta.db_table in connection.introspection.table_names():
        FiguresVersion.renew_all()
