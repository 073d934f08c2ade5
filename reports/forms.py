"""The form that asks for a report: kind, year and, for a unit's sheet, the unit."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import ReportingPeriod
from kontum_poverty.forms import StyledForm
from reports import access, selectors
from reports.models import ReportKind
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
