"""Cache invalidation: a key that moves whenever figures change."""

import functools
import hashlib
import time
from collections.abc import Callable
from typing import TypedDict, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router
from django.db.models import Count, Max, Q

from campaigns.models import Submission, SubmissionStatus
from indicators.models import CommuneStatistics, FiguresVersion, ModelResult, ReportedValue
from kontum_poverty.bulk import stored_rows, write


class _LocalCheck(TypedDict):
    at: float
    key: str
    statistics: str


_local_check: _LocalCheck = {"at": 0.0, "key": "", "statistics": ""}


def figures_changed(*, reports_only: bool = False) -> None:
    """Call after anything that changes figures: a report accepted, an import, a target edited.

    `reports_only`: the change is a report's own (a submission's status, its values or model
    results), which moves `figures_key()` but not `statistics_key()`."""
    # Counted in the writer's own transaction: other processes see the new version together with
    # the new figures, never before them, so none caches old figures under the new key. The row
    # stays locked until that transaction ends, which orders concurrent writers: inside
    # `writes_batched()` (a report's submission) it is counted last, so it is locked the least.
    connection = connections[router.db_for_write(FiguresVersion)]
    write(connection, _bump_sql(connection.alias, reports_only), [])


@functools.cache
def _bump_sql(alias: str, reports_only: bool) -> str:
    # One statement, planned once per connection: the row is made if it is missing (a fresh
    # database, or a test database emptied between tests).
    quote = connections[alias].ops.quote_name
    table = quote(FiguresVersion._meta.db_table)
    value, statistics = quote("value"), quote("statistics")
    moved = [f"{value} = {table}.{value} + 1"]
    if not reports_only:
        moved.append(f"{statistics} = {table}.{statistics} + 1")
    # Only quoted names from the model's own options are interpolated; there are no values.
    return (
        f"INSERT INTO {table} ({quote('id')}, {value}, {statistics}) "  # noqa: S608
        f"VALUES (1, 1, {0 if reports_only else 1}) "
        f"ON CONFLICT ({quote('id')}) DO UPDATE SET {', '.join(moved)}"
    )


def _fingerprint(*parts: object) -> str:
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()[:16]


def _refresh_database_keys() -> None:
    """Cheap fingerprints of the figures, for writers that forget to call `figures_changed`."""
    stats = CommuneStatistics.objects.aggregate(
        n=Count("pk"), at=Max("updated_at"), max_id=Max("pk")
    )
    subs = Submission.objects.aggregate(
        accepted=Max("accepted_at"),
        submitted=Max("submitted_at"),
        accepted_count=Count("pk", filter=Q(status=SubmissionStatus.ACCEPTED)),
        n=Count("pk"),
    )
    statistics = f"{stats['n']}.{stats['at']}.{stats['max_id']}"
    _local_check["key"] = _fingerprint(statistics, sorted(subs.items()))
    _local_check["statistics"] = _fingerprint(statistics)


def _database_keys(*, at_least: float = 0.0) -> _LocalCheck:
    """The fingerprints, re-read at most every PROGRESS_CACHE_CHECK_SECONDS per process (and
    not within `at_least` seconds of the last read)."""
    interval = max(getattr(settings, "PROGRESS_CACHE_CHECK_SECONDS", 5), at_least)
    now = time.monotonic()
    if not _local_check["key"] or now - _local_check["at"] >= interval:
        _refresh_database_keys()
        _local_check["at"] = now
    return _local_check


def _stored_version() -> FiguresVersion | None:
    # Read on every cached page: a statement planned once per connection, where the ORM built and
    # compiled the query each time (0.5 ms of a leader's 6-8 ms cached dashboard).
    found = stored_rows(FiguresVersion, id=1)
    return found[0] if found else None


def figures_key() -> str:
    """A string that changes whenever figures change; part of every cached page's key.

    The version counter (one primary-key read in the database, so a Redis outage or flush
    cannot lose it) changes at once for every process; the database fingerprint is re-read at
    most every PROGRESS_CACHE_CHECK_SECONDS per process (5 by default), which bounds how stale
    a page can be when a writer forgot to call `figures_changed()`.
    """
    fingerprint = _database_keys()["key"]
    stored = _stored_version()
    version = stored.value if stored is not None else 0
    # "v": never the same key as a page cached while the counter lived in Redis.
    return f"v{version}:{fingerprint}"


def statistics_key() -> str:
    """Like `figures_key()`, but kept when only a report changed (`figures_changed(reports_only=
    True)`): the key of what is computed from commune statistics, units and their flags alone.

    At the deadline every submit and acceptance moves `figures_key()`; a dashboard then
    recomputes its reports' figures, not the groups or deprivation figures it showed already.
    """
    # Read with `figures_key()` at the start of the same request: not read again for it.
    fingerprint = _database_keys(at_least=1.0)["statistics"]
    stored = _stored_version()
    version = stored.statistics if stored is not None else 0
    return f"s{version}:{fingerprint}"


T = TypeVar("T")

# How long a page's first request may take to compute it before others stop waiting and compute
# it themselves (a request that died leaves its claim behind until then).
COMPUTING_SECONDS = 20.0
_POLL_FIRST, _POLL_MAX = 0.01, 0.1


def computed_once(key: str, compute: Callable[[], T], *, timeout: int) -> T:
    """The value cached under `key`, or `compute()`'s, stored there: computed by one request.

    Every submit and acceptance moves the figures version, so at the deadline each cached page
    is missing again and again while several leaders reload it. The first request to miss
    claims the key and computes; the others, in any process sharing the cache, wait for its
    copy instead of computing the same figures again. What they get was computed after they
    read the figures version, so it is never older than the key they asked for. If the claim
    disappears without a copy (the computing request failed, or the cache is down and cannot
    hold a claim), a waiter computes for itself; it waits at most COMPUTING_SECONDS.
    """
    value = cache.get(key)
    if value is not None:
        return value
    claim = f"{key}:computing"
    if not cache.add(claim, 1, COMPUTING_SECONDS):
        waited, pause = 0.0, _POLL_FIRST
        while waited < COMPUTING_SECONDS and cache.has_key(claim):
            time.sleep(pause)
            waited += pause
            pause = min(2 * pause, _POLL_MAX)
            value = cache.get(key)
            if value is not None:
                return value
        # No one computes it (any longer): compute it here, as without the claim.
        value = cache.get(key)
        if value is not None:
            return value
        value = compute()
        cache.set(key, value, timeout)
        return value
    try:
        value = compute()
        cache.set(key, value, timeout)
    finally:
        cache.delete(claim)
    return value


class _Latest(TypedDict):
    key: str  # the figures key of the page's latest copy
    at: float  # when that copy's figures were last read as current (seconds since the epoch)


def computed_recently(
    family: str, key: str, compute: Callable[[], T], *, timeout: int, fresh_for: float
) -> tuple[T, float | None]:
    """`computed_once(key, compute)`, unless the figures changed less than `fresh_for` seconds
    after the page's latest copy was computed (`family`: the page's key without the figures
    version): then that copy, and when its figures were current, so the page can say so.

    At the deadline every submit and acceptance moves the figures key a few times a second;
    leaders reloading their dashboard would recompute it on every change. Served this way, a
    page is recomputed at most once every `fresh_for` seconds. Returns the value and, for a copy
    behind the figures, the time its figures were current (None when they are current). While
    one request recomputes a copy older than `fresh_for`, the others get that copy."""
    found = cache.get_many([key, family])
    if key in found:
        return found[key], None
    latest: _Latest | None = found.get(family)
    refreshing = f"{family}:refreshing"
    claimed = False
    if latest is not None and fresh_for > 0:  # 0: every change recomputed, never a copy behind
        fresh = 0 <= time.time() - latest["at"] < fresh_for
        # A copy behind for longer is recomputed by one request; the others keep getting it
        # meanwhile, rather than each holding a web worker to wait for the new one (or to
        # compute it too, the figures key having moved again in between).
        claimed = not fresh and cache.add(refreshing, 1, COMPUTING_SECONDS)
        if not claimed:
            value = cache.get(latest["key"])
            if value is not None:
                return value, latest["at"]
    try:
        began = time.time()
        value = computed_once(key, compute, timeout=timeout)
        cache.set(family, _Latest(key=key, at=began), timeout)
    finally:
        if claimed:
            cache.delete(refreshing)
    return value, None


# A report's rows count once it is sent (the Board may include sent reports) or accepted.
_COUNTED = (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED)


def _submission_saved(sender, instance, update_fields=None, **kwargs) -> None:
    # Drafts being edited change no figure; a status change (submit, return, accept) may.
    if instance.status == SubmissionStatus.DRAFT:
        return
    if update_fields is None or "status" in update_fields:
        figures_changed(reports_only=True)


def _submission_deleted(sender, instance, **kwargs) -> None:
    if instance.status in _COUNTED:
        figures_changed(reports_only=True)


def _in_counted_report(instance: ReportedValue | ModelResult) -> bool:
    """Whether a reported value or model result belongs to a report whose figures count.

    An officer's draft saves many of these rows: bumping the version for them would lock its
    row for the whole save and queue every officer saving at the deadline behind each other."""
    if instance.submission_id is None:
        return False
    if type(instance).submission.is_cached(instance):
        submission = instance.submission
        return submission is not None and submission.status in _COUNTED
    return Submission.objects.filter(pk=instance.submission_id, status__in=_COUNTED).exists()


def _figures_saved(sender, instance, **kwargs) -> None:
    if isinstance(instance, ReportedValue | ModelResult):
        if _in_counted_report(instance):
            figures_changed(reports_only=True)
        return
    figures_changed()


def connect_receivers() -> None:
    """Invalidate cached figures on single-row writes (admin edits, the Board's decisions).

    Called from `IndicatorsConfig.ready()`. Bulk writes send no signals: whoever imports in bulk
    calls `figures_changed()` itself.
    """
    from django.db.models.signals import post_delete, post_save

    from campaigns.models import Campaign
    from indicators.models import Baseline, Indicator, Milestone
    from units.models import UnitFlag

    post_save.connect(_submission_saved, sender=Submission, dispatch_uid="progress-submission")
    # A deleted report takes its rows along; they find no report left to ask about.
    post_delete.connect(
        _submission_deleted, sender=Submission, dispatch_uid="progress-submission-deleted"
    )
    # A campaign holds the minimum coverage below which figures are withheld; units' flags
    # make the groups (border, especially difficult…) that poverty is compared across.
    figure_models = (
        Baseline,
        Campaign,
        CommuneStatistics,
        Indicator,
        Milestone,
        ModelResult,
        ReportedValue,
        UnitFlag,
    )
    for model in figure_models:
        for signal in (post_save, post_delete):
            signal.connect(_figures_saved, sender=model, dispatch_uid=f"progress-{model.__name__}")
