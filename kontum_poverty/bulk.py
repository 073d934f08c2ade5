"""Reading and changing a few rows of one table in one statement each, without the ORM's
per-query compiling and per-row expressions: the report save at the deadline."""

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, TypeVar

from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper

M = TypeVar("M", bound=models.Model)

# Statements `write()` holds back inside `writes_batched()`, by database alias.
_batch: ContextVar[dict[str, list[tuple[str, list]]] | None] = ContextVar("batch", default=None)


@contextmanager
def writes_batched() -> Iterator[None]:
    """Send the writes made inside (`update_rows`, `kontum_poverty.history.record_history`) to
    PostgreSQL as one round trip when the block ends without an error.

    A report save changes a few rows in each of several tables and writes their history: one
    statement each, which the save waited for one after the other. Nothing inside may read what
    it has written before the block ends; reads of other rows and immediate writes (inserts that
    need their new keys) go on as usual. Other databases run each write at once."""
    if _batch.get() is not None:
        yield  # already inside one: its end sends everything
        return
    pending: dict[str, list[tuple[str, list]]] = {}
    token = _batch.set(pending)
    try:
        yield
    finally:
        _batch.reset(token)
    for alias, statements in pending.items():
        with connections[alias].cursor() as cursor:
            # psycopg2 binds parameters in the client, so the statements travel as one string.
            cursor.execute(
                ";\n".join(sql for sql, _ in statements), [p for _, ps in statements for p in ps]
            )


def write(connection: BaseDatabaseWrapper, sql: str, params: list) -> None:
    """Run a write that returns nothing, or hold it for the end of `writes_batched()`."""
    sql = prepared(connection, sql)
    pending = _batch.get()
    if pending is not None and connection.vendor == "postgresql":
        pending.setdefault(connection.alias, []).append((sql, params))
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


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
    columns, head, row_sql, tail = _update_sql(model, connection.alias, tuple(fields))
    params: list = []
    for row in rows:
        params.extend(
            field.get_db_prep_save(getattr(row, field.attname), connection) for field in columns
        )
    write(connection, head + ", ".join(row_sql for _row in rows) + tail, params)


@cache
def _update_sql(
    model: type[models.Model], alias: str, fields: tuple[str, ...]
) -> tuple[tuple[Any, ...], str, str, str]:
    """`update_rows`' statement around its VALUES rows, built once per model and fields."""
    connection = connections[alias]
    meta = model._meta
    columns: tuple[Any, ...] = (meta.pk, *(meta.get_field(name) for name in fields))
    pk = columns[0]
    quote = connection.ops.quote_name
    casts = ", ".join(f"%s::{field.cast_db_type(connection)}" for field in columns)
    names = ", ".join(quote(field.column) for field in columns)
    sets = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}" for field in columns[1:])
    return (
        columns,
        # Only quoted column names and Django's own type names are interpolated.
        f"UPDATE {quote(meta.db_table)} AS t SET {sets} FROM (VALUES ",  # noqa: S608
        f"({casts})",
        f") AS v ({names}) WHERE t.{quote(pk.column)} = v.{quote(pk.column)}",
    )


def _has_history(model: type[models.Model], quote: Any) -> str:
    """Whether the row `t` has a history record yet, as an SQL expression."""
    meta: Any = model._meta
    records: Any = model.history.model._meta  # type: ignore[attr-defined]
    return (
        f"EXISTS (SELECT 1 FROM {quote(records.db_table)} h "  # noqa: S608
        f"WHERE h.{quote(records.get_field(meta.pk.name).column)} = t.{quote(meta.pk.column)})"
    )


def _where(meta: Any, quote: Any, names: tuple[str, ...]) -> str:
    """`t.column {name}` for each condition, joined with AND: `_conditions` fills the `{name}`s."""
    return " AND ".join(f"t.{quote(meta.get_field(name).column)} {{{name}}}" for name in names)


@cache
def _select(
    model: type[models.Model], alias: str, names: tuple[str, ...], history: bool, lock: bool
) -> str:
    meta: Any = model._meta
    connection = connections[alias]
    quote = connection.ops.quote_name
    columns = ", ".join(f"t.{quote(field.column)}" for field in meta.concrete_fields)
    if history:
        columns += f", {_has_history(model, quote)} AS has_history"
    where = _where(meta, quote, names)
    # Only quoted names from the model's own options are interpolated; values are parameters.
    locking = " FOR UPDATE OF t" if lock and connection.features.has_select_for_update else ""
    return (
        f"SELECT {columns} FROM {quote(meta.db_table)} t WHERE {where} "  # noqa: S608
        f"ORDER BY t.{quote(meta.pk.column)}{locking}"
    )


@cache
def _lock_select(model: type[models.Model], alias: str, names: tuple[str, ...]) -> str:
    """Lock the rows `_select` would read, in the same order, and read nothing of them."""
    meta: Any = model._meta
    quote = connections[alias].ops.quote_name
    return (
        f"SELECT 1 FROM {quote(meta.db_table)} t WHERE {_where(meta, quote, names)} "  # noqa: S608
        f"ORDER BY t.{quote(meta.pk.column)} FOR UPDATE OF t"
    )


def beyond_bigint(value: object) -> bool:
    """Whether `value` is a whole number no bigint column holds: an id from a mistyped or forged
    link. It names no row; the ORM answers none without asking (EmptyResultSet), where
    PostgreSQL would refuse the statement, a server error."""
    return type(value) is int and not -(2**63) <= value < 2**63


def _conditions(where: Any) -> tuple[dict[str, str], list[Any]] | None:
    """The `{name}` parts of a `_select` WHERE and their parameters (None: `IS NULL`, as the
    ORM's `field=None`); None if no row can match (an empty IN list, an id beyond a bigint)."""
    params: list[Any] = []
    conditions: dict[str, str] = {}
    for name, value in sorted(where.items()):
        if isinstance(value, list | tuple | set | frozenset):
            value = [item for item in value if not beyond_bigint(item)]
            if not value:
                return None
            conditions[name] = f"IN ({', '.join(['%s'] * len(value))})"
            params.extend(value)
        elif value is None:
            conditions[name] = "IS NULL"
        elif beyond_bigint(value):
            return None
        else:
            conditions[name] = "= %s"
            params.append(value)
    return conditions, params


@dataclass(frozen=True)
class Rows:
    """Which stored rows to read: the arguments of `stored_rows`, as a value."""

    model: type[models.Model]
    history: bool
    where: tuple[tuple[str, Any], ...]
    lock: bool = False

    def read(self) -> list:
        return stored_rows(self.model, history=self.history, lock=self.lock, **dict(self.where))

    @classmethod
    def of(
        cls,
        model: type[models.Model],
        /,
        *,
        history: bool = False,
        lock: bool = False,
        **where: Any,
    ) -> "Rows":
        return cls(
            model,
            history,
            tuple((name, _key(value)) for name, value in sorted(where.items())),
            lock,
        )


def _key(value: Any) -> Any:
    if isinstance(value, set | frozenset):
        return tuple(sorted(value))
    return tuple(value) if isinstance(value, list) else value


# Statements prepared on one database connection: a worker runs a few dozen shapes again and
# again (this module's, and every `CompiledQuery`); beyond this many (IN lists of many lengths)
# the rest are sent as they are.
PREPARED_PER_CONNECTION = 128

# Types PostgreSQL may give a parameter that an integer column was compared with: a fraction
# sent there would be rounded by EXECUTE, where the statement sent as it is would keep it.
_WHOLE_NUMBERS = {"smallint", "integer", "bigint"}


def prepared(
    connection: BaseDatabaseWrapper, sql: str, checked: Sequence[Any] | None = None
) -> str:
    """`sql` (with `%s` parameters) as the EXECUTE of a statement PostgreSQL has prepared once
    on this connection; `sql` itself on other databases and past the limit.

    PostgreSQL spent longer planning the save's reads than running them (the report's tables
    read together: ~0.9 ms of planning for ~0.5 ms of work), at every save, and the ORM's
    statements of the Board's review page half of their time. A prepared statement is planned
    for its first few runs, then PostgreSQL keeps a generic plan for it. Its text rides along as
    a comment, so logs, `pg_stat_activity` and captured queries still show what ran. Prepared
    statements live as long as the database session and survive rollbacks, so this needs a
    session per connection (no transaction pooler).

    The statements built in this module compare each parameter with a column, which gives it
    its type. A statement the ORM built (`kontum_poverty.compiled`) may not: pass its parameter
    values as `checked`. It is then sent as it is if PostgreSQL cannot type a parameter, or
    types one as a whole number where its value is a fraction; a refused PREPARE inside a
    transaction is rolled back to a savepoint, and the transaction goes on."""
    if connection.vendor != "postgresql" or "%" in sql.replace("%s", ""):
        return sql
    connection.ensure_connection()
    raw = connection.connection
    held = connection.__dict__.get("_kontum_prepared")
    if held is None or held[0] is not raw:  # a new session has prepared nothing yet
        held = (raw, {})
        connection.__dict__["_kontum_prepared"] = held
    statements: dict[str, str] = held[1]
    execute = statements.get(sql)
    if execute is None:
        if len(statements) >= PREPARED_PER_CONNECTION:
            return sql
        name = f"kontum_{len(statements)}"
        pieces = sql.split("%s")
        numbered = "".join(f"{piece}${n}" for n, piece in enumerate(pieces[:-1], 1)) + pieces[-1]
        arguments = f" ({', '.join(['%s'] * (len(pieces) - 1))})" if len(pieces) > 1 else ""
        shown = sql.replace("%s", "?").replace("*/", "* /")
        execute = f"EXECUTE {name}{arguments} /* {shown} */"
        if checked is None:
            # Through the driver's cursor: preparing is not one of the request's queries.
            with raw.cursor() as cursor:
                cursor.execute(f"PREPARE {name} AS {numbered}")
        elif not _prepared_as_sent(connection, name, numbered, checked):
            execute = sql
        statements[sql] = execute
    return execute


def _prepared_as_sent(
    connection: BaseDatabaseWrapper, name: str, numbered: str, values: Sequence[Any]
) -> bool:
    """Prepare `numbered` as `name` if each of `values` keeps its meaning as its parameter."""
    raw = connection.connection
    in_transaction = not raw.autocommit
    with raw.cursor() as cursor:
        if in_transaction:
            cursor.execute("SAVEPOINT kontum_prepare")
        try:
            cursor.execute(f"PREPARE {name} AS {numbered}")
        # The driver's error (the backend's `Database` module): this cursor is the driver's.
        except connection.Database.Error:  # type: ignore[attr-defined]
            if in_transaction:
                cursor.execute("ROLLBACK TO SAVEPOINT kontum_prepare")
            return False
        finally:
            if in_transaction:
                cursor.execute("RELEASE SAVEPOINT kontum_prepare")
        cursor.execute(
            "SELECT parameter_types::text[] FROM pg_prepared_statements WHERE name = %s", [name]
        )
        (types,) = cursor.fetchone()
        fits = all(
            not (isinstance(value, float | Decimal) and kind in _WHOLE_NUMBERS)
            for value, kind in zip(values, types, strict=True)
        )
        if not fits:
            cursor.execute(f"DEALLOCATE {name}")
        return fits


# Rows `rows_read_together()` has read, until `stored_rows` asks for them (once).
_read: ContextVar[dict[Rows, list] | None] = ContextVar("read", default=None)

# JSON carries these as they are; other columns travel as text and are parsed by their field.
_AS_JSON = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "EmailField",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallAutoField",
    "SmallIntegerField",
    "TextField",
    "URLField",
}


def _as_json(field: models.Field) -> bool:
    target = field.target_field if field.is_relation else field  # type: ignore[attr-defined]
    return target.get_internal_type() in _AS_JSON


@cache
def _json_select(
    model: type[models.Model], alias: str, names: tuple[str, ...], history: bool
) -> str:
    """`_select` as one JSON array of row arrays, to sit beside others in a single SELECT."""
    meta: Any = model._meta
    for field in meta.concrete_fields:
        # Their text form is not what their field parses (`_from_json`): read them apart.
        if field.get_internal_type() in {"BinaryField", "JSONField"}:
            raise TypeError(f"{meta.label}.{field.name} cannot be read with other tables")
    connection = connections[alias]
    quote = connection.ops.quote_name
    columns = [
        f"t.{quote(field.column)}" + ("" if _as_json(field) else "::text")
        for field in meta.concrete_fields
    ]
    if history:
        columns.append(_has_history(model, quote))
    where = _where(meta, quote, names)
    pk = f"t.{quote(meta.pk.column)}"
    return (
        f"(SELECT coalesce(json_agg(json_build_array({', '.join(columns)}) ORDER BY {pk}), "  # noqa: S608
        f"'[]'::json) FROM {quote(meta.db_table)} t WHERE {where})"
    )


@contextmanager
def rows_read_together(*reads: Rows) -> Iterator[None]:
    """Read these rows of several tables in one statement on PostgreSQL; `stored_rows` inside
    the block answers each of them once from it (a second read goes to the database again).

    A report save compares what was posted with five tables' stored rows: five round trips it
    waited for, one after the other, now one. Elsewhere `stored_rows` reads as usual.

    Reads with `lock` are locked first (`SELECT … FOR UPDATE`), in a statement of their own
    sent in the same round trip: the read then starts after the locks are held, so it finds
    what the last holder of a lock committed (each statement of a READ COMMITTED transaction
    sees what was committed when it began; a locking read's other tables would not)."""
    if not reads:
        yield
        return
    alias = router.db_for_read(reads[0].model)
    connection = connections[alias]
    if connection.vendor != "postgresql" or any(
        router.db_for_read(read.model) != alias for read in reads
    ):
        yield
        return
    found: dict[Rows, list] = {}
    locks, parts, params, lock_params = [], [], [], []
    wanted = []
    for read in reads:
        conditions = _conditions(dict(read.where))
        if conditions is None:
            found[read] = []
            continue
        names = tuple(name for name, _value in read.where)
        if read.lock:
            statement = _lock_select(read.model, alias, names)
            locks.append(prepared(connection, statement.format(**conditions[0])))
            lock_params.extend(conditions[1])
        parts.append(_json_select(read.model, alias, names, read.history).format(**conditions[0]))
        params.extend(conditions[1])
        wanted.append(read)
    if parts:
        select = prepared(connection, f"SELECT {', '.join(parts)}")
        with connection.cursor() as cursor:
            # The driver answers with the last statement's rows: the read.
            cursor.execute("; ".join([*locks, select]), [*lock_params, *params])
            arrays = cursor.fetchone()
        for read, rows in zip(wanted, arrays, strict=True):
            found[read] = [_from_json(read.model, alias, row, read.history) for row in rows]
    token = _read.set(found)
    try:
        yield
    finally:
        _read.reset(token)


@cache
def _json_reading(model: type[models.Model]) -> tuple[list[str], tuple[Any, ...]]:
    """A model's attnames, and for each column the field's `to_python` if its JSON text needs
    parsing (None if JSON carries the value as it is): worked out once per model, not per
    value (a Board's page reads thousands)."""
    fields = model._meta.concrete_fields
    parsers = tuple(None if _as_json(field) else field.to_python for field in fields)
    return [field.attname for field in fields], parsers


def _from_json(model: type[M], alias: str, row: list, history: bool) -> M:
    names, parsers = _json_reading(model)
    values = [
        value if value is None or parse is None else parse(value)
        for parse, value in zip(parsers, row, strict=False)
    ]
    instance = model.from_db(alias, list(names), values)
    if history:
        instance.has_history = row[-1]  # type: ignore[attr-defined]
    return instance


@dataclass(frozen=True)
class _Part:
    """One model's columns in a joined row: where it hangs, and how to read its values."""

    path: str  # "" for the row itself, else the relation path ("period__campaign")
    model: Any
    names: tuple[str, ...]  # attnames, in column order
    converters: tuple[tuple[int, Any, Any], ...]  # (column index, converter, expression)


@cache
def _reading(
    model: type[models.Model], alias: str
) -> tuple[tuple[str, ...], tuple[tuple[int, Any, Any], ...]]:
    """A model's attnames in column order, and the converters its columns need as the ORM
    reads them (index, converter, column)."""
    connection = connections[alias]
    fields = model._meta.concrete_fields
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(model._meta.db_table)
        for convert in connection.ops.get_db_converters(column) + column.get_db_converters(
            connection
        ):
            converters.append((index, convert, column))
    return tuple(field.attname for field in fields), tuple(converters)


@cache
def _select_with(
    model: type[models.Model],
    alias: str,
    names: tuple[str, ...],
    related: tuple[str, ...],
    also: tuple[str, ...] = (),
) -> tuple[str, tuple[_Part, ...]]:
    """`_select` joined to the rows `related` paths point to ("period__campaign"), and how to
    take each model's values out of a result row; the `also` expressions come last."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    meta: Any = model._meta
    models_at: dict[str, Any] = {"": model}
    joins, aliases = [], {"": "t"}
    for path in related:
        steps = path.split("__")
        for depth in range(1, len(steps) + 1):
            here, parent = "__".join(steps[:depth]), "__".join(steps[: depth - 1])
            if here in aliases:
                continue
            field: Any = models_at[parent]._meta.get_field(steps[depth - 1])
            models_at[here] = field.related_model
            aliases[here] = f"r{len(aliases)}"
            joins.append(
                f"{'LEFT JOIN' if field.null else 'JOIN'} "
                f"{quote(field.related_model._meta.db_table)} {aliases[here]} ON "
                f"{aliases[here]}.{quote(field.target_field.column)} = "
                f"{aliases[parent]}.{quote(field.column)}"
            )
    columns, parts = [], []
    for path, part in models_at.items():
        columns += [f"{aliases[path]}.{quote(f.column)}" for f in part._meta.concrete_fields]
        parts.append(_Part(path, part, *_reading(part, alias)))
    columns += also
    where = _where(meta, quote, names)
    statement = (
        f"SELECT {', '.join(columns)} FROM {quote(meta.db_table)} t {' '.join(joins)} "  # noqa: S608
        f"WHERE {where} ORDER BY t.{quote(meta.pk.column)} LIMIT 1"
    )
    return statement, tuple(parts)


def stored_row_with(
    model: type[M],
    /,
    related: Sequence[str],
    *,
    also: Mapping[str, str] | None = None,
    **where: Any,
) -> M | None:
    """The first stored row of `model` matching `where` (as `stored_rows`), with the rows its
    `related` paths point to read in the same statement (the ORM's `select_related`), or None.

    `also`: attribute name -> an SQL expression without parameters (a scalar subquery), read
    in the same statement and set on the row: a value the caller would otherwise read in a
    round trip of its own.

    For a page every officer opens at the deadline: the ORM compiling this join cost more than
    running it."""
    alias = router.db_for_read(model)
    conditions = _conditions(where)
    if conditions is None:
        return None
    also = also or {}
    statement, parts = _select_with(
        model, alias, tuple(sorted(where)), tuple(related), tuple(also.values())
    )
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(prepared(connection, statement.format(**conditions[0])), conditions[1])
        row = cursor.fetchone()
    if row is None:
        return None
    built: dict[str, Any] = {}
    start = 0
    for part in parts:
        values = list(row[start : start + len(part.names)])
        start += len(part.names)
        for index, convert, column in part.converters:
            values[index] = convert(values[index], column, connection)
        parent, _, name = part.path.rpartition("__")
        if part.path and built.get(parent) is None:
            continue  # under a relation that is empty
        pk = values[part.names.index(part.model._meta.pk.attname)]
        built[part.path] = None if pk is None else part.model.from_db(alias, part.names, values)
        if part.path:
            relation: Any = type(built[parent])._meta.get_field(name)
            relation.set_cached_value(built[parent], built[part.path])
    for name, value in zip(also, row[start:], strict=True):
        setattr(built[""], name, value)
    return built[""]


def stored_rows(
    model: type[M], /, *, history: bool = False, lock: bool = False, **where: Any
) -> list[M]:
    """The stored rows of `model` matching `where` (field = value, or field IN a list), in
    primary-key order; with `history`, each row's `has_history` says whether it has a history
    record yet (see `kontum_poverty.history.Changes`); with `lock`, locked until the
    transaction ends (`SELECT … FOR UPDATE` where the database has it).

    The rows a report save compares with, read with a statement built once per model instead
    of compiled by the ORM on every save: the compiling cost more than the query."""
    read = _read.get()
    if read is not None:
        # A locked read is answered only by rows read under that lock (`rows_read_together`).
        found = read.pop(Rows.of(model, history=history, lock=lock, **where), None)
        if found is not None:
            return found
    alias = router.db_for_read(model)
    conditions = _conditions(where)
    if conditions is None:
        return []
    statement = _select(model, alias, tuple(sorted(where)), history, lock)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(prepared(connection, statement.format(**conditions[0])), conditions[1])
        rows = cursor.fetchall()
    # Built as the ORM builds rows (`from_db`), without a raw queryset's per-call set-up.
    names, converters = _reading(model, alias)
    found = []
    for row in rows:
        values = list(row[: len(names)])
        for index, convert, column in converters:
            values[index] = convert(values[index], column, connection)
        instance = model.from_db(alias, names, values)
        if history:
            instance.has_history = row[len(names)]  # type: ignore[attr-defined]
        found.append(instance)
    return found


@cache
def _count(model: type[models.Model], alias: str, names: tuple[str, ...]) -> str:
    meta: Any = model._meta
    quote = connections[alias].ops.quote_name
    where = _where(meta, quote, names)
    # Only quoted names from the model's own options are interpolated; values are parameters.
    return f"SELECT COUNT(*) FROM {quote(meta.db_table)} t WHERE {where}"  # noqa: S608


def stored_count(model: type[models.Model], /, **where: Any) -> int:
    """How many stored rows of `model` match `where` (as `stored_rows`).

    For a count every page shows (the navbar's unread notices): the ORM compiling it cost more
    than counting."""
    alias = router.db_for_read(model)
    conditions = _conditions(where)
    if conditions is None:
        return 0
    connection = connections[alias]
    statement = _count(model, alias, tuple(sorted(where))).format(**conditions[0])
    with connection.cursor() as cursor:
        cursor.execute(prepared(connection, statement), conditions[1])
        return cursor.fetchone()[0]
