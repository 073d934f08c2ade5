from django import forms
from django.contrib import admin
from import_export.admin import ImportExportMixin

from campaigns.admin import LockedYearAdminMixin, LockedYearFormMixin, LockedYearInlineFormSet
from indicators.models import (
    Baseline,
    BaselineChange,
    CommuneStatistics,
    DistrictConfirmation,
    FiguresVersion,
    ImportBatch,
    Indicator,
    Milestone,
    ModelResult,
    PovertyModel,
    RegisteredTarget,
    ReportedValue,
    ReportFormVersion,
)
from indicators.resources import (
    AdminOnlyImportExportMixin,
    CommuneStatisticsResource,
    MilestoneResource,
    UnitResource,
)
from kontum_poverty.history_admin import register_history
from units.admin import UnitAdmin
from units.models import Unit


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ("year", "scope", "target_low", "target_high")
    autocomplete_fields = ("scope",)


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "campaign",
        "measure",
        "target_low",
        "target_high",
        "unit_of_measure",
        "target_year",
        "order",
    )
    list_filter = ("campaign", "measure", "direction")
    search_fields = ("code", "name")
    list_select_related = ("campaign",)
    inlines = (MilestoneInline,)


@admin.register(Milestone)
class MilestoneAdmin(AdminOnlyImportExportMixin, ImportExportMixin, admin.ModelAdmin):
    resource_classes = [MilestoneResource]
    list_display = ("indicator", "year", "scope", "target_low", "target_high", "set_by", "set_at")
    readonly_fields = ("set_by", "set_at")
    list_filter = ("year", "indicator")
    search_fields = ("indicator__code", "indicator__name", "scope__code", "scope__name")
    list_select_related = ("indicator", "scope")
    autocomplete_fields = ("indicator", "scope")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Read-only: the Board sets baselines on its roadmap page, which keeps every change."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Baseline)
class BaselineAdmin(ReadOnlyAdmin):
    list_display = ("indicator", "scope", "year", "value", "source_document", "set_by", "set_at")
    list_filter = ("indicator__campaign", "year")
    search_fields = ("indicator__code", "source_document")
    list_select_related = ("indicator", "scope", "set_by")


@admin.register(BaselineChange)
class BaselineChangeAdmin(ReadOnlyAdmin):
    list_display = ("set_at", "indicator", "scope", "year", "value", "source_document", "set_by")
    list_filter = ("indicator__campaign",)
    search_fields = ("indicator__code", "source_document")
    list_select_related = ("indicator", "scope", "set_by")


@admin.register(CommuneStatistics)
class CommuneStatisticsAdmin(
    LockedYearAdminMixin, AdminOnlyImportExportMixin, ImportExportMixin, admin.ModelAdmin
):
    # The Excel import checks the lock itself (indicators.imports.services.year_is_locked).
    year_path = "year"
    resource_classes = [CommuneStatisticsResource]
    list_display = (
        "commune",
        "year",
        "total_households",
        "poor_households",
        "poor_ethnic_minority_households",
        "near_poor_households",
        "near_poor_ethnic_minority_households",
        "escaped_poverty",
        "paved_road",
        "adequate_schools",
        "health_criteria_met",
        "cultural_house",
    )
    list_filter = (
        "year",
        "paved_road",
        "adequate_schools",
        "health_criteria_met",
        "cultural_house",
        "is_demo",
    )
    search_fields = ("commune__code", "commune__name")
    list_select_related = ("commune",)
    autocomplete_fields = ("commune",)
    readonly_fields = ("updated_at",)
    list_per_page = 50


class ModelResultInlineForm(LockedYearFormMixin, forms.ModelForm):
    year_path = "year"


class ModelResultInline(admin.TabularInline):
    """A model's results span several years: each row is checked against its own year's lock."""

    model = ModelResult
    form = ModelResultInlineForm
    formset = LockedYearInlineFormSet
    extra = 0
    fields = (
        "year",
        "participating_households",
        "average_income_vnd",
        "escaped_households",
        "submission",
        "comment",
    )
    autocomplete_fields = ("submission",)


@admin.register(PovertyModel)
class PovertyModelAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "commune", "start_year", "participating_households", "is_demo")
    list_filter = ("start_year", "is_demo")
    search_fields = ("name", "unit__code", "unit__name", "commune__code", "commune__name")
    list_select_related = ("unit", "commune")
    autocomplete_fields = ("unit", "commune")
    inlines = (ModelResultInline,)


@admin.register(ModelResult)
class ModelResultAdmin(LockedYearAdminMixin, admin.ModelAdmin):
    year_path = "year"
    list_display = (
        "model",
        "year",
        "participating_households",
        "average_income_vnd",
        "escaped_households",
    )
    list_filter = ("year",)
    search_fields = ("model__name", "model__unit__code", "model__unit__name")
    list_select_related = ("model",)
    autocomplete_fields = ("model", "submission")


@admin.register(ReportedValue)
class ReportedValueAdmin(LockedYearAdminMixin, admin.ModelAdmin):
    year_path = "submission__period"
    list_display = ("submission", "indicator", "value", "numerator", "denominator", "updated_at")
    list_filter = ("indicator", "submission__period")
    search_fields = ("submission__unit__code", "submission__unit__name", "indicator__code")
    list_select_related = ("submission__unit", "submission__period", "indicator")
    autocomplete_fields = ("submission", "indicator")
    readonly_fields = ("updated_at",)


@admin.register(RegisteredTarget)
class RegisteredTargetAdmin(LockedYearAdminMixin, admin.ModelAdmin):
    year_path = "registration__period"
    list_display = ("registration", "indicator", "value")
    list_filter = ("indicator", "registration__period")
    search_fields = ("registration__unit__code", "registration__unit__name", "indicator__code")
    list_select_related = ("registration__unit", "registration__period", "indicator")
    autocomplete_fields = ("registration", "indicator")


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Imports run through the upload, preview and confirm pages; the admin only looks at them."""

    list_display = (
        "original_name",
        "year",
        "state",
        "uploaded_by",
        "created_at",
        "total_rows",
        "new_count",
        "changed_count",
        "error_count",
        "applied_at",
    )
    list_filter = ("state", "year")
    search_fields = ("original_name", "sha256", "uploaded_by__username")
    list_select_related = ("uploaded_by",)
    date_hierarchy = "created_at"
    # Left out: the file (no public URL), the one-time confirmation token (a secret), and the
    # validated rows and their changes (thousands of them).
    fields = (
        "original_name",
        "year",
        "state",
        "progress",
        "uploaded_by",
        "created_at",
        "previewed_at",
        "applied_at",
        "applied_by",
        "size",
        "sha256",
        "total_rows",
        "new_count",
        "changed_count",
        "unchanged_count",
        "error_count",
        "skipped_count",
        "blank_count",
        "refusal",
        "errors",
        "warnings",
        "columns",
        "needs_note",
        "note",
        "task_id",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FiguresVersion)
class FiguresVersionAdmin(admin.ModelAdmin):
    """The counter behind cached figures: shown for diagnosis, moved only by figure changes."""

    list_display = ("id", "value")
    fields = ("value",)
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportFormVersion)
class ReportFormVersionAdmin(FiguresVersionAdmin):
    """The counter behind the report forms each process keeps: moved only by their sources."""


# Units get their Excel import here rather than in units/admin.py: its row rules and file checks
# live in indicators, and units must not import indicators.
admin.site.unregister(Unit)


@admin.register(Unit)
class UnitImportExportAdmin(AdminOnlyImportExportMixin, ImportExportMixin, UnitAdmin):
    resource_classes = [UnitResource]


register_history(CommuneStatistics, ModelResult, ReportedValue)


@admin.register(DistrictConfirmation)
class DistrictConfirmationAdmin(admin.ModelAdmin):
    list_display = ["district", "year", "confirmed_by", "confirmed_at"]
    list_filter = ["year"]
    # Confirming is the district's own act, on its page: here it is only read.
    readonly_fields = ["district", "year", "confirmed_by", "confirmed_at"]

    def has_add_permission(self, request):
        return False
