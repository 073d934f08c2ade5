from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from reports.models import ReportJob


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    """Jobs are created and moved on by the rendering tasks; the admin only looks at them."""

    list_display = (
        "__str__",
        "kind",
        "state",
        "progress",
        "requested_by",
        "created_at",
        "attempts",
        "error_code",
    )
    list_filter = ("state", "kind", "error_code")
    search_fields = ("requested_by__username", "fingerprint", "error")
    list_select_related = ("requested_by",)
    date_hierarchy = "created_at"
    # "file" is left out: stored reports have no public URL, downloads check permissions.
    fields = (
        "kind",
        "params",
        "requested_by",
        "state",
        "progress",
        "file_name",
        "fingerprint",
        "error_code",
        "error_details",
        "attempts",
        "parts_total",
        "parts_done",
        "created_at",
        "started_at",
        "finished_at",
        "updated_at",
    )
    readonly_fields = fields

    @admin.display(description=_("file"))
    def file_name(self, obj):
        return obj.file.name

    @admin.display(description=_("error"))
    def error_details(self, obj):
        # Tracebacks keep their line breaks and indentation.
        return format_html("<pre>{}</pre>", obj.error) if obj.error else ""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
