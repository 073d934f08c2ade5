"""A district's own step: its officers enter or correct the year's figures of the district's
communes through the same import (restricted to those communes), then confirm them.

Any later change to a commune's figures removes its district's confirmation for the year, so
a confirmation always vouches for the figures as they are.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from indicators.imports.services import ensure_year_open
from indicators.models import CommuneStatistics, DistrictConfirmation
from indicators.progress.cache import figures_changed
from units import access
from units.models import NotificationKind, Role, Unit, UnitLevel, User
from units.notifications.services import notify


def officer_district(user: User) -> Unit | None:
    """The district a person enters commune figures for: their unit, when it is a district."""
    if not access.is_unit_officer(user) or user.unit is None:
        return None
    return user.unit if user.unit.level == UnitLevel.DISTRICT else None


def district_communes(district: Unit) -> list[Unit]:
    return list(Unit.objects.communes().filter(parent=district, is_active=True).order_by("code"))


def communes_without_figures(*, year: int, district: Unit) -> list[Unit]:
    """The district's active communes with no figures stored for the year."""
    have = CommuneStatistics.objects.filter(year=year, commune__parent=district).values(
        "commune_id"
    )
    return list(
        Unit.objects.communes()
        .filter(parent=district, is_active=True)
        .exclude(pk__in=have)
        .order_by("code")
    )


@transaction.atomic
def district_confirm(*, year: int, district: Unit, by: User) -> DistrictConfirmation:
    """The district's officer confirms the year's figures of all the district's communes."""
    if officer_district(by) != district:
        raise PermissionDenied
    ensure_year_open(year=year)
    # Locks the district row: two officers confirming at once make one confirmation.
    Unit.objects.select_for_update().get(pk=district.pk)
    existing = DistrictConfirmation.objects.filter(year=year, district=district).first()
    if existing is not None:
        return existing
    missing = communes_without_figures(year=year, district=district)
    if missing:
        raise ValidationError(
            _("Some communes have no figures for %(year)s yet: %(names)s."),
            code="communes_missing",
            params={"year": year, "names": ", ".join(unit.name for unit in missing)},
        )
    confirmation = DistrictConfirmation.objects.create(
        year=year, district=district, confirmed_by=by
    )
    # Dashboards cache their pages with the "not confirmed" mark: they are drawn again.
    figures_changed()
    notify(
        users=User.objects.filter(is_active=True).filter(role=Role.ADMIN)
        | User.objects.filter(is_active=True, is_superuser=True),
        kind=NotificationKind.DISTRICT_CONFIRMED,
        message=_("%(district)s confirmed the commune figures of %(year)s."),
        params={"district": district.name, "year": year},
        link=reverse("indicators:import-upload"),
    )
    return confirmation


def confirmation_overview(*, year: int) -> list[tuple[Unit, DistrictConfirmation | None]]:
    """Every district with its confirmation of the year, if any, for the admin."""
    confirmations = {
        c.district_id: c
        for c in DistrictConfirmation.objects.filter(year=year).select_related("confirmed_by")
    }
    return [
        (district, confirmations.get(district.pk))
        for district in Unit.objects.districts().filter(is_active=True).order_by("code")
    ]


def unconfirmed_district_ids(*, year: int) -> set[int]:
    """Districts whose communes' figures for the year are not confirmed."""
    confirmed = DistrictConfirmation.objects.filter(year=year).values("district_id")
    return set(Unit.objects.districts().exclude(pk__in=confirmed).values_list("pk", flat=True))


def figures_unconfirmed(*, year: int, scope: Unit) -> bool:
    """Whether a scope's commune figures for the year include some no district confirmed."""
    if scope.level == UnitLevel.ORGANISATION:
        return False
    confirmed = DistrictConfirmation.objects.filter(year=year).values("district_id")
    figures = CommuneStatistics.objects.filter(year=year).exclude(commune__parent_id__in=confirmed)
    if scope.level == UnitLevel.DISTRICT:
        figures = figures.filter(commune__parent=scope)
    elif scope.level == UnitLevel.COMMUNE:
        figures = figures.filter(commune=scope)
    return figures.exists()
