"""Value-level history: who changed which value, when, and what it was before (docs/history.md).

django-simple-history writes a historical row after every save; `ValueHistory` keeps only real
changes, so the Board's "who changed what" page and the report timelines list changes, not saves.
"""

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Generic, TypeVar

from django.db import connections, models, router
from django.utils import timezone
from simple_history.manager import HistoryDescriptor
from simple_history.models import HistoricalRecords

from kontum_poverty.bulk import update_rows, write

# Change reason of a record that holds a row's stored values just before its first recorded
# change: rows written before history existed (or by a bulk write without it) get one, so that
# first change still reads "old → new". It is not a change itself and is never listed.
BASELINE = "baseline"


class _ManagerClassOnce(HistoryDescriptor):
    """simple-history's descriptor, building its manager class once instead of on every access.

    The stock descriptor calls `Manager.from_queryset()` each time `Model.history` is read,
    which walks the queryset class with `inspect`: about half a millisecond, several times in
    every report save."""

    def __get__(self, instance: models.Model | None, owner: type[models.Model]) -> Any:
        manager_class = self.__dict__.get("_manager_class")
        if manager_class is None:
            manager_class = self.manager_class.from_queryset(self.queryset_class)
            self._manager_class = manager_class
        return manager_class(self.model, instance)


class ValueHistory(HistoricalRecords):
    """Historical records that skip saves changing no tracked value, with a baseline record
    before the first change of a row that has no history yet."""

    def finalize(self, sender: type[models.Model], **kwargs: Any) -> None:
        super().finalize(sender, **kwargs)
        if sender is self.cls:
            models.signals.pre_save.connect(self.pre_save, sender=sender, weak=False)
            stock = sender.__dict__[self.manager_name]
            setattr(
                sender,
                self.manager_name,
                _ManagerClassOnce(
                    stock.model, manager=stock.manager_class, queryset=stock.queryset_class
                ),
            )

    def tracked_names(self, instance: models.Model) -> list[str]:
        return [field.attname for field in self.fields_included(instance)]

    def pre_save(self, instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
        if raw or instance._state.adding or instance.pk is None:
            return
        if hasattr(instance, "skip_history_when_saving"):
            return
        names = self.tracked_names(instance)
        # One query per save: the values the latest record holds, to compare after the save.
        history = getattr(instance, self.manager_name)
        before = history.order_by("-history_date", "-history_id").values(*names).first()
        if before is None:
            stored = type(instance)._base_manager.filter(pk=instance.pk).first()
            if stored is None:
                return
            stored._history_user = None  # type: ignore[attr-defined]
            stored._change_reason = BASELINE  # type: ignore[attr-defined]
            self.create_historical_record(stored, "~", using=kwargs.get("using"))
            before = {name: getattr(stored, name) for name in names}
        instance._history_before = before  # type: ignore[attr-defined]

    def post_save(
        self, instance: models.Model, created: bool, using: str | None = None, **kwargs: Any
    ) -> None:
        before = instance.__dict__.pop("_history_before", None)
        if (
            not created
            and before is not None
            and all(before[name] == getattr(instance, name) for name in before)
        ):
            return
        super().post_save(instance, created, using=using, **kwargs)


M = TypeVar("M", bound=models.Model)


def has_history(model: type[models.Model]) -> models.Exists:
    """Annotation for a recorded model's rows: whether the row has any history record yet.

    Read with the rows a bulk writer compares against, so knowing which changed rows need a
    baseline first costs no query of its own."""
    records = model.history.model._default_manager  # type: ignore[attr-defined]
    return models.Exists(records.filter(id=models.OuterRef("pk")))


HISTORY_COLUMNS = ("history_date", "history_user", "history_change_reason", "history_type")


@cache
def _copy_statement(model: type[models.Model], alias: str) -> str:
    """`INSERT INTO <history> (…) SELECT … FROM <table> WHERE pk IN ({pks})` for `model`."""
    records: Any = model.history.model  # type: ignore[attr-defined]
    meta: Any = model._meta
    connection = connections[alias]
    quote = connection.ops.quote_name
    targets, sources = [], []
    for tracked in records.tracked_fields:
        targets.append(quote(records._meta.get_field(tracked.name).column))
        sources.append(quote(tracked.column))
    # The history's own columns, in the order `record_history` passes their values.
    extra = [records._meta.get_field(name) for name in HISTORY_COLUMNS]
    targets += [quote(field.column) for field in extra]
    # Typed on PostgreSQL, as the statement is prepared (`kontum_poverty.bulk.prepared`): a bare
    # parameter in a SELECT list has no type it could infer. Bare elsewhere: the SQLite demo
    # (`make run`) knows no `::`, and its CAST to "datetime" would turn a date into a number.
    typed = connection.vendor == "postgresql"
    sources += [f"%s::{field.cast_db_type(connection)}" if typed else "%s" for field in extra]
    statement = (
        f"INSERT INTO {quote(records._meta.db_table)} ({', '.join(targets)}) "  # noqa: S608
        f"SELECT {', '.join(sources)} FROM {quote(meta.db_table)} "
        f"WHERE {quote(meta.pk.column)} IN ({{pks}})"
    )
    return statement


@cache
def _history_date(model: type[models.Model]) -> Any:
    # `model.history` builds a manager on every access: once per model is enough.
    return model.history.model._meta.get_field("history_date")  # type: ignore[attr-defined]


def record_history(
    model: type[models.Model],
    pks: Iterable[Any],
    *,
    history_type: str,
    by: Any = None,
    reason: str | None = None,
) -> None:
    """Write one history record per stored row in `pks`, holding the row's values as stored now.

    What simple-history's `bulk_history_create` writes (same columns, one date for all), but
    copied by the database in one `INSERT … SELECT`: no historical instance is built in Python,
    which made the history the largest part of a report save. Call it after the rows are
    written for "+"/"~" records, and before they are changed for baselines."""
    pks = list(pks)
    if not pks:
        return
    connection = connections[router.db_for_write(model)]
    statement = _copy_statement(model, connection.alias)
    params = [
        _history_date(model).get_db_prep_value(timezone.now(), connection),
        getattr(by, "pk", by),
        reason,
        history_type,
        *pks,
    ]
    write(connection, statement.format(pks=", ".join(["%s"] * len(pks))), params)


@dataclass
class Changes(Generic[M]):
    """Rows of one recorded model to write in bulk: only the new and the really changed ones,
    with the history a save of each would have written (docs/history.md, "Bulk writes").

    `note()` compares each row with the values it should hold; `save()` then writes the new rows
    with one INSERT, the changed ones with one UPDATE, and their history records with one INSERT
    each (plus baselines for changed rows that had no history yet). Unchanged rows cost
    nothing: no statement, no history record, no savepoint."""

    model: type[M]
    new: list[M] = field(default_factory=list)
    changed: list[M] = field(default_factory=list)
    baselines: list[M] = field(default_factory=list)

    def note(self, row: M, values: Mapping[str, Any], *, has_history: bool = True) -> bool:
        """Give `row` these values; return whether it needs writing. A stored row without
        history (`has_history` False) keeps a copy of its stored values as its baseline."""
        if row.pk is None:
            for name, value in values.items():
                setattr(row, name, value)
            self.new.append(row)
            return True
        if all(getattr(row, name) == value for name, value in values.items()):
            return False
        if not has_history:
            baseline = copy.copy(row)
            baseline._history_user = None  # type: ignore[attr-defined]
            baseline._change_reason = BASELINE  # type: ignore[attr-defined]
            self.baselines.append(baseline)
        for name, value in values.items():
            setattr(row, name, value)
        self.changed.append(row)
        return True

    def save(self, *, fields: Sequence[str], by: Any) -> None:
        """Write what `note()` found, `fields` for the changed rows, `by` as the author."""
        if self.new:
            self.model._default_manager.bulk_create(self.new)
            record_history(self.model, (row.pk for row in self.new), history_type="+", by=by)
        if self.changed:
            self.save_baselines()
            update_rows(self.changed, fields)
            self.save_changed(by=by)

    def save_baselines(self) -> None:
        """The stored values of changed rows without history, before they are overwritten:
        a first change then reads "stored value → new value"."""
        pks = [row.pk for row in self.baselines]
        record_history(self.model, pks, history_type="~", reason=BASELINE)

    def save_changed(self, *, by: Any) -> None:
        """A record of each changed row as now stored, by `by`."""
        record_history(self.model, (row.pk for row in self.changed), history_type="~", by=by)
