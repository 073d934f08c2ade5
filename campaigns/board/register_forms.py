"""Forms of the award register: the campaign's forms of award, a signed decision with the
nominees it awards, and an award another authority granted, recorded in a unit's history."""

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from campaigns.board.forms import DATE_INPUTS
from campaigns.models import (
    AwardForm,
    AwardLevel,
    AwardProposal,
    NomineeKind,
    ReportingPeriod,
)
from campaigns.services.register import FormInput
from kontum_poverty.forms import StyledForm

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _date_field(label: "StrOrPromise") -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_INPUTS,
        widget=forms.DateInput(
            format="%d/%m/%Y", attrs={"placeholder": _("dd/mm/yyyy"), "inputmode": "numeric"}
        ),
        error_messages={"invalid": _("Write the date as dd/mm/yyyy.")},
    )


class AwardFormEditForm(StyledForm):
    """One form of award of the campaign: who grants it, its quota and the Board's rules."""

    form_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    name = forms.CharField(label=_("Name"), max_length=300)
    authority = forms.CharField(label=_("Granted by"), max_length=200)
    level = forms.ChoiceField(choices=AwardLevel.choices, label=_("Level"))
    quota = forms.IntegerField(label=_("Quota"), required=False, min_value=1, max_value=9999)
    min_years_between = forms.IntegerField(
        label=_("Years between two of this form"), min_value=0, max_value=20, initial=0
    )
    requires = forms.ModelChoiceField(
        queryset=AwardForm.objects.none(), required=False, label=_("Only for holders of")
    )
    board_proposes = forms.BooleanField(label=_("Proposed by the Board"), required=False)

    def __init__(self, *args: Any, forms_of_campaign: QuerySet[AwardForm], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["requires"]).queryset = forms_of_campaign

    def to_input(self) -> FormInput:
        data = self.cleaned_data
        return FormInput(
            name=data["name"],
            authority=data["authority"],
            level=data["level"],
            quota=data["quota"],
            min_years_between=data["min_years_between"] or 0,
            requires=data["requires"],
            board_proposes=data["board_proposes"],
        )


class DecisionForm(StyledForm):
    """A decision the committee signed and the proposals it approves."""

    form = forms.ModelChoiceField(queryset=AwardForm.objects.none(), label=_("Form of award"))
    number = forms.CharField(label=_("Decision number"), max_length=60)
    signed_on = _date_field(_("Signed on"))
    signer_name = forms.CharField(label=_("Signed by"), max_length=200)
    signer_title = forms.CharField(
        label=_("Signer's title"),
        max_length=200,
        required=False,
        help_text=_("For example “KT. CHỦ TỊCH – PHÓ CHỦ TỊCH”."),
    )
    proposals = forms.ModelMultipleChoiceField(
        queryset=AwardProposal.objects.none(),
        label=_("Nominees awarded"),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        forms_of_campaign: QuerySet[AwardForm],
        proposals: QuerySet[AwardProposal],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["form"]).queryset = forms_of_campaign
        field = cast(forms.ModelMultipleChoiceField, self.fields["proposals"])
        field.queryset = proposals
        field.label_from_instance = lambda obj: f"{obj.nominee.name} – {obj.form.name}"  # type: ignore[method-assign]
        # Checkboxes are not styled as text inputs.
        field.widget.attrs.pop("class", None)


class RecordForm(StyledForm):
    """An award a district or department granted under its own authority."""

    nominee_kind = forms.ChoiceField(
        choices=NomineeKind.choices, initial=NomineeKind.COLLECTIVE, label=_("Nominee")
    )
    nominee_name = forms.CharField(
        label=_("Name of the person or household"),
        required=False,
        max_length=300,
        help_text=_("Empty for the unit's collective."),
    )
    nominee_details = forms.CharField(
        label=_("Position or address"), required=False, max_length=300
    )
    form = forms.ModelChoiceField(queryset=AwardForm.objects.none(), label=_("Form of award"))
    decision_number = forms.CharField(label=_("Decision number"), max_length=60)
    decided_on = _date_field(_("Decision date"))
    granted_by = forms.CharField(
        label=_("Granted by"),
        max_length=200,
        required=False,
        help_text=_("For example “Chủ tịch UBND huyện Đắk Hà”."),
    )
    period = forms.ModelChoiceField(
        queryset=ReportingPeriod.objects.none(),
        required=False,
        label=_("For the achievements of"),
    )
    summary = forms.CharField(
        label=_("Summary of achievements"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args: Any,
        forms_recorded: QuerySet[AwardForm],
        periods: QuerySet[ReportingPeriod],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["form"]).queryset = forms_recorded
        period_field = cast(forms.ModelChoiceField, self.fields["period"])
        period_field.queryset = periods
        period_field.label_from_instance = lambda obj: str(obj.year)  # type: ignore[method-assign]
