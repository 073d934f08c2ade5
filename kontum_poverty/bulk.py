"""Changing a few rows of one table in one statement, without the ORM's per-row expressions."""

from collections.abc import Sequence
from typing import Any

from django.db import connections, models, router


def update_rows(rows: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Write `fields` of these stored rows of one model with one UPDATE.

    On PostgreSQL, `UPDATE … FROM (VALUES …)`: Django's `bulk_update` builds a `CASE WHEN pk = …`
    expression per row and field, and compiling those costs more than the statement itself for
    the handful of rows a report save changes. Other databases (the SQLite demo) use
    `bulk_update`. Like `bulk_update`, no signal is sent and `auto_now` is not applied."""
    if not rows:
        return
    model = type(rows[0])
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(rows, list(fields))
        return
    meta = model._meta
    columns: list[Any] = [meta.pk, *(meta.get_field(name) for name in fields)]
    pk = columns[0]
    quote = connection.ops.quote_name
    casts = ", ".join(f"%s::{field.cast_db_type(connection)}" for field in columns)
    params: list = []
    for row in rows:
        params.extend(
            field.get_db_prep_save(getattr(row, field.attname), connection) for field in columns
        )
    names = ", ".join(quote(field.column) for field in columns)
    sets = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}" for field in columns[1:])
    values = ", ".join(f"({casts})" for _row in rows)
    with connection.cursor() as cursor:
        cursor.execute(
            # Only quoted column names and Django's own type names are interpolated.
            f"UPDATE {quote(meta.db_table)} AS t SET {sets} "  # noqa: S608
            f"FROM (VALUES {values}) AS v ({names}) "
            f"WHERE t.{quote(pk.column)} = v.{quote(pk.column)}",
            params,
        )
