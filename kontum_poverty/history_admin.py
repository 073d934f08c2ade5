"""The admin's read-only view of value history records (who changed which value, when)."""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest


class HistoryRecordAdmin(admin.ModelAdmin):
    """History is written by saves, never by hand: the admin reads it only."""

    list_display = ("history_date", "history_type", "history_user", "history_change_reason")
    list_filter = ("history_type",)
    list_select_related = ("history_user",)
    date_hierarchy = "history_date"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


def register_history(*models: type[Model]) -> None:
    """Register each tracked model's history records with the read-only admin."""
    for model in models:
        admin.site.register(model.history.model, HistoryRecordAdmin)  # type: ignore[attr-defined]
