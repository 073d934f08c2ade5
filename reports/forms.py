"""The form that asks for a report: kind, year and, for a unit's sheet, the unit."""

from typing import Any, cast

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from campaigns.models import ReportingPeriod
from kontum_poverty.forms import StyledForm
from reports import access, selectors
from reports.models import ReportKind, Signing
from units import access as roles
from units.models import Unit, User


def year_choices(*, user: User) -> list[tuple[int, str]]:
    """The campaign's years with a reporting period; an officer's sheet only for closed years."""
    campaign = selectors.current_campaign()
    periods = ReportingPeriod.objects.filter(campaign=campaign).order_by("-year")
    years = list(periods.values_list("year", flat=True))
    if not roles.sees_every_unit(user):
        closed = set(access.closed_years())
        years = [y for y in years if y in closed]
    return [(y, str(y)) for y in years]


def unit_choices(*, user: User) -> list[tuple[str, str]]:
    """Units whose sheet `user` may ask for: every unit that has reported, or an officer's own."""
    if roles.sees_every_unit(user):
        units = (
            Unit.objects.filter(submissions__period__campaign=selectors.current_campaign())
            .distinct()
            .order_by("code")
            .values_list("code", "name")
        )
        return [("", "—"), *((code, f"{code} · {name}") for code, name in units)]
    if user.unit is not None:
        return [(user.unit.code, user.unit.name)]
    return []


class ReportRequestForm(StyledForm):
    """One kind of report (given, not chosen here): its year and, for a unit's sheet, the unit."""

    year = forms.TypedChoiceField(coerce=int, label=_("Year"))
    unit = forms.ChoiceField(label=_("Unit"), required=False)

    def __init__(
        self,
        *args: object,
        kind: str,
        years: list[tuple[int, str]],
        units: list[tuple[str, str]],
        initial_year: int | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, prefix=kind, **kwargs)
        self.kind = kind
        self.label = ReportKind(kind).label
        year, unit = (cast(forms.ChoiceField, self.fields[name]) for name in ("year", "unit"))
        # The final review is of the campaign's last year; the mid-term one follows an earlier year.
        if kind == ReportKind.FINAL:
            years = years[:1]
        elif kind == ReportKind.INTERIM:
            years = years[1:]
        year.choices = years
        year.initial = initial_year
        unit.choices = units
        if kind != ReportKind.UNIT_SHEET:
            del self.fields["unit"]
        elif len(units) == 1:
            self.fields["unit"].initial = units[0][0]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.kind == ReportKind.UNIT_SHEET and not data.get("unit"):
            self.add_error("unit", _("Choose the unit."))
        return data


def request_forms(
    *, user: User, data: object = None, bound_kind: str = ""
) -> list[ReportRequestForm]:
    """A form per kind `user` may ask for; the one named `bound_kind` bound to `data`."""
    years, units = year_choices(user=user), unit_choices(user=user)
    # The year a leader most likely wants: the latest past one with figures, as on the dashboard.
    initial = (
        selectors.pick_year(years=sorted(y for y, _ in years), requested=None) if years else None
    )
    return [
        ReportRequestForm(
            data if kind == bound_kind else None,
            kind=kind,
            years=years,
            units=units,
            initial_year=initial,
        )
        for kind in access.report_kinds(user=user)
    ]


# --- The Board's documents ------------------------------------------------------------------------


class NarrativeForm(StyledForm):
    """Sections II–V of a document, saved as a new version over the one the writer started from."""

    shortcomings = forms.CharField(
        label=_("II. Shortcomings, limitations and causes"), required=False, widget=forms.Textarea
    )
    lessons = forms.CharField(
        label=_("III. Lessons learned"), required=False, widget=forms.Textarea
    )
    directions = forms.CharField(
        label=_("IV. Directions and tasks"), required=False, widget=forms.Textarea
    )
    proposals = forms.CharField(
        label=_("V. Proposals and recommendations"), required=False, widget=forms.Textarea
    )
    note = forms.CharField(label=_("What changed (optional)"), required=False, max_length=300)
    base_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("shortcomings", "lessons", "directions", "proposals"):
            self.fields[name].widget.attrs["rows"] = 8


class ApproveForm(StyledForm):
    version = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)


class IssueForm(StyledForm):
    """The number and date the clerk registered for the signed paper."""

    number = forms.CharField(label=_("Registered number"), max_length=60)
    issued_on = forms.DateField(
        label=_("Date of issue"), widget=forms.DateInput(attrs={"type": "date"})
    )


class SetupForm(StyledForm):
    """Who issues and who signs one kind of document (checked again by the model's rules)."""

    # A body's name may take two lines on paper ("ỦY BAN NHÂN DÂN" / "TỈNH KON TUM").
    parent_body = forms.CharField(
        label=_("parent body"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    issuing_body = forms.CharField(
        label=_("issuing body"), max_length=200, widget=forms.Textarea(attrs={"rows": 2})
    )
    issuer_code = forms.CharField(label=_("issuer's symbol"), max_length=20)
    collective = forms.CharField(label=_("collective body (TM.)"), required=False, max_length=200)
    head_title = forms.CharField(label=_("title of the head"), max_length=100)
    signing = forms.ChoiceField(label=_("signing"), choices=Signing.choices)
    signer_title = forms.CharField(label=_("title of the signer"), required=False, max_length=100)
    signer_name = forms.CharField(label=_("name of the signer"), required=False, max_length=100)
    recipients = forms.CharField(
        label=_("recipients"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.label = capfirst(field.label)
