"""Applying a confirmed preview: every new or changed row in one transaction, or none.

Every written row gets its history record (who imported it, when, its values), as a save through
the ORM would: `bulk_create_with_history` / `bulk_update_with_history` on the ORM path, and one
INSERT … SELECT beside the COPY on PostgreSQL (docs/history.md).
"""

import hashlib
import io
from collections.abc import Iterable
from datetime import datetime
from operator import itemgetter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from indicators.imports.columns import STORED_FIELDS
from indicators.imports.problems import problem, refusal
from indicators.models import CommuneStatistics, DistrictConfirmation
from kontum_poverty.history import BASELINE
from units.models import Unit, User


def fingerprint(rows: Iterable[tuple]) -> str:
    """A digest of a year's stored figures: (commune id, *STORED_FIELDS) rows in any order."""
    digest = hashlib.sha256()
    for row in sorted(rows, key=itemgetter(0)):
        digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def stored_rows(*, year: int, lock: bool = False) -> list[tuple]:
    """(commune id, *STORED_FIELDS) for every commune with figures for the year."""
    queryset = CommuneStatistics.objects.filter(year=year)
    if lock:
        queryset = queryset.select_for_update()
    return list(queryset.values_list("commune_id", *STORED_FIELDS))


def confirmations_clear(*, year: int, commune_ids: list[int]) -> int:
    """Remove the year's confirmations of the districts these communes belong to."""
    districts = Unit.objects.filter(pk__in=commune_ids).values("parent_id")
    deleted, _rows = DistrictConfirmation.objects.filter(
        year=year, district_id__in=districts
    ).delete()
    return deleted


def apply_rows(
    *, year: int, columns: list[str], rows: list[list], expected: str, by: User | None = None
) -> int:
    """Write every new or changed row, each with its history record by `by`, or nothing;
    returns rows written."""
    with transaction.atomic():
        # Lock the year's rows so two confirmations cannot interleave, then make sure the
        # figures are still those the preview was compared against.
        if fingerprint(stored_rows(year=year, lock=True)) != expected:
            raise refusal("stale")
        if not rows:
            return 0
        if not set(columns) <= set(STORED_FIELDS):
            raise ValueError(f"Unexpected columns: {columns}")
        # Changed figures are no longer what their districts confirmed: they confirm again.
        confirmations_clear(year=year, commune_ids=[row[0] for row in rows])
        now = timezone.now()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and hasattr(cursor.cursor, "copy_expert"):
                _upsert_with_copy(cursor, year=year, columns=columns, rows=rows, now=now, by=by)
                return len(rows)
        _write_with_history(year=year, columns=columns, rows=rows, now=now, by=by)
    return len(rows)


def _write_with_history(
    *, year: int, columns: list[str], rows: list[list], now: datetime, by: User | None
) -> None:
    """The ORM's way (SQLite, the laptop demo): new rows created, stored rows updated, with
    simple_history's bulk helpers writing one history record per row."""
    figures = {
        commune_id: dict(zip(columns, values, strict=True)) for commune_id, _n, *values in rows
    }
    stored = list(CommuneStatistics.objects.filter(year=year, commune_id__in=figures))
    # Stored rows without history get their values before this import as a baseline record.
    recorded = set(
        CommuneStatistics.history.filter(id__in=[s.pk for s in stored]).values_list("id", flat=True)
    )
    CommuneStatistics.history.bulk_history_create(
        [s for s in stored if s.pk not in recorded],
        update=True,
        default_change_reason=BASELINE,
        default_date=now,
    )
    for row in stored:
        for name, value in figures.pop(row.commune_id).items():
            setattr(row, name, value)
        row.updated_at, row.is_demo = now, False
    bulk_update_with_history(
        stored,
        CommuneStatistics,
        [*columns, "updated_at", "is_demo"],
        batch_size=2_000,
        default_user=by,
        default_date=now,
    )
    bulk_create_with_history(
        [
            CommuneStatistics(
                commune_id=commune_id, year=year, updated_at=now, is_demo=False, **values
            )
            for commune_id, values in figures.items()
        ],
        CommuneStatistics,
        batch_size=2_000,
        default_user=by,
        default_date=now,
    )


def rows_breaking_rules(*, year: int, columns: list[str], rows: list[list]) -> list[dict]:
    """Row errors for the validated rows that break a database rule once written.

    Each row is checked as it would be stored (the file's columns over the stored figures), by
    the model's own constraints: this runs only after a write was refused, to say which rows.
    """
    stored = {
        row[0]: dict(zip(STORED_FIELDS, row[1:], strict=True)) for row in stored_rows(year=year)
    }
    found: list[dict] = []
    for commune_id, number, *values in rows:
        figures = {**stored.get(commune_id, {}), **dict(zip(columns, values, strict=True))}
        instance = CommuneStatistics(commune_id=commune_id, year=year, **figures)
        try:
            instance.validate_constraints(exclude={"commune", "year"})
        except ValidationError as exc:
            groups = exc.error_dict.values() if hasattr(exc, "error_dict") else [exc.error_list]
            found.extend(
                problem(error.code or "unexpected", row=number)
                for group in groups
                for error in group
            )
    return found


def _csv_value(value: object) -> str:
    if value is None:
        return ""  # NULL in COPY's csv format; an empty string is written as ""
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace('"', '""') + '"'


def _column_and_type(name: str) -> tuple[str, str | None]:
    """A stored figure's column in the table, and its type there."""
    field = CommuneStatistics._meta.get_field(name)
    if not isinstance(field, Field) or field.column is None:
        raise ValueError(f"{name} is not a column of {CommuneStatistics._meta.db_table}")
    return field.column, field.db_type(connection)


def _upsert_with_copy(
    cursor: Any,
    *,
    year: int,
    columns: list[str],
    rows: list[list],
    now: datetime,
    by: User | None,
) -> None:
    """PostgreSQL: COPY into a temporary table, then one INSERT … ON CONFLICT DO UPDATE.

    The ORM's bulk_create spends most of its time building parameters; COPY streams the rows.
    Check constraints still apply, so a bad row rolls the whole transaction back.
    """
    meta = CommuneStatistics._meta
    quote = connection.ops.quote_name
    column_types = dict(_column_and_type(name) for name in columns)
    definitions = ", ".join(
        f"{quote(column)} {db_type}" for column, db_type in column_types.items()
    )
    cursor.execute(
        f"CREATE TEMPORARY TABLE import_rows (commune_id bigint, {definitions}) ON COMMIT DROP"
    )
    buffer = io.StringIO()
    for commune_id, _number, *values in rows:
        buffer.write(",".join([str(commune_id), *map(_csv_value, values)]))
        buffer.write("\n")
    buffer.seek(0)
    names = ", ".join(quote(column) for column in column_types)
    cursor.cursor.copy_expert(
        f"COPY import_rows (commune_id, {names}) FROM STDIN WITH (FORMAT csv)", buffer
    )
    # New rows need the NOT NULL text columns the file may not have.
    defaults = [name for name in ("note", "source") if name not in columns]
    target = ", ".join(
        [
            "commune_id",
            "year",
            *(quote(column) for column in column_types),
            *defaults,
            "updated_at",
            "is_demo",
        ]
    )
    selected = ", ".join(
        [
            "commune_id",
            "%s",
            *(quote(column) for column in column_types),
            *("''" for _ in defaults),
            "%s",
            "false",
        ]
    )
    updates = ", ".join(
        f"{quote(column)} = EXCLUDED.{quote(column)}"
        for column in [*column_types, "updated_at", "is_demo"]
    )
    _record_history(cursor, year=year, now=now, by=None, baseline=True)
    cursor.execute(
        # Only quoted model column names are interpolated; the values travel as parameters.
        f"INSERT INTO {quote(meta.db_table)} ({target}) SELECT {selected} FROM import_rows "  # noqa: S608
        f"ON CONFLICT (commune_id, year) DO UPDATE SET {updates}",
        [year, now],
    )
    _record_history(cursor, year=year, now=now, by=by, baseline=False)
    # Dropped now rather than at commit, so a caller may apply twice in one transaction.
    cursor.execute("DROP TABLE import_rows")


def _record_history(
    cursor: Any, *, year: int, now: datetime, by: User | None, baseline: bool
) -> None:
    """PostgreSQL: one history record per row in `import_rows`, in one INSERT … SELECT.

    With `baseline`, before the write: stored rows that have no history yet get a record of
    their values before the import. Without, after it: every written row's new values, "+" for
    a row seen for the first time, "~" otherwise. The same columns simple_history writes."""
    history = CommuneStatistics.history.model
    quote = connection.ops.quote_name
    tracked = [
        f.column
        for f in history._meta.concrete_fields
        if not f.name.startswith("history_") and f.column
    ]
    table, history_table = CommuneStatistics._meta.db_table, history._meta.db_table
    names = ", ".join(quote(column) for column in tracked)
    values = ", ".join(f"t.{quote(column)}" for column in tracked)
    seen = f"EXISTS (SELECT 1 FROM {quote(history_table)} h WHERE h.id = t.id)"  # noqa: S608
    kind = "'~'" if baseline else f"CASE WHEN {seen} THEN '~' ELSE '+' END"
    cursor.execute(
        # Only quoted model column names are interpolated; the values travel as parameters.
        f"INSERT INTO {quote(history_table)} ({names}, history_date, history_type, "  # noqa: S608
        f"history_change_reason, history_user_id) "
        f"SELECT {values}, %s, {kind}, %s, %s FROM {quote(table)} t "
        f"JOIN import_rows i ON i.commune_id = t.commune_id WHERE t.year = %s"
        + (f" AND NOT {seen}" if baseline else ""),
        [now, BASELINE if baseline else None, None if baseline else getattr(by, "pk", None), year],
    )
