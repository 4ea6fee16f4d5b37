from django.urls import path

from reports.views import (
    bulk,
    bulk_submit,
    evidence,
    mine,
    periods,
    raw,
    review,
    search,
    task_print,
    tasks,
    workflow,
    writing,
)

app_name = "reports"
urlpatterns = [
    path("mine/", mine.my_tasks, name="my_tasks"),
    path("search/", search.search_page, name="search"),
    path("signoff/", mine.signoff_queue, name="signoff_queue"),
    path("review/", review.review_queue, name="review_queue"),
    path("tasks/<int:pk>/", tasks.task_detail, name="task_detail"),
    path("tasks/<int:pk>/history/", tasks.task_history, name="task_history"),
    path("tasks/<int:pk>/print/", task_print.task_print, name="task_print"),
    path("tasks/<int:pk>/periods/<str:period>/", writing.report_create, name="report_create"),
    path("<int:pk>/", writing.report_detail, name="report_detail"),
    path("<int:pk>/edit/", writing.report_edit, name="report_edit"),
    path("<int:pk>/submit/", workflow.report_submit, name="report_submit"),
    path("<int:pk>/signoff/", workflow.report_signoff, name="report_signoff"),
    path(
        "<int:pk>/signoff/return/",
        workflow.report_signoff_return,
        name="report_signoff_return",
    ),
    path("<int:pk>/withdraw/", workflow.report_withdraw, name="report_withdraw"),
    path("<int:pk>/accept/", workflow.report_accept, name="report_accept"),
    path("<int:pk>/return/", workflow.report_return, name="report_return"),
    path("<int:pk>/compare/", review.report_compare, name="report_compare"),
    path("<int:pk>/history/", review.report_history, name="report_history"),
    path("<int:pk>/evidence/", evidence.evidence_upload, name="evidence_upload"),
    path("evidence/<int:pk>/", evidence.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/view/", evidence.evidence_view, name="evidence_view"),
    path("evidence/<int:pk>/delete/", evidence.evidence_delete, name="evidence_delete"),
    path("periods/", periods.period_list, name="period_list"),
    path("periods/<int:plan_pk>/<str:period>/close/", periods.period_close, name="period_close"),
    path("periods/<int:plan_pk>/<str:period>/reopen/", periods.period_reopen, name="period_reopen"),
    # Bulk entry from Excel (reports/views/bulk.py)
    path("bulk/", bulk.bulk_entry, name="bulk_entry"),
    path("bulk/template.xlsx", bulk.bulk_download, name="bulk_download"),
    path("bulk/upload/", bulk.bulk_upload, name="bulk_upload"),
    # Several reports at once (reports/bulk_submit.py)
    path("bulk/review/", bulk_submit.bulk_review, name="bulk_review"),
    path("bulk/submit/", bulk_submit.bulk_submit_view, name="bulk_submit"),
    path("signoff/bulk/", bulk_submit.bulk_signoff, name="bulk_signoff"),
    # Raw data of a plan's reports (reports/raw_export.py)
    path("plans/<int:plan_pk>/raw.csv", raw.raw_csv, name="raw_csv"),
    path("plans/<int:plan_pk>/raw.xlsx", raw.raw_xlsx, name="raw_xlsx"),
]
