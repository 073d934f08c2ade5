"""Forms of the Board's pages: award proposals and the year's close, lock, reopen and unlock."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from campaigns.models import AwardKind, ProposalStatus
from units.models import Unit

# Decisions are written the Vietnamese way; the ISO form is what a browser date picker sends.
DATE_INPUTS = ["%d/%m/%Y", "%Y-%m-%d"]


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's refusal on the form: per field where it names one, on the form otherwise."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _style(form: forms.Form, errors: object = ()) -> None:
    for name, field in form.fields.items():
        if isinstance(field.widget, forms.HiddenInput):
            continue
        css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
        if name in errors:  # type: ignore[operator]
            css += " is-invalid"
        field.widget.attrs["class"] = css


class StyledForm(forms.Form):
    """Bootstrap classes on every field, and the invalid state once the form is validated."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Not through `self.errors`: that would validate before subclasses finish their set-up.
        _style(self)

    def full_clean(self) -> None:
        super().full_clean()
        _style(self, self._errors or ())

    def add_error(self, field: str | None, error: object) -> None:
        super().add_error(field, error)  # type: ignore[arg-type]
        _style(self, self._errors or ())


class ProposalAddForm(StyledForm):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Unit"))
    award = forms.ChoiceField(choices=AwardKind.choices, label=_("Award"))
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the unit does not meet the rule."),
    )

    def __init__(self, *args: object, units: QuerySet[Unit], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.order_by("code")  # type: ignore[attr-defined]


class ProposalForm(StyledForm):
    """Names the proposal an action is about; the view looks it up inside the year."""

    proposal = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ProposalReasonForm(ProposalForm):
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProposalDecideForm(ProposalForm):
    status = forms.ChoiceField(choices=ProposalStatus.choices, label=_("Decision"))
    decision_number = forms.CharField(label=_("Decision number"), required=False, max_length=60)
    decision_date = forms.DateField(
        label=_("Decision date"),
        required=False,
        input_formats=DATE_INPUTS,
        widget=forms.DateInput(
            format="%d/%m/%Y", attrs={"placeholder": _("dd/mm/yyyy"), "inputmode": "numeric"}
        ),
        error_messages={"invalid": _("Write the date as dd/mm/yyyy.")},
    )


class ReasonForm(StyledForm):
    """Reopening or unlocking a year: the reason is recorded with the event."""

    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
