"""What a unit's report form is made of, read once and kept until it may change.

At the deadline every save validates the posted form against the unit's criteria, indicators,
models and sponsored communes: four queries that cost more than the rest of a draft save. They
change a few times a year, so each process keeps them, keyed by the year and unit, under
`ReportFormVersion`: one primary-key read per request tells whether they are still current.
The first process to read a unit's form shares it with the others through the cache: an
officer's form page, saves and submit land on different web workers, each of which would
otherwise read the form once for itself.
Any single-row write to what they are read from moves that counter (`connect_receivers`), in
the writer's own transaction, and so does `rows_upsert` (seeds, reference imports, the demo).
A writer that bypasses both (a queryset `update()`) is seen within KEEP_SECONDS.
"""

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F

from indicators.models import ReportFormVersion
from kontum_poverty.bulk import prepared

T = TypeVar("T")

# (year, unit) pairs; the national scale has about 700 reporting units.
KEEP = 4096
# However still the counter, a form is read again after this long.
KEEP_SECONDS = 300
_kept: OrderedDict[Hashable, tuple[str, float, Any]] = OrderedDict()
# The cache keys this process shared forms under (`forget` drops them).
_shared: set[str] = set()


def forms_version_sql(connection: BaseDatabaseWrapper) -> str:
    """The counter as committed now, as an SQL expression of its own: `forms_version()`'s
    value, or read in another statement's round trip (`SELECT …, {this}`).

    On PostgreSQL, with the transaction that last wrote the row (`xmin`): a database restored
    from a backup holds an older counter, which then moves to values the cache may still hold
    forms under from before the restore; the row written by the restore is another
    transaction's. "0" before the first change."""
    table = connection.ops.quote_name(ReportFormVersion._meta.db_table)
    if connection.vendor == "postgresql":
        value = "value::text || '.' || xmin::text"
    else:
        value = "CAST(value AS TEXT)"
    return f"coalesce((SELECT {value} FROM {table} WHERE id = 1), '0')"  # noqa: S608


def forms_version() -> str:
    """The counter as committed now (`forms_version_sql`)."""
    connection = connections[router.db_for_read(ReportFormVersion)]
    with connection.cursor() as cursor:
        # A statement of its own, not the ORM's, planned once per connection: it runs on every
        # save and every form page (planning it took PostgreSQL longer than running it).
        cursor.execute(prepared(connection, f"SELECT {forms_version_sql(connection)}"))
        return cursor.fetchone()[0]


def forms_changed(**_signal: Any) -> None:
    """Move the counter: every process reads its report forms again."""
    versions = ReportFormVersion.objects.filter(pk=1)
    if not versions.update(value=F("value") + 1):
        ReportFormVersion.objects.get_or_create(pk=1)
        versions.update(value=F("value") + 1)


def kept(key: Hashable, read: Callable[[], T], *, version: str | None = None) -> T:
    """`read()`, or what it gave for `key` in this process or another while the counter has not
    moved, for at most KEEP_SECONDS since it was read.

    The counter is read before the form: a change committed in between then makes the next
    request read again, never keeps an old form under a new counter. `version`: the counter as
    the caller has just read it with `forms_version()`, for several keys in one request."""
    if version is None:
        version = forms_version()
    now = time.monotonic()
    found = _kept.get(key)
    if found is not None and found[0] == version and now - found[1] < KEEP_SECONDS:
        _kept.move_to_end(key)
        return found[2]
    value, age = _read_shared(key, read, version)
    _kept[key] = (version, now - age, value)
    if len(_kept) > KEEP:
        _kept.popitem(last=False)
    return value


def _read_shared(key: Hashable, read: Callable[[], T], version: str) -> tuple[T, float]:
    """What a process read for `key` under this counter, from the cache, or `read()`'s, shared
    there; with how many seconds ago it was read. Without the cache (Redis down), `read()`."""
    parts = key if isinstance(key, tuple) else (key,)
    # Key parts are ids and plain words: joined, they make a key any cache backend takes.
    name = ":".join(["report-form", version, *(str(part) for part in parts)])
    found = cache.get(name)
    if found is not None:
        age = max(0.0, time.time() - found[0])
        if age < KEEP_SECONDS:
            return found[1], age
    value = read()
    cache.set(name, (time.time(), value), KEEP_SECONDS)
    if len(_shared) >= KEEP:  # a long-running process: only tests need the names
        _shared.clear()
    _shared.add(name)
    return value, 0.0


def forget() -> None:
    """Drop what this process keeps and has shared (tests that reuse primary keys)."""
    _kept.clear()
    if _shared:
        cache.delete_many(list(_shared))
        _shared.clear()


def connect_receivers() -> None:
    """Move the counter on every single-row write to what a report form is read from."""
    from django.db.models.signals import post_delete, post_save

    from campaigns.models import BlocMembership, Criterion, EmulationBloc
    from indicators.models import Indicator, PovertyModel
    from units.models import Sponsorship, Unit
    from units.services import rows_written

    sources = (BlocMembership, Criterion, EmulationBloc, Indicator, PovertyModel, Sponsorship, Unit)
    for model in sources:
        for signal in (post_save, post_delete, rows_written):
            signal.connect(forms_changed, sender=model, dispatch_uid=f"forms-{model.__name__}")
