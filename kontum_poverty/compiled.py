"""ORM queries compiled once per process and then run again with other values.

Building a queryset (filters, annotations, joins) and compiling it to SQL cost the Board's review
page more than running its queries: about a third of the page, for SQL that is the same on every
request but for a report's id. A `CompiledQuery` builds its queryset once per database, twice
over with different stand-in values for its arguments, keeps the SQL and where the stand-ins
went among its parameters, and from then on sends that SQL with the request's values, reading
the rows back as the ORM does: model instances with their `select_related` rows and
annotations, or dicts for a `values()` queryset.

A builder must give SQL of the same shape for every value of its arguments: plain values that
reach the statement as parameters (ids, years, codes), never None, lists, or values that choose
which filters apply. A builder that does not is refused when the query is first built (its two
statements differ, or an argument is missing or changed among the parameters), rather than
answering wrong.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections, models, router
from django.db.models.query import ModelIterable, QuerySet, ValuesIterable, get_related_populators

from kontum_poverty.bulk import beyond_bigint, prepared


def _stand_ins(arguments: dict[str, type], round_: int) -> dict[str, Any]:
    """Values to build the queryset with, different in each round: small enough for any integer
    column (Django drops a filter on a value its column cannot hold), text no one types."""
    values: dict[str, Any] = {}
    for number, (name, kind) in enumerate(arguments.items()):
        if kind is int:
            values[name] = 20_000 + 100 * round_ + number
        elif kind is str:
            values[name] = f"\x00{round_}:{name}"
        else:
            raise TypeError(f"a compiled query takes int or str arguments, not {kind.__name__}")
    return values


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[str, int], ...]  # (argument, parameter index)
    compiler: Any  # the compiler that made the SQL: how to read its rows back
    values: bool  # rows as dicts (a values() queryset), else model instances


class CompiledQuery:
    """`build(**arguments)`'s queryset, built and compiled once per process and database.

    Calling it with the arguments' values returns the queryset's rows as a list. `arguments`
    names each argument with its type (int or str)."""

    def __init__(self, build: Callable[..., QuerySet[Any, Any]], **arguments: type) -> None:
        self.build = build
        self.arguments = arguments
        self._compiled: dict[str, _Compiled] = {}
        self._model: type[models.Model] | None = None

    def _compile(self, alias: str) -> _Compiled:
        # Built twice with different stand-ins: where the parameters differ is where the
        # arguments go, and the statement itself must not differ.
        built = []
        first, second = _stand_ins(self.arguments, 1), _stand_ins(self.arguments, 2)
        for stand_ins in (first, second):
            queryset: Any = self.build(**stand_ins)
            if queryset._iterable_class not in (ModelIterable, ValuesIterable):
                raise TypeError("a compiled query reads model instances or values() dicts")
            if queryset._prefetch_related_lookups or queryset._known_related_objects:
                raise TypeError("a compiled query reads one statement: compile each related read")
            compiler = queryset.query.get_compiler(using=alias)
            built.append((compiler, *compiler.as_sql()))
        (compiler, sql, params), (_other, other_sql, other_params) = built
        if sql != other_sql or len(params) != len(other_params):
            raise ValueError("the statement changes with the arguments' values: not compilable")
        names = {(first[name], second[name]): name for name in self.arguments}
        slots = []
        for index, pair in enumerate(zip(params, other_params, strict=True)):
            if pair in names:
                slots.append((names[pair], index))
            elif pair[0] != pair[1]:
                # `year - 1` worked out from an argument: the statement would keep it as it was.
                raise ValueError("an argument reaches the statement changed: make it its own")
        missing = set(self.arguments) - {name for name, _index in slots}
        if missing:
            raise ValueError(f"arguments {sorted(missing)} do not reach the statement")
        return _Compiled(
            sql=sql,
            params=tuple(params),
            slots=tuple(slots),
            compiler=compiler,
            values=queryset._iterable_class is ValuesIterable,
        )

    def __call__(self, **values: Any) -> list:
        if values.keys() != self.arguments.keys():
            raise TypeError(f"expected the arguments {sorted(self.arguments)}")
        if any(beyond_bigint(value) for value in values.values()):
            return []
        alias = self._alias()
        compiled = self._compiled.get(alias)
        if compiled is None:
            compiled = self._compiled[alias] = self._compile(alias)
        params = list(compiled.params)
        for name, index in compiled.slots:
            params[index] = values[name]
        connection = connections[alias]
        # Planned once per connection (PostgreSQL), not at every request.
        sql = prepared(connection, compiled.sql, checked=params)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return _read(compiled, alias, rows)

    def _alias(self) -> str:
        if self._model is None:
            self._model = self.build(**_stand_ins(self.arguments, 1)).model
        return router.db_for_read(self._model)


def _read(compiled: _Compiled, alias: str, rows: list[tuple]) -> list:
    """The rows as the ORM's iterables would give them (`ModelIterable`, `ValuesIterable`)."""
    compiler = compiled.compiler
    converted = list(compiler.results_iter(results=[rows]))
    if compiled.values:
        query = compiler.query
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        return [dict(zip(names, row, strict=True)) for row in converted]
    select, klass_info, annotations = (
        compiler.select,
        compiler.klass_info,
        compiler.annotation_col_map,
    )
    model_class = klass_info["model"]
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    names = [column[0].target.attname for column in select[start:end]]
    # Django 5.2's signature; the type stubs follow a later Django's.
    populators = get_related_populators(klass_info, select, alias)  # type: ignore[call-arg]
    found = []
    for row in converted:
        instance = model_class.from_db(alias, names, row[start:end])
        for populator in populators:
            populator.populate(row, instance)
        for name, position in annotations.items():
            setattr(instance, name, row[position])
        found.append(instance)
    return found


def belonging_to(instance: models.Model, accessor: str, rows: list) -> list:
    """`rows`, read apart from `instance` but of its `accessor` (a reverse foreign key), each
    knowing `instance` without a query, as rows read through the relation do."""
    field = getattr(type(instance), accessor).field
    for row in rows:
        field.set_cached_value(row, instance)
    return rows


def attach(instance: models.Model, accessor: str, rows: list) -> None:
    """Give `instance.<accessor>` (a reverse foreign key) these rows, as `prefetch_related`
    would: its `.all()` answers from them, and each row knows `instance` without a query."""
    belonging_to(instance, accessor, rows)
    manager = getattr(instance, accessor)
    field = manager.field
    queryset = manager.get_queryset()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}  # type: ignore[attr-defined]
    instance._prefetched_objects_cache[field.remote_field.cache_name] = queryset  # type: ignore[attr-defined]
