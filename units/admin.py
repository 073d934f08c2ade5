from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from units.models import (
    AccountChange,
    EmailOptOut,
    Notification,
    ReminderSent,
    Sponsorship,
    Unit,
    UnitChange,
    UnitFlag,
    User,
)

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldOpts
    from django_stubs_ext import StrOrPromise

# The lowest app sets the site's titles so they hold whichever admin modules load.
admin.site.site_header = _("Kon Tum poverty campaign portal – administration")
admin.site.site_title = _("Kon Tum poverty campaign portal")
admin.site.index_title = _("Administration")


class UnitFlagInline(admin.TabularInline):
    model = UnitFlag
    extra = 0
    fields = ("flag", "valid_from", "valid_to", "decision", "note")


class UnitChangeInline(admin.TabularInline):
    model = UnitChange
    extra = 0
    fields = (
        "effective_on",
        "name_before",
        "kind_before",
        "name_after",
        "kind_after",
        "decision",
        "note",
    )


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "kind", "parent", "is_active", "is_demo")
    list_filter = ("level", "kind", "is_active", "is_demo")
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    # Over a hundred units: a search box, not a drop-down of every unit.
    autocomplete_fields = ("parent",)
    list_per_page = 50
    inlines = (UnitFlagInline, UnitChangeInline)


@admin.register(UnitFlag)
class UnitFlagAdmin(admin.ModelAdmin):
    list_display = ("unit", "flag", "valid_from", "valid_to", "decision", "source")
    list_filter = ("flag", "source")
    readonly_fields = ("added_by", "added_at")
    search_fields = ("unit__code", "unit__name", "decision")
    list_select_related = ("unit",)
    autocomplete_fields = ("unit",)
    date_hierarchy = "valid_from"


@admin.register(UnitChange)
class UnitChangeAdmin(admin.ModelAdmin):
    list_display = ("unit", "effective_on", "name_before", "name_after", "kind_after", "decision")
    list_filter = ("kind_after",)
    search_fields = ("unit__code", "unit__name", "name_before", "name_after", "decision")
    list_select_related = ("unit",)
    autocomplete_fields = ("unit",)
    date_hierarchy = "effective_on"


@admin.register(Sponsorship)
class SponsorshipAdmin(admin.ModelAdmin):
    list_display = ("commune", "sponsor", "first_year", "last_year")
    list_filter = ("first_year", "last_year")
    search_fields = ("commune__code", "commune__name", "sponsor__code", "sponsor__name")
    list_select_related = ("commune", "sponsor")
    autocomplete_fields = ("sponsor", "commune")


PORTAL_FIELDSET: "tuple[StrOrPromise, _FieldOpts]" = (
    _("Role in the portal"),
    {"fields": ("role", "unit", "is_demo")},
)
# Django's user admin always has fieldsets; django-stubs types them as ModelAdmin's, maybe None.
BASE_FIELDSETS = BaseUserAdmin.fieldsets or ()


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BASE_FIELDSETS[:2], PORTAL_FIELDSET, *BASE_FIELDSETS[2:])
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, PORTAL_FIELDSET)
    list_display = (
        "username",
        "first_name",
        "last_name",
        "email",
        "role",
        "unit",
        "is_staff",
        "is_active",
        "is_demo",
    )
    list_filter = ("role", "is_staff", "is_superuser", "is_active", "is_demo", "groups")
    search_fields = ("username", "first_name", "last_name", "email", "unit__code", "unit__name")
    list_select_related = ("unit",)
    autocomplete_fields = ("unit",)


@admin.register(AccountChange)
class AccountChangeAdmin(admin.ModelAdmin):
    """Kept for good: written by the Board's account pages, read here, never changed."""

    list_display = ("at", "account", "action", "by")
    list_filter = ("action",)
    search_fields = ("account__username", "by__username")
    list_select_related = ("account", "by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class WrittenByThePortal(admin.ModelAdmin):
    """Notices, reminders and e-mail choices are written by the portal and by each person on
    their own page; the admin reads them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(WrittenByThePortal):
    list_display = ("created_at", "recipient", "kind", "emailed", "read_at")
    list_filter = ("kind", "emailed")
    search_fields = ("recipient__username", "message")
    list_select_related = ("recipient",)


@admin.register(ReminderSent)
class ReminderSentAdmin(WrittenByThePortal):
    list_display = ("sent_at", "recipient", "unit", "topic", "stage", "sent_on")
    list_filter = ("stage", "sent_on")
    search_fields = ("recipient__username", "unit__name", "unit__code")
    list_select_related = ("recipient", "unit")


@admin.register(EmailOptOut)
class EmailOptOutAdmin(WrittenByThePortal):
    list_display = ("user", "kind")
    list_filter = ("kind",)
    search_fields = ("user__username",)
    list_select_related = ("user",)
