from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from reports.models import BoardDocument, DocumentSetup, NarrativeVersion, ReportJob


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


class _WrittenOnTheBoardsPages(admin.ModelAdmin):
    """Written on the Board's document pages, which keep every version: the admin only reads."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DocumentSetup)
class DocumentSetupAdmin(_WrittenOnTheBoardsPages):
    list_display = ("kind", "issuing_body", "signing", "signer_name", "updated_by", "updated_at")
    list_select_related = ("updated_by",)


@admin.register(BoardDocument)
class BoardDocumentAdmin(_WrittenOnTheBoardsPages):
    list_display = ("kind", "year", "campaign", "approved_by", "approved_at", "registered_number")
    list_filter = ("kind", "year")
    list_select_related = ("campaign", "approved_by")


@admin.register(NarrativeVersion)
class NarrativeVersionAdmin(_WrittenOnTheBoardsPages):
    list_display = ("document", "number", "written_by", "written_at", "note")
    list_select_related = ("document", "written_by")
