"""What a unit's report form is made of, read once per process and kept until it may change.

At the deadline every save validates the posted form against the unit's criteria, indicators,
models and sponsored communes: four queries that cost more than the rest of a draft save. They
change a few times a year, so each process keeps them, keyed by the year and unit, under
`ReportFormVersion`: one primary-key read per request tells whether they are still current.
Any single-row write to what they are read from moves that counter (`connect_receivers`), in
the writer's own transaction, and so does `rows_upsert` (seeds, reference imports, the demo).
A writer that bypasses both (a queryset `update()`) is seen within KEEP_SECONDS.
"""

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.db import connections, router
from django.db.models import F

from indicators.models import ReportFormVersion

T = TypeVar("T")

# (year, unit) pairs; the national scale has about 700 reporting units.
KEEP = 4096
# However still the counter, a form is read again after this long.
KEEP_SECONDS = 300
_kept: OrderedDict[Hashable, tuple[int, float, Any]] = OrderedDict()


def forms_version() -> int:
    """The counter as committed now (0 before the first change)."""
    alias = router.db_for_read(ReportFormVersion)
    table = connections[alias].ops.quote_name(ReportFormVersion._meta.db_table)
    with connections[alias].cursor() as cursor:
        # A statement of its own, not the ORM's: it runs on every save and every form page.
        cursor.execute(f"SELECT value FROM {table} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else 0


def forms_changed(**_signal: Any) -> None:
    """Move the counter: every process reads its report forms again."""
    versions = ReportFormVersion.objects.filter(pk=1)
    if not versions.update(value=F("value") + 1):
        ReportFormVersion.objects.get_or_create(pk=1)
        versions.update(value=F("value") + 1)


def kept(key: Hashable, read: Callable[[], T], *, version: int | None = None) -> T:
    """`read()`, or what it gave for `key` in this process while the counter has not moved.

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
    value = read()
    _kept[key] = (version, now, value)
    if len(_kept) > KEEP:
        _kept.popitem(last=False)
    return value


def forget() -> None:
    """Drop what this process keeps (tests that reuse primary keys)."""
    _kept.clear()


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
