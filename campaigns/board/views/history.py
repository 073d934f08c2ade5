"""“Ai đã sửa gì”: every recorded change of a report's values, of scores and of commune
statistics, newest first, filtered by unit, year and person. The Board and leaders read it,
and admins, who import commune statistics; officers are refused."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from campaigns import history
from campaigns.models import ReportingPeriod
from kontum_poverty.forms import StyledForm
from kontum_poverty.http import AuthenticatedRequest
from units import access
from units.models import Unit, UnitLevel, User

PER_PAGE = 50


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.code} – {obj.name}"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.username})" if name else obj.username


class HistoryFilterForm(StyledForm):
    unit = UnitChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), required=False, empty_label=_("All units")
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)
    person = PersonChoiceField(
        label=_("Changed by"), queryset=User.objects.none(), required=False, empty_label=_("Anyone")
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        person_field = self.fields["person"]
        year_field = self.fields["year"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        assert isinstance(person_field, forms.ModelChoiceField)
        assert isinstance(year_field, forms.ChoiceField)
        unit_field.queryset = Unit.objects.exclude(level=UnitLevel.PROVINCE).order_by("code")
        person_field.queryset = User.objects.order_by("username")
        years = ReportingPeriod.objects.order_by("-year").values_list("year", flat=True).distinct()
        year_field.choices = [("", _("All years")), *((y, str(y)) for y in years)]

    def filters(self) -> history.ChangeFilters:
        if not self.is_bound or not self.is_valid():
            return history.ChangeFilters()
        return history.ChangeFilters(
            unit=self.cleaned_data["unit"],
            year=self.cleaned_data["year"],
            person=self.cleaned_data["person"],
        )


@login_required
@require_safe
def changes(request: AuthenticatedRequest) -> HttpResponse:
    """Who changed which value, when: from what to what."""
    if not (access.reads_board_pages(request.user) or access.is_admin(request.user)):
        raise PermissionDenied
    form = HistoryFilterForm(request.GET or None)
    keys = history.change_keys(filters=form.filters())
    page = Paginator(keys, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "campaigns/board/history.html",
        {
            "form": form,
            "page": page,
            "changes": history.changes_for_keys(list(page.object_list)),
            "query": query.urlencode(),
        },
    )
