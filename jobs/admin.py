from django.contrib import admin

from jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Read-only: jobs are written by their runs, never by hand."""

    list_display = ("created_at", "kind", "created_by", "status", "attempts", "finished_at")
    list_filter = ("status", "kind")
    search_fields = ("created_by__username", "created_by__full_name")
    # The result file is not linked here: it is downloaded only by its creator, through the
    # job's page, with the access check run again.
    fields = readonly_fields = tuple(f.name for f in Job._meta.fields if f.name != "result")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
