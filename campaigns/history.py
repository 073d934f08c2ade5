"""Value-level history read back: each recorded change as "field: old → new, by whom, when".

The records are django-simple-history's (`kontum_poverty/history.py`, docs/history.md), on a
report's own values, its scores, its indicator values and model results, and on commune
statistics. The indicator-side models belong to the app above this one: they are reached
through their relations to reports and units, never imported.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import CharField as CharFieldType
from django.db.models import Field, Model, Q, QuerySet, Value
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _

from campaigns.models import Criterion, CriterionScore, Submission
from kontum_poverty.bulk import Rows, rows_read_together
from kontum_poverty.history import BASELINE
from kontum_poverty.numbers import format_vn_number
from units.models import Unit, User

# What each recorded model shows, in this order; other tracked columns (keys) are not values.
SUBMISSION = "submission"
SCORE = "score"
VALUE = "value"
RESULT = "result"
STATISTICS = "statistics"
SHOWN_FIELDS: dict[str, tuple[str, ...]] = {
    SUBMISSION: ("narrative", "fund_mobilised_vnd", "not_reporting", "classification"),
    SCORE: ("self_points", "self_justification", "board_points", "board_justification"),
    VALUE: ("value", "numerator", "denominator", "comment", "warning_explanation"),
    RESULT: ("participating_households", "average_income_vnd", "escaped_households", "comment"),
    STATISTICS: (
        "total_households",
        "ethnic_minority_households",
        "poor_households",
        "near_poor_households",
        "poor_ethnic_minority_households",
        "near_poor_ethnic_minority_households",
        "escaped_poverty",
        "newly_poor",
        "fell_back",
        "escaped_poverty_ethnic_minority",
        "newly_poor_ethnic_minority",
        "fell_back_ethnic_minority",
        "paved_road",
        "adequate_schools",
        "health_criteria_met",
        "cultural_house",
        "note",
        "source",
    ),
}
# The Board's verdict: a unit does not see it before the year is closed (campaigns.access).
BOARD_FIELDS = {"board_points", "board_justification", "classification"}
TEXT_SHOWN = 120


def reported_value_model() -> type[Model]:
    return Submission._meta.get_field("values").related_model


def model_result_model() -> type[Model]:
    return Submission._meta.get_field("model_results").related_model


def commune_statistics_model() -> type[Model]:
    return Unit._meta.get_field("statistics").related_model


def recorded_models() -> dict[str, type[Model]]:
    """Each kind of recorded row and its model."""
    return {
        SUBMISSION: Submission,
        SCORE: CriterionScore,
        VALUE: reported_value_model(),
        RESULT: model_result_model(),
        STATISTICS: commune_statistics_model(),
    }


def history_model(kind: str) -> Any:
    return recorded_models()[kind].history.model  # type: ignore[attr-defined]


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class ValueChange:
    """One recorded change of one row: what (`subject`), who, when, and each field's change."""

    kind: str
    at: datetime
    by: User | None
    action: str  # "+" created, "~" changed, "-" removed
    subject: str = ""
    changes: list[FieldChange] = field(default_factory=list)
    record: Any = None

    @property
    def created(self) -> bool:
        return self.action == "+"

    @property
    def removed(self) -> bool:
        return self.action == "-"


def shown_value(model: type[Model], name: str, value: object) -> str:
    """A value as people read it: numbers with thousand separators, yes/no, choice labels."""
    return _shown(model._meta.get_field(name), value)


def _shown(model_field: object, value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(model_field, Field) and model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, Decimal | int | float):
        return format_vn_number(value)
    return Truncator(str(value)).chars(TEXT_SHOWN)


def field_name(model: type[Model], name: str) -> str:
    model_field = model._meta.get_field(name)
    return capfirst(str(getattr(model_field, "verbose_name", name)))


def changes_of(
    records: Iterable[Any], *, kind: str, hidden: Iterable[str] = ()
) -> list[ValueChange]:
    """Each record compared with the one before it for the same row, oldest first; records that
    change nothing shown, and baselines, are left out.

    `records` must hold every earlier record of their rows, ordered by row, then time."""
    model = recorded_models()[kind]
    names = [name for name in SHOWN_FIELDS[kind] if name not in set(hidden)]
    fields = {name: model._meta.get_field(name) for name in names}
    defaults = {name: fields[name].get_default() for name in names}  # type: ignore[union-attr]
    # Each field's name is looked up and translated once, however long the history.
    labels: dict[str, str] = {}
    previous: dict[int, Any] = {}
    found: list[ValueChange] = []
    for record in records:
        before = previous.get(record.id)
        previous[record.id] = record
        if record.history_change_reason == BASELINE:
            continue
        change = ValueChange(
            kind=kind,
            at=record.history_date,
            by=record.history_user,
            action=record.history_type,
            record=record,
        )
        if record.history_type == "-":
            found.append(change)
            continue
        for name in names:
            new = getattr(record, name)
            old = (
                getattr(before, name) if before is not None and record.history_type != "+" else None
            )
            if before is not None and record.history_type != "+" and old == new:
                continue
            # A new row's empty and default values (a report not marked "not reporting") are
            # not changes anyone made.
            if before is None and (new in (None, "") or new == defaults[name]):
                continue
            if name not in labels:
                labels[name] = field_name(model, name)
            change.changes.append(
                FieldChange(
                    label=labels[name],
                    old=_shown(fields[name], old),
                    new=_shown(fields[name], new),
                )
            )
        if change.changes:
            found.append(change)
    return found


def net_changes(changes: Sequence[ValueChange]) -> list[ValueChange]:
    """`changes` (oldest first) as one change per row: each field from its value before the
    first change to its value after the last; fields that came back to where they started, and
    rows created and removed again, are left out.

    A timeline entry covers one person's sitting at the form, autosaves included: listing every
    save's "old → new" would make the review page grow with each save; every single change
    stays on the "who changed what" page."""
    rows: dict[tuple[str, int], ValueChange] = {}
    for change in changes:
        key = (change.kind, change.record.id)
        merged = rows.get(key)
        if merged is None:
            rows[key] = replace(change, changes=list(change.changes))
        elif merged.removed:
            rows[key] = replace(change, changes=list(change.changes))  # created again
        elif change.removed:
            if merged.created:
                del rows[key]  # it came and went within the sitting
            else:
                merged.action, merged.changes = change.action, []
        else:
            fields = {item.label: i for i, item in enumerate(merged.changes)}
            for item in change.changes:
                if item.label in fields:
                    earlier = merged.changes[fields[item.label]]
                    merged.changes[fields[item.label]] = replace(earlier, new=item.new)
                else:
                    merged.changes.append(item)
    net = []
    for merged in rows.values():
        merged.changes = [item for item in merged.changes if item.old != item.new]
        if merged.changes or merged.removed:
            net.append(merged)
    return net


def _ordered(queryset: QuerySet, *related: str) -> QuerySet:
    return queryset.select_related("history_user", *related).order_by(
        "id", "history_date", "history_id"
    )


def submission_value_changes(
    *, submission: Submission, show_board_points: bool = True
) -> list[ValueChange]:
    """Every recorded change to one report's values, scores, indicator values and model
    results, oldest first, each named as the Board's return form names it ("1.2. Name",
    "LABOUR – Name").

    Two statements however long the report: the four kinds of records, then who made them and
    what they are about (each page that shows a report's timeline reads this at the deadline,
    and compiling one ORM query per kind cost more than running them)."""
    hidden = () if show_board_points else BOARD_FIELDS
    reads = {
        SUBMISSION: Rows.of(history_model(SUBMISSION), id=submission.pk),
        SCORE: Rows.of(history_model(SCORE), submission=submission.pk),
        VALUE: Rows.of(history_model(VALUE), submission=submission.pk),
        RESULT: Rows.of(history_model(RESULT), submission=submission.pk),
    }
    with rows_read_together(*reads.values()):
        # Each row's records in time order, as `changes_of` compares them.
        records = {
            kind: sorted(read.read(), key=lambda r: (r.id, r.history_date, r.history_id))
            for kind, read in reads.items()
        }
    _attach_related(records)
    changes = changes_of(records[SUBMISSION], kind=SUBMISSION, hidden=hidden)
    for change in changes:
        change.subject = _("The report")
    scores = changes_of(records[SCORE], kind=SCORE, hidden=hidden)
    for change in scores:
        change.subject = str(change.record.criterion)
    values = changes_of(records[VALUE], kind=VALUE)
    for change in values:
        indicator = change.record.indicator
        change.subject = f"{indicator.code} – {indicator.name}"
    results = changes_of(records[RESULT], kind=RESULT)
    for change in results:
        change.subject = change.record.model.name
    everything = [*changes, *scores, *values, *results]
    everything.sort(key=lambda change: (change.at, change.record.history_id))
    return everything


# The row each kind of record names, besides its author: (kind, relation, its model).
def _named_relations() -> list[tuple[str, str, type[Model]]]:
    return [
        (SCORE, "criterion", Criterion),
        (VALUE, "indicator", _related(reported_value_model(), "indicator")),
        (RESULT, "model", _related(model_result_model(), "model")),
    ]


def _related(model: type[Model], name: str) -> type[Model]:
    return model._meta.get_field(name).related_model  # type: ignore[return-value]


def _attach_related(records: dict[str, list[Any]]) -> None:
    """Each record's author and the criterion, indicator or model it is about, read together
    in one statement and set on the records (what `select_related` did per kind)."""
    users = {r.history_user_id for rows in records.values() for r in rows} - {None}
    wanted = {
        kind: (relation, model, {getattr(r, f"{relation}_id") for r in records[kind]} - {None})
        for kind, relation, model in _named_relations()
    }
    reads = [Rows.of(User, id=sorted(users))]
    reads += [Rows.of(model, id=sorted(pks)) for _relation, model, pks in wanted.values()]
    with rows_read_together(*reads):
        found = [{row.pk: row for row in read.read()} for read in reads]
    for rows in records.values():
        for record in rows:
            record.history_user = found[0].get(record.history_user_id)
    for (kind, (relation, _model, _pks)), by_pk in zip(wanted.items(), found[1:], strict=True):
        for record in records[kind]:
            setattr(record, relation, by_pk.get(getattr(record, f"{relation}_id")))


# --- The Board's "who changed what" page --------------------------------------------------------


@dataclass(frozen=True)
class ChangeFilters:
    unit: Unit | None = None
    year: int | None = None
    person: User | None = None


def _keys(kind: str, filters: ChangeFilters) -> QuerySet:
    """(kind, history id, time) of the kind's records that match the filters."""
    unit_paths = {
        SUBMISSION: ["unit_id"],
        SCORE: ["submission__unit_id"],
        VALUE: ["submission__unit_id"],
        RESULT: ["model__unit_id"],
        STATISTICS: ["commune_id", "commune__parent_id"],
    }
    year_paths = {
        SUBMISSION: "period__year",
        SCORE: "submission__period__year",
        VALUE: "submission__period__year",
        RESULT: "year",
        STATISTICS: "year",
    }
    queryset = history_model(kind).objects.exclude(history_change_reason=BASELINE)
    if filters.unit is not None:
        unit_q = Q()
        for path in unit_paths[kind]:
            unit_q |= Q(**{path: filters.unit.pk})
        queryset = queryset.filter(unit_q)
    if filters.year is not None:
        queryset = queryset.filter(**{year_paths[kind]: filters.year})
    if filters.person is not None:
        queryset = queryset.filter(history_user_id=filters.person.pk)
    return (
        queryset.annotate(kind=Value(kind, output_field=CharFieldType()))
        .values_list("kind", "history_id", "history_date")
        .order_by()
    )


def change_keys(*, filters: ChangeFilters) -> QuerySet:
    """Every recorded change matching the filters, newest first, as (kind, history id, time):
    one query the page paginates, whatever the kind of row."""
    kinds = list(recorded_models())
    first, *rest = (_keys(kind, filters) for kind in kinds)
    return first.union(*rest, all=True).order_by("-history_date", "-history_id")


def changes_for_keys(keys: Sequence[tuple[str, int, datetime]]) -> list[ValueChange]:
    """The changes behind a page of keys, newest first, each with its old and new values and
    named by unit, year and what changed."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for kind, history_id, _at in keys:
        wanted[kind].add(history_id)
    found: dict[tuple[str, int], ValueChange] = {}
    for kind, history_ids in wanted.items():
        model = history_model(kind)
        rows = model.objects.filter(history_id__in=history_ids).values_list("id", flat=True)
        # Every record of those rows, so each change is compared with the one before it.
        records = _ordered(model.objects.filter(id__in=rows))
        for change in changes_of(records, kind=kind):
            if change.record.history_id in history_ids:
                found[(kind, change.record.history_id)] = change
        _name(kind, [c for (k, _i), c in found.items() if k == kind])
    return [found[(kind, pk)] for kind, pk, _at in keys if (kind, pk) in found]


def _name(kind: str, changes: list[ValueChange]) -> None:
    """Each change's subject: the unit and year, and which criterion, indicator or model."""
    if not changes:
        return
    records = [change.record for change in changes]
    if kind == STATISTICS:
        names = dict(
            Unit.objects.filter(pk__in={r.commune_id for r in records}).values_list("pk", "name")
        )
        for change in changes:
            record = change.record
            change.subject = _("%(commune)s, %(year)s: commune statistics") % {
                "commune": names.get(record.commune_id, "—"),
                "year": record.year,
            }
        return
    if kind == RESULT:
        poverty_model = model_result_model()._meta.get_field("model").related_model
        models: dict[int, Any] = {
            m.pk: m
            for m in poverty_model._default_manager.filter(  # type: ignore[union-attr]
                pk__in={r.model_id for r in records}
            ).select_related("unit")
        }
        for change in changes:
            found = models.get(change.record.model_id)
            change.subject = _("%(unit)s, %(year)s: model “%(model)s”") % {
                "unit": found.unit.name if found else "—",
                "year": change.record.year,
                "model": found.name if found else "—",
            }
        return
    report_ids = {r.id if kind == SUBMISSION else r.submission_id for r in records}
    reports = {
        s.pk: s
        for s in Submission.objects.filter(pk__in=report_ids).select_related("unit", "period")
    }
    what: dict[int, str] = {}
    if kind == SCORE:
        what = dict(
            Criterion.objects.filter(pk__in={r.criterion_id for r in records}).values_list(
                "pk", "code"
            )
        )
    elif kind == VALUE:
        indicator = reported_value_model()._meta.get_field("indicator").related_model
        what = {
            pk: f"{code} – {name}"
            for pk, code, name in indicator._default_manager.filter(  # type: ignore[union-attr]
                pk__in={r.indicator_id for r in records}
            ).values_list("pk", "code", "name")
        }
    for change in changes:
        record = change.record
        report = reports.get(record.id if kind == SUBMISSION else record.submission_id)
        where = f"{report.unit.name}, {report.period.year}" if report else "—"
        if kind == SUBMISSION:
            change.subject = _("%(where)s: yearly report") % {"where": where}
        elif kind == SCORE:
            change.subject = _("%(where)s: criterion %(code)s") % {
                "where": where,
                "code": what.get(record.criterion_id, "—"),
            }
        else:
            change.subject = f"{where}: {what.get(record.indicator_id, '—')}"
