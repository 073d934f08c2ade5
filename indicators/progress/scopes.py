"""Which rows belong to a scope (province, district, commune or other unit)."""

from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Case, Count, F, Q, QuerySet, When
from django.db.models.functions import Coalesce

from campaigns.models import SubmissionStatus
from indicators.models import Denominator
from units.models import Unit, UnitKind, UnitLevel

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def counted_statuses(include_submitted: bool) -> list[str]:
    if include_submitted:
        return [SubmissionStatus.ACCEPTED, SubmissionStatus.SUBMITTED]
    return [SubmissionStatus.ACCEPTED]


def communes_q(scope: Unit, prefix: str) -> Q:
    """Rows whose `prefix` commune lies in the scope; one join path per level so indexes apply."""
    if scope.level == UnitLevel.PROVINCE:
        return Q(**{f"{prefix}__parent__parent_id": scope.pk})
    if scope.level == UnitLevel.DISTRICT:
        return Q(**{f"{prefix}__parent_id": scope.pk})
    if scope.level == UnitLevel.COMMUNE:
        return Q(**{f"{prefix}_id": scope.pk})
    return Q(pk__in=[])


def commune_child_key(scope: Unit, prefix: str) -> str | None:
    if scope.level == UnitLevel.PROVINCE:
        return f"{prefix}__parent_id"
    if scope.level == UnitLevel.DISTRICT:
        return f"{prefix}_id"
    return None


@lru_cache(maxsize=1024)
def _subtree(scope_id: int, level: str) -> "QuerySet[Unit, Any] | None":
    """The ids of a province or district and the units under it, as a subquery (never
    evaluated). Built once per scope and process: a page uses it in eight queries, and
    building it cost more Python than compiling it; each query works on its own copy."""
    if level == UnitLevel.PROVINCE:
        parents = Unit.objects.filter(Q(pk=scope_id) | Q(parent_id=scope_id)).values("pk")
        under = Unit.objects.filter(parent_id__in=parents)
    elif level == UnitLevel.DISTRICT:
        under = Unit.objects.filter(parent_id=scope_id)
    else:
        return None
    own = Unit.objects.filter(pk=scope_id).values("pk").order_by()
    return under.values("pk").order_by().union(own, all=True)


def unit_subtree_q(scope: Unit, prefix: str) -> Q:
    """Rows whose `prefix` unit is the scope or lies under it (the tree is three levels deep)."""
    # One IN (subquery) rather than OR-ed joins: PostgreSQL hashes the few ids of the subtree
    # once instead of joining the unit table twice for every row. The units under the scope
    # are found through the parent index (those whose parent is the scope or one of its
    # children), and the scope is added with UNION ALL: an OR, inside the subquery or around
    # it, made PostgreSQL scan the whole country's units or misjudge how many rows match.
    subtree = _subtree(scope.pk, scope.level)
    if subtree is None:
        return Q(**{prefix: scope.pk})
    return Q(**{f"{prefix}__in": subtree})


def reporting_q(scope: Unit) -> Q:
    # Rates are reported by districts: a province sums its districts, never its own figure too.
    if scope.level == UnitLevel.PROVINCE:
        return Q(submission__unit__parent_id=scope.pk, submission__unit__level=UnitLevel.DISTRICT)
    return Q(submission__unit_id=scope.pk)


def models_q(scope: Unit, prefix: str = "model__") -> Q:
    """Models located in the scope: by the model's commune, else by its unit.

    `prefix` reaches the model from the rows filtered ("model__" from results, "" on models)."""
    no_commune = Q(**{f"{prefix}commune__isnull": True})
    if scope.level == UnitLevel.PROVINCE:
        return unit_subtree_q(scope, f"{prefix}unit")
    if scope.level == UnitLevel.DISTRICT:
        return Q(**{f"{prefix}commune__parent_id": scope.pk}) | (
            no_commune
            & (Q(**{f"{prefix}unit_id": scope.pk}) | Q(**{f"{prefix}unit__parent_id": scope.pk}))
        )
    if scope.level == UnitLevel.COMMUNE:
        return Q(**{f"{prefix}commune_id": scope.pk}) | (
            no_commune & Q(**{f"{prefix}unit_id": scope.pk})
        )
    return Q(**{f"{prefix}unit_id": scope.pk})


def model_child_expression(scope: Unit, prefix: str = "model__") -> Coalesce | None:
    """The child unit (district of a province, commune of a district) a model belongs to."""
    level = f"{prefix}unit__level"
    if scope.level == UnitLevel.PROVINCE:
        return Coalesce(
            F(f"{prefix}commune__parent_id"),
            Case(
                When(**{level: UnitLevel.DISTRICT, "then": F(f"{prefix}unit_id")}),
                When(**{level: UnitLevel.COMMUNE, "then": F(f"{prefix}unit__parent_id")}),
            ),
        )
    if scope.level == UnitLevel.DISTRICT:
        return Coalesce(
            F(f"{prefix}commune_id"),
            Case(When(**{level: UnitLevel.COMMUNE, "then": F(f"{prefix}unit_id")})),
        )
    return None


def kinds_counted(denominator: str) -> list[str]:
    """The kinds of commune-level units a commune-based figure counts."""
    if denominator == Denominator.COMMUNES:
        return [UnitKind.COMMUNE]
    return [UnitKind.COMMUNE, UnitKind.WARD, UnitKind.TOWNSHIP]


def districts_in_scope(scope: Unit) -> QuerySet[Unit]:
    """The districts whose reports a district-reported rate sums: a province's, or itself."""
    units = Unit.objects.filter(level=UnitLevel.DISTRICT, is_active=True)
    if scope.level == UnitLevel.PROVINCE:
        return units.filter(parent_id=scope.pk)
    if scope.level == UnitLevel.DISTRICT:
        return units.filter(pk=scope.pk)
    return units.none()


def communes_in_scope(scope: Unit) -> QuerySet[Unit]:
    units = Unit.objects.filter(level=UnitLevel.COMMUNE, is_active=True)
    if scope.level == UnitLevel.PROVINCE:
        return units.filter(parent__parent_id=scope.pk)
    if scope.level == UnitLevel.DISTRICT:
        return units.filter(parent_id=scope.pk)
    if scope.level == UnitLevel.COMMUNE:
        return units.filter(pk=scope.pk)
    return units.none()


class Communes(TypedDict):
    """What `child_units` adds to each unit: how many active communes it holds."""

    communes: int


def child_units(*, scope: Unit) -> "QuerySet[WithAnnotations[Unit, Communes]]":
    """The units a scope breaks down into: a province's districts, a district's communes."""
    if scope.level == UnitLevel.PROVINCE:
        return Unit.objects.filter(
            parent_id=scope.pk, level=UnitLevel.DISTRICT, is_active=True
        ).annotate(
            communes=Count(
                "children",
                filter=Q(children__level=UnitLevel.COMMUNE, children__is_active=True),
            )
        )
    if scope.level == UnitLevel.DISTRICT:
        return Unit.objects.filter(
            parent_id=scope.pk, level=UnitLevel.COMMUNE, is_active=True
        ).annotate(communes=Count("pk"))
    # No rows, but the same shape as the others: each child unit with its count of communes.
    return Unit.objects.none().annotate(communes=Count("pk"))
