from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from reports.api import tokens
from reports.models import (
    ApiScope,
    ApiToken,
    BoardDocument,
    DocumentSetup,
    NarrativeVersion,
    ReportJob,
)
from units import access


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


# --- API tokens ------------------------------------------------------------------------------


class ApiTokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"),
        choices=ApiScope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Public figures need no scope. Each scope opens one kind of data."),
    )

    class Meta:
        model = ApiToken
        fields = ("name", "account", "unit", "scopes", "expires_at")

    def clean_account(self):
        account = self.cleaned_data["account"]
        if account is not None and not account.is_active:
            raise ValidationError(_("This account is deactivated."), code="inactive_account")
        return account


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Administrators issue tokens (the key is shown once) and revoke them; nothing else."""

    form = ApiTokenForm
    list_display = (
        "name",
        "prefix",
        "account",
        "unit",
        "scope_list",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "prefix", "account__username")
    list_select_related = ("account", "unit")
    autocomplete_fields = ("account", "unit")
    actions = ("revoke",)
    readonly_after_issue = (
        "name",
        "account",
        "unit",
        "scope_list",
        "prefix",
        "expires_at",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    )

    def has_module_permission(self, request):
        return access.is_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return access.is_admin(request.user)

    def has_add_permission(self, request):
        return access.is_admin(request.user)

    def has_change_permission(self, request, obj=None):
        # Nothing of an issued token changes; it is revoked and a new one issued.
        return obj is None and access.is_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # a revoked token stays, with who revoked it and when

    def get_fields(self, request, obj=None):
        if obj is None:
            return ApiTokenForm.Meta.fields
        return self.readonly_after_issue

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_after_issue

    @admin.display(description=_("scopes"))
    def scope_list(self, obj):
        labels = dict(ApiScope.choices)
        return ", ".join(str(labels.get(scope, scope)) for scope in obj.scopes) or "—"

    def save_model(self, request, obj, form, change):
        if change:
            return
        try:
            token, key = tokens.api_token_issue(
                name=form.cleaned_data["name"],
                account=form.cleaned_data["account"],
                unit=form.cleaned_data["unit"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.cleaned_data["expires_at"],
                by=request.user,
            )
        except ValidationError as exc:
            raise PermissionDenied(exc.messages[0]) from exc
        obj.pk = token.pk
        # The key exists nowhere else: this message is the only time anyone sees it.
        messages.warning(
            request,
            format_html(
                "{} <code>{}</code>",
                _("Copy the token now; it will not be shown again:"),
                key,
            ),
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            tokens.api_token_revoke(token=token, by=request.user)
        self.message_user(request, _("The tokens were revoked."), messages.SUCCESS)


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
