from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, QuerySet, Subquery
from django.forms.models import BaseInlineFormSet
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from campaigns.models import (
    Appraisal,
    AwardDecision,
    AwardForm,
    AwardProposal,
    AwardRecord,
    BlocMembership,
    Campaign,
    CommunicationItem,
    Criterion,
    CriterionScore,
    DeadlineExtension,
    EmulationBloc,
    Evidence,
    ExtensionRequest,
    Nominee,
    PeriodEvent,
    PeriodState,
    Registration,
    ReportingPeriod,
    SponsorshipSupport,
    Submission,
    SubmissionStep,
)
from kontum_poverty.history_admin import register_history

DUPLICATE_CRITERION_CODE = _("This bloc already has a criterion with this code.")


# --- Locked years ---------------------------------------------------------------------------
# A locked year refuses every change until an admin unlocks it, with a reason, through the portal.
# The database refuses such writes too (indicators migration 0005); the admin says why first, and
# shows the rows of a locked year read-only instead of failing on save.

LOCKED_YEAR = _("The year %(year)s is locked: nothing in it can change until an admin unlocks it.")


def locked_year(model: type[models.Model], year_path: str, value: Any) -> int | None:
    """The locked year a row of `model` belongs to, or None when its year is not locked.

    `year_path` leads from the row to its year: a lookup ending at a ReportingPeriod
    ("period", "submission__period") or a calendar-year column ("year"). `value` is the row's
    first field on that path: a primary key, or the year itself.
    """
    if value is None:
        return None
    first, _sep, rest = year_path.partition("__")
    related = model._meta.get_field(first).related_model
    rows: QuerySet[models.Model]
    if related is None:
        # Figures kept by calendar year: locked if any campaign has locked that year.
        rows, prefix = ReportingPeriod.objects.filter(year=value), ""
    else:
        rows, prefix = related._default_manager.filter(pk=value), f"{rest}__" if rest else ""
    locked = rows.filter(**{f"{prefix}state": PeriodState.LOCKED})
    return locked.values_list(f"{prefix}year", flat=True).first()


def row_locked_year(obj: models.Model, year_path: str) -> int | None:
    """The locked year a saved row is in, or None (also for a row not saved yet).

    Read from the database, not from `obj`: a form may already have put new values on it.
    """
    if obj.pk is None:
        return None
    row = type(obj)._default_manager.filter(pk=obj.pk)
    first = year_path.partition("__")[0]
    if obj._meta.get_field(first).is_relation:
        locked = row.filter(**{f"{year_path}__state": PeriodState.LOCKED})
        return locked.values_list(f"{year_path}__year", flat=True).first()
    periods = ReportingPeriod.objects.filter(
        state=PeriodState.LOCKED, year=Subquery(row.values(first)[:1])
    )
    return periods.values_list("year", flat=True).first()


# The mixins below only ever come before a ModelForm or a ModelAdmin; type checkers are told so.
if TYPE_CHECKING:
    _ModelForm = forms.ModelForm
    _ModelAdmin = admin.ModelAdmin
else:
    _ModelForm = _ModelAdmin = object


class LockedYearFormMixin(_ModelForm):
    """For a ModelForm: refuses changing a row of a locked year, or moving or adding one into it."""

    year_path: str

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        first = self.year_path.partition("__")[0]
        year = row_locked_year(self.instance, self.year_path) if self.has_changed() else None
        if year is None and first in cleaned:
            target = cleaned[first]
            year = locked_year(self._meta.model, self.year_path, getattr(target, "pk", target))
        if year is not None:
            error = ValidationError(LOCKED_YEAR, code="year_locked", params={"year": year})
            self.add_error(first if first in self.fields else None, error)
        return cleaned


class LockedYearAdminMixin(_ModelAdmin):
    """For the ModelAdmin of a year-bound model, with `year_path` saying how a row finds its year.

    A locked year's rows open read-only and cannot be deleted, alone or with "delete selected"
    (Django asks has_delete_permission for every row it would delete, cascades included). The
    form refuses adding a row to a locked year, or moving one there, with a message.
    """

    year_path: str

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or row_locked_year(obj, self.year_path) is None)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or row_locked_year(obj, self.year_path) is None)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        # Django's own get_form builds a subclass per request the same way, with the form's
        # metaclass; mypy will not call a type[type[ModelForm]], so it is typed as a callable.
        metaclass: Callable[..., type[forms.ModelForm]] = type(form)
        return metaclass(form.__name__, (LockedYearFormMixin, form), {"year_path": self.year_path})


class LockedYearInlineFormSet(BaseInlineFormSet):
    """For inline rows that each carry their own year (a parent that spans several years).

    Set `year_path` on the inline's form (a LockedYearFormMixin); this adds the check Django
    skips for rows ticked for deletion.
    """

    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            year = row_locked_year(form.instance, cast(LockedYearFormMixin, form).year_path)
            if year is not None:
                raise ValidationError(LOCKED_YEAR, code="year_locked", params={"year": year})


# Django's formset method telling whether a form's row is ticked for deletion: private, so
# django-stubs leaves it out.
ShouldDeleteForm = Callable[[forms.BaseForm], bool]


class AuditTrailMixin:
    """Rows written by the workflow services as a record of who did what: never edited by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Campaigns and years --------------------------------------------------------------------


class ReportingPeriodFormSet(BaseInlineFormSet):
    """A locked year's dates and number cannot change from its campaign's page either."""

    _should_delete_form: ShouldDeleteForm

    def clean(self):
        super().clean()
        for form in self.initial_forms:
            if not (form.has_changed() or self._should_delete_form(form)):
                continue
            locked = ReportingPeriod.objects.filter(pk=form.instance.pk, state=PeriodState.LOCKED)
            year = locked.values_list("year", flat=True).first()
            if year is not None:
                raise ValidationError(LOCKED_YEAR, code="year_locked", params={"year": year})


class ReportingPeriodInline(admin.TabularInline):
    model = ReportingPeriod
    formset = ReportingPeriodFormSet
    extra = 0
    fields = ("year", "opens_on", "deadline", "state")
    readonly_fields = ("state",)
    show_change_link = True


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "issued_on", "first_year", "last_year", "successor")
    search_fields = ("number", "title")
    list_select_related = ("successor",)
    inlines = (ReportingPeriodInline,)


class PeriodEventInline(AuditTrailMixin, admin.TabularInline):
    model = PeriodEvent
    extra = 0
    fields = ("kind", "by", "at", "reason")
    readonly_fields = fields


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ("year", "campaign", "opens_on", "deadline", "state")
    list_filter = ("state", "campaign")
    search_fields = ("campaign__number", "year")
    list_select_related = ("campaign",)
    # Closing, locking and unlocking go through the services, which record a PeriodEvent for
    # each move; a locked year's dates cannot change either.
    readonly_fields = ("state",)
    inlines = (PeriodEventInline,)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and not (obj is not None and obj.is_locked)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and not (obj is not None and obj.is_locked)


@admin.register(PeriodEvent)
class PeriodEventAdmin(AuditTrailMixin, admin.ModelAdmin):
    list_display = ("period", "kind", "by", "at", "reason")
    list_filter = ("kind", "period__campaign", "period__year")
    search_fields = ("by__username", "reason")
    list_select_related = ("period__campaign", "by")
    date_hierarchy = "at"


@admin.register(Appraisal)
class AppraisalAdmin(AuditTrailMixin, admin.ModelAdmin):
    """DOLISA's appraisals, written on its pages only."""

    list_display = ("unit", "period", "submission", "verdict", "by", "at")
    list_filter = ("verdict", "period__campaign", "period__year")
    search_fields = ("unit__code", "unit__name", "comment", "by__username")
    list_select_related = ("unit", "period__campaign", "submission", "by")
    date_hierarchy = "at"


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(LockedYearAdminMixin, admin.ModelAdmin):
    year_path = "period"
    list_display = ("unit", "period", "deadline", "granted_by", "granted_at")
    list_filter = ("period",)
    search_fields = ("unit__code", "unit__name", "reason")
    list_select_related = ("unit", "period__campaign", "granted_by")
    autocomplete_fields = ("unit",)
    readonly_fields = ("granted_by", "granted_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)


# --- Blocs and criteria ---------------------------------------------------------------------


class BlocMembershipInline(admin.TabularInline):
    model = BlocMembership
    extra = 0
    autocomplete_fields = ("unit",)


@admin.register(EmulationBloc)
class EmulationBlocAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "campaign", "order", "member_count")
    list_filter = ("campaign",)
    search_fields = ("code", "name")
    list_select_related = ("campaign",)
    inlines = (BlocMembershipInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("memberships"))

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, obj):
        return obj.member_count


@admin.register(BlocMembership)
class BlocMembershipAdmin(admin.ModelAdmin):
    list_display = ("unit", "bloc")
    list_filter = ("bloc",)
    search_fields = ("unit__code", "unit__name", "bloc__name")
    list_select_related = ("unit", "bloc")
    autocomplete_fields = ("unit",)


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = (
            "campaign",
            "bloc",
            "parent",
            "code",
            "name",
            "max_points",
            "order",
            "requires_evidence",
            "indicator_code",
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        campaign, bloc, parent = (cleaned.get(f) for f in ("campaign", "bloc", "parent"))
        if campaign and bloc and bloc.campaign_id != campaign.pk:
            self.add_error(
                "bloc",
                ValidationError(_("This bloc belongs to another campaign."), code="other_campaign"),
            )
        if bloc and parent and parent.bloc_id != bloc.pk:
            self.add_error(
                "parent",
                ValidationError(
                    _("The parent criterion belongs to another bloc."), code="other_bloc"
                ),
            )
        if parent and self.instance.pk and self._is_descendant_or_self(parent):
            self.add_error(
                "parent",
                ValidationError(
                    _("A criterion cannot be placed under itself or its own sub-criteria."),
                    code="cycle",
                ),
            )
        return cleaned

    def _is_descendant_or_self(self, candidate: Criterion) -> bool:
        # Rubrics are a few levels deep: walking up the chain costs a query or two.
        seen = set()
        node: Criterion | None = candidate
        while node is not None and node.pk not in seen:
            if node.pk == self.instance.pk:
                return True
            seen.add(node.pk)
            node = node.parent
        return False


class CriterionChildForm(forms.ModelForm):
    """A sub-criterion takes its parent's campaign and bloc, so the inline does not ask again."""

    class Meta:
        model = Criterion
        fields = ("code", "name", "max_points", "order", "requires_evidence", "indicator_code")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        parent = cleaned.get("parent")
        if parent is None or parent.bloc_id is None:
            return cleaned  # the parent's own form reports what is missing
        self.instance.campaign_id = parent.campaign_id
        self.instance.bloc_id = parent.bloc_id
        # The bloc is not a field of this form, so Django skips the (bloc, code) constraint.
        code = cleaned.get("code")
        taken = Criterion.objects.filter(bloc_id=parent.bloc_id, code=code).exclude(
            pk=self.instance.pk
        )
        if code and taken.exists():
            self.add_error("code", ValidationError(DUPLICATE_CRITERION_CODE, code="duplicate_code"))
        return cleaned


class CriterionChildFormSet(BaseInlineFormSet):
    _should_delete_form: ShouldDeleteForm

    def clean(self):
        super().clean()
        # New rows are not in the database yet: compare them with each other and the parent.
        seen = {self.instance.code} if self.instance.code else set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.has_changed():
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            code = form.cleaned_data.get("code")
            if code in seen:
                raise ValidationError(DUPLICATE_CRITERION_CODE, code="duplicate_code")
            seen.add(code)


class CriterionChildInline(admin.TabularInline):
    model = Criterion
    fk_name = "parent"
    form = CriterionChildForm
    formset = CriterionChildFormSet
    extra = 0
    fields = ("code", "name", "max_points", "order", "requires_evidence", "indicator_code")
    show_change_link = True
    verbose_name = _("sub-criterion")
    verbose_name_plural = _("sub-criteria")


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    form = CriterionForm
    list_display = ("code", "name", "bloc", "parent", "max_points", "order", "requires_evidence")
    list_filter = ("campaign", "bloc", "requires_evidence")
    search_fields = ("code", "name")
    list_select_related = ("bloc", "parent")
    autocomplete_fields = ("parent",)
    inlines = (CriterionChildInline,)


# --- Registrations and yearly reports -------------------------------------------------------


@admin.register(Registration)
class RegistrationAdmin(LockedYearAdminMixin, admin.ModelAdmin):
    year_path = "period"
    list_display = (
        "unit",
        "period",
        "registered_at",
        "registered_by",
        "fund_pledge_vnd",
        "is_demo",
    )
    list_filter = ("period", "is_demo")
    search_fields = ("unit__code", "unit__name")
    list_select_related = ("unit", "period__campaign", "registered_by")
    autocomplete_fields = ("unit", "registered_by")


class CriterionScoreForm(forms.ModelForm):
    class Meta:
        model = CriterionScore
        fields = (
            "submission",
            "criterion",
            "self_points",
            "self_justification",
            "board_points",
            "board_justification",
            "board_scored_by",
            "board_scored_at",
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        criterion = cleaned.get("criterion")
        if criterion is None:
            return cleaned
        # PostgreSQL refuses a score whose maximum is not its criterion's (composite foreign key).
        self.instance.max_points = criterion.max_points
        for name in ("self_points", "board_points"):
            points = cleaned.get(name)
            if points is not None and points > criterion.max_points:
                self.add_error(
                    name,
                    ValidationError(
                        _("At most %(max)s points can be given for this criterion."),
                        code="above_max",
                        params={"max": number_format(criterion.max_points.normalize())},
                    ),
                )
        return cleaned


class CriterionScoreInline(admin.TabularInline):
    model = CriterionScore
    form = CriterionScoreForm
    extra = 0
    fields = (
        "criterion",
        "max_points",
        "self_points",
        "self_justification",
        "board_points",
        "board_justification",
        "board_scored_by",
        "board_scored_at",
    )
    readonly_fields = ("max_points",)
    autocomplete_fields = ("criterion", "board_scored_by")


class SubmissionStepInline(AuditTrailMixin, admin.TabularInline):
    model = SubmissionStep
    extra = 0
    fields = ("from_status", "to_status", "by", "at", "comment", "version")
    readonly_fields = fields


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = (
        "original_name",
        "criterion",
        "description",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    )
    readonly_fields = ("original_name", "content_type", "size", "uploaded_by", "uploaded_at")
    autocomplete_fields = ("criterion",)

    # Files arrive through the report form, which checks their type and size and hashes them.
    def has_add_permission(self, request, obj=None):
        return False


class SponsorshipSupportInline(admin.TabularInline):
    model = SponsorshipSupport
    extra = 0
    autocomplete_fields = ("commune",)


# Links typed without a scheme are read as https (Django 6's default, without its warning).
URL_HTTPS: Mapping[type[models.Field], Mapping[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}


class CommunicationItemInline(admin.TabularInline):
    model = CommunicationItem
    extra = 0
    formfield_overrides = URL_HTTPS


@admin.register(Submission)
class SubmissionAdmin(LockedYearAdminMixin, admin.ModelAdmin):
    # Its inlines follow: Django shows them read-only when the report itself is.
    year_path = "period"
    list_display = (
        "unit",
        "period",
        "status",
        "classification",
        "submitted_at",
        "accepted_at",
        "not_reporting",
        "is_demo",
    )
    list_filter = ("status", "period", "classification", "not_reporting", "is_demo")
    search_fields = ("unit__code", "unit__name")
    list_select_related = ("unit", "period__campaign")
    autocomplete_fields = ("unit", "updated_by")
    # A status move must leave a step in the report's history; the workflow services do both.
    readonly_fields = (
        "status",
        "version",
        "submitted_at",
        "accepted_at",
        "created_at",
        "updated_at",
        "updated_by",
    )
    inlines = (
        CriterionScoreInline,
        EvidenceInline,
        SponsorshipSupportInline,
        CommunicationItemInline,
        SubmissionStepInline,
    )

    def save_model(self, request, obj, form, change):
        if change:
            # An officer's form still open on the old version must not overwrite this edit.
            obj.version += 1
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(SubmissionStep)
class SubmissionStepAdmin(AuditTrailMixin, admin.ModelAdmin):
    # Read-only in every year already: no LockedYearAdminMixin needed.
    list_display = ("submission", "from_status", "to_status", "by", "at")
    list_filter = ("to_status", "submission__period")
    search_fields = ("submission__unit__code", "submission__unit__name", "by__username")
    list_select_related = ("submission__unit", "submission__period", "by")
    date_hierarchy = "at"


@admin.register(Evidence)
class EvidenceAdmin(LockedYearAdminMixin, admin.ModelAdmin):
    year_path = "submission__period"
    list_display = (
        "original_name",
        "submission",
        "criterion",
        "size",
        "uploaded_by",
        "uploaded_at",
    )
    list_filter = ("submission__period",)
    search_fields = ("original_name", "submission__unit__code", "submission__unit__name")
    list_select_related = ("submission__unit", "submission__period", "criterion", "uploaded_by")
    # No "file" field: files have no public URL (downloads go through a permission check).
    fields = (
        "submission",
        "criterion",
        "description",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    )
    readonly_fields = (
        "submission",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    )
    autocomplete_fields = ("criterion",)

    def has_add_permission(self, request):
        return False


@admin.register(CriterionScore)
class CriterionScoreAdmin(LockedYearAdminMixin, admin.ModelAdmin):
    year_path = "submission__period"
    form = CriterionScoreForm
    list_display = ("submission", "criterion", "max_points", "self_points", "board_points")
    list_filter = ("submission__period", "criterion__bloc")
    search_fields = ("submission__unit__code", "submission__unit__name", "criterion__code")
    list_select_related = ("submission__unit", "submission__period", "criterion")
    autocomplete_fields = ("submission", "criterion", "board_scored_by")
    readonly_fields = ("max_points",)


@admin.register(AwardProposal)
class AwardProposalAdmin(admin.ModelAdmin):
    # Outside the year lock: the Council decides on proposals after the year's reports are locked.
    list_display = ("unit", "period", "award", "status", "decision_number", "decision_date")
    list_filter = ("period", "award", "status")
    search_fields = ("unit__code", "unit__name", "decision_number")
    list_select_related = ("unit", "period__campaign")
    autocomplete_fields = ("unit", "nominee", "proposed_by")
    readonly_fields = ("created_at",)


@admin.register(AwardForm)
class AwardFormAdmin(admin.ModelAdmin):
    list_display = ("name", "campaign", "level", "stage", "board_proposes", "quota", "order")
    list_filter = ("campaign", "level", "stage")
    search_fields = ("name", "authority")


@admin.register(Nominee)
class NomineeAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "unit", "details")
    list_filter = ("kind",)
    search_fields = ("name", "unit__code", "unit__name")
    list_select_related = ("unit",)
    autocomplete_fields = ("unit",)


class RegisterReadOnlyAdmin(admin.ModelAdmin):
    """The register is kept on the Board's pages, whose services apply the rules; here it is
    read."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AwardDecision)
class AwardDecisionAdmin(RegisterReadOnlyAdmin):
    list_display = ("number", "signed_on", "form", "signer_name", "period")
    list_filter = ("period__campaign", "form__kind")
    search_fields = ("number", "signer_name")
    list_select_related = ("form", "period")


@admin.register(AwardRecord)
class AwardRecordAdmin(RegisterReadOnlyAdmin):
    list_display = ("nominee", "form", "decision_number", "decided_on", "granted_by")
    list_filter = ("level", "form__kind")
    search_fields = ("nominee__name", "decision_number")
    list_select_related = ("nominee", "form")


@admin.register(SponsorshipSupport)
class SponsorshipSupportAdmin(LockedYearAdminMixin, admin.ModelAdmin):
    year_path = "submission__period"
    list_display = ("submission", "commune", "money_vnd", "in_kind_value_vnd")
    list_filter = ("submission__period",)
    search_fields = (
        "submission__unit__code",
        "submission__unit__name",
        "commune__code",
        "commune__name",
    )
    list_select_related = ("submission__unit", "submission__period", "commune")
    autocomplete_fields = ("submission", "commune")


@admin.register(CommunicationItem)
class CommunicationItemAdmin(LockedYearAdminMixin, admin.ModelAdmin):
    year_path = "submission__period"
    list_display = ("title", "kind", "submission", "count", "published_on")
    list_filter = ("kind", "submission__period")
    search_fields = ("title", "submission__unit__code", "submission__unit__name")
    list_select_related = ("submission__unit", "submission__period")
    autocomplete_fields = ("submission",)
    formfield_overrides = URL_HTTPS


register_history(Submission, CriterionScore)


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(admin.ModelAdmin):
    list_display = ["unit", "period", "requested_deadline", "status", "approved_deadline"]
    list_filter = ["status", "period"]
    # Asked on the officer's page and decided on the Board's follow-up page; kept as history.
    readonly_fields = [field.name for field in ExtensionRequest._meta.fields]

    def has_add_permission(self, request):
        return False
