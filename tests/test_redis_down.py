"""With Redis down the portal serves from the database: pages, saves and PDF requests still work.

"Down" is real here: the cache is Django's Redis backend as production configures it, pointed at
a port nothing listens on, or at a throwaway redis-server that the test stops and starts again.
"""

import logging
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Submission, SubmissionStatus
from campaigns.services import review, submissions
from indicators import progress
from indicators.models import FiguresVersion, ReportedValue
from reports import documents
from reports.models import JobState, ReportJob, ReportKind
from tests.factories import (
    CommuneFactory,
    DistrictFactory,
    IndicatorFactory,
    PeriodFactory,
    ProvinceFactory,
    SubmissionFactory,
)
from tests.report_setup import IN_2019, complete_draft, post_data, year_build
from tests.test_health import dead_redis_url
from tests.test_report_jobs import TinyReport

pytestmark = pytest.mark.django_db

CACHE_LOGGER = "kontum_poverty.cache"


def redis_caches(url: str, *, retry_seconds: float = 10) -> dict:
    """The cache settings.py builds from REDIS_URL, on another URL."""
    return {
        "default": {
            "BACKEND": "kontum_poverty.cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.1, "socket_timeout": 0.25},
            "RETRY_SECONDS": retry_seconds,
        }
    }


@pytest.fixture
def redis_down(settings):
    settings.CACHES = redis_caches(dead_redis_url())  # a new cache connection on each change
    settings.PROGRESS_CACHE_CHECK_SECONDS = 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own that keeps its data across a stop and a start."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=0.5)

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                shutil.which("redis-server") or "redis-server",
                "--bind", "127.0.0.1", "--port", str(self.port),
                "--dir", str(self.directory), "--save", "", "--appendonly", "no",
            ],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client().ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def stop(self) -> None:
        """Shut down as an operator would: what it holds is saved and loaded on the next start."""
        assert self.process is not None
        self.client().shutdown(save=True)
        self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def redis_server(tmp_path):
    if shutil.which("redis-server") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI must have redis-server for the outage tests")
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    if server.process is not None:
        server.process.terminate()
        server.process.wait(timeout=10)


def _card_value(html: str, code: str) -> str:
    marker = f'data-indicator="{code}" data-status="'
    start = html.index(marker) + len(marker)
    return html[start:].split('" data-value="', 1)[1].split('"', 1)[0]


@pytest.fixture
def labour():
    """Two districts' LABOUR figures for 2019: 30/100 accepted, 90/100 waiting for the Board."""
    province = ProvinceFactory()
    period = PeriodFactory(year=2019)
    indicator = IndicatorFactory(campaign=period.campaign, code="LABOUR", measure="rate")
    districts = [DistrictFactory(parent=province), DistrictFactory(parent=province)]
    CommuneFactory(parent=districts[0])
    for district, status, trained in zip(
        districts, ["accepted", "submitted"], [30, 90], strict=True
    ):
        submission = SubmissionFactory(unit=district, period=period, **{status: True})
        ReportedValue.objects.create(
            submission=submission, indicator=indicator, numerator=trained, denominator=100
        )
    return districts


def _accept_the_second_report(board_staff, districts) -> None:
    submission = Submission.objects.get(unit=districts[1])
    review.submission_accept(
        submission=submission, by=board_staff, expected_version=submission.version
    )


# --- Pages and saves with Redis down -----------------------------------------------------------


def test_the_leaders_dashboard_and_its_drill_down_work_with_redis_down(
    client, leader, labour, redis_down, caplog
):
    client.force_login(leader)
    caplog.set_level(logging.WARNING, logger=CACHE_LOGGER)

    home = client.get(reverse("dashboard:home"), {"year": "2019"})
    district = client.get(reverse("dashboard:scope", args=[labour[0].pk]), {"year": "2019"})
    sources = client.get(reverse("dashboard:sources", args=[labour[0].parent_id]), {"year": "2019"})

    assert home.status_code == 200
    assert _card_value(home.content.decode(), "LABOUR") == "30.0"
    assert district.status_code == 200
    assert _card_value(district.content.decode(), "LABOUR") == "30.0"
    assert sources.status_code == 200
    assert [r.name for r in caplog.records if r.name == CACHE_LOGGER]


def test_the_public_page_works_with_redis_down(client, labour, redis_down):
    response = client.get(reverse("public-progress"), {"year": "2019"})

    assert response.status_code == 200
    assert _card_value(response.content.decode(), "LABOUR") == "30.0"


def test_an_officer_saves_a_report_with_redis_down(client, unit_officer, time_machine, redis_down):
    time_machine.move_to(IN_2019, tick=False)
    year = year_build(unit_officer)
    client.force_login(unit_officer)
    url = reverse("report:form", kwargs={"period_pk": year.period.pk})
    submission = submissions.submission_get_or_create_draft(period=year.period, unit=year.unit)
    assert client.get(url).status_code == 200

    response = client.post(url, post_data(year, submission))

    assert response.status_code == 302
    labour = ReportedValue.objects.get(submission=submission, indicator=year.labour)
    assert (labour.numerator, labour.denominator) == (5_200, 10_000)
    assert client.get(url).status_code == 200  # still logged in: sessions are not in Redis


def test_a_board_acceptance_with_redis_down_moves_the_figures(
    client, leader, board_staff, labour, redis_down
):
    client.force_login(leader)
    url = reverse("dashboard:home")
    assert _card_value(client.get(url, {"year": "2019"}).content.decode(), "LABOUR") == "30.0"
    version = FiguresVersion.objects.filter(pk=1).values_list("value", flat=True).first() or 0

    _accept_the_second_report(board_staff, labour)

    assert FiguresVersion.objects.get(pk=1).value > version
    after = client.get(url, {"year": "2019"}).content.decode()
    assert _card_value(after, "LABOUR") == "60.0"  # (30 + 90) / 200


# --- The cache backend --------------------------------------------------------------------------


def test_a_dead_redis_is_an_empty_cache_with_one_warning(redis_down, caplog):
    caplog.set_level(logging.WARNING, logger=CACHE_LOGGER)
    started = time.monotonic()

    cache.set("page", "body")
    assert cache.get("page", "miss") == "miss"
    assert cache.get_or_set("page", lambda: "computed") == "computed"
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("lock", 1) is False
    assert cache.delete("page") is False
    with pytest.raises(ValueError):
        cache.incr("counter")

    assert time.monotonic() - started < 1
    warnings = [r for r in caplog.records if r.name == CACHE_LOGGER]
    assert len(warnings) == 1  # the first failure; the rest are not even tried for a while
    assert warnings[0].levelno == logging.WARNING
    assert "ConnectionError" in warnings[0].getMessage()


def test_a_hanging_redis_costs_one_short_timeout_then_nothing(settings, caplog):
    caplog.set_level(logging.WARNING, logger=CACHE_LOGGER)
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings.CACHES = redis_caches(f"redis://127.0.0.1:{silent.getsockname()[1]}/0")

        started = time.monotonic()
        assert cache.get("page") is None
        first = time.monotonic() - started
        started = time.monotonic()
        for _ in range(20):
            assert cache.get("page") is None
        rest = time.monotonic() - started

    assert first < 1
    assert rest < 0.05
    warnings = [r.getMessage() for r in caplog.records if r.name == CACHE_LOGGER]
    assert len(warnings) == 1
    assert "TimeoutError" in warnings[0]


def test_the_cache_asks_redis_again_once_the_pause_is_over(settings, redis_server, caplog):
    settings.CACHES = redis_caches(redis_server.url, retry_seconds=0.2)
    caplog.set_level(logging.WARNING, logger=CACHE_LOGGER)
    cache.set("page", "before")

    redis_server.stop()
    assert cache.get("page") is None
    redis_server.start()
    assert cache.get("page") is None  # still pausing: Redis is not asked yet
    time.sleep(0.25)

    assert cache.get("page") == "before"  # saved at shutdown, loaded at start
    assert len([r for r in caplog.records if r.name == CACHE_LOGGER]) == 1


# --- The figures version ------------------------------------------------------------------------


def test_the_figures_version_survives_a_cache_clear(settings):
    settings.PROGRESS_CACHE_CHECK_SECONDS = 0
    cache.clear()
    progress.figures_changed()
    before = progress.figures_key()

    cache.clear()  # a Redis flushed or restarted empty
    progress.figures_changed()

    assert progress.figures_key() != before


def _version() -> int:
    return FiguresVersion.objects.filter(pk=1).values_list("value", flat=True).first() or 0


def test_the_counter_is_made_when_missing_and_a_reports_change_leaves_statistics_alone():
    FiguresVersion.objects.all().delete()  # a fresh database

    progress.figures_changed(reports_only=True)
    assert FiguresVersion.objects.values_list("value", "statistics").get() == (1, 0)
    progress.figures_changed()
    progress.figures_changed(reports_only=True)
    assert FiguresVersion.objects.values_list("value", "statistics").get() == (3, 1)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="writes are held to the end on PostgreSQL only"
)
def test_a_submission_counts_the_figures_last_so_their_row_is_locked_the_least(
    client, unit_officer, time_machine
):
    """Every submission and acceptance locks the counter's row until its transaction ends: at
    the deadline, the others queue behind it meanwhile."""
    time_machine.move_to(IN_2019, tick=False)
    year = year_build(unit_officer)
    client.force_login(unit_officer)
    url = reverse("report:form", kwargs={"period_pk": year.period.pk})
    submission = complete_draft(year)  # its evidence too: the checklist is met
    before = _version()

    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, post_data(year, submission, action="submit"))

    submission.refresh_from_db()
    assert response.status_code == 302 and submission.status == SubmissionStatus.SUBMITTED
    assert _version() == before + 1
    sent = [query["sql"] for query in queries]
    counted = max(i for i, sql in enumerate(sent) if FiguresVersion._meta.db_table in sql)
    step = max(i for i, sql in enumerate(sent) if 'INSERT INTO "campaigns_submissionstep"' in sql)
    assert step < counted
    # Nothing but the end of the submission's savepoint and the commit after it.
    assert all(not sql.startswith(("SELECT", "INSERT", "UPDATE")) for sql in sent[counted + 1 :])


def test_an_officers_draft_saves_leave_the_figures_version_alone(
    client, unit_officer, time_machine
):
    """Drafts change no figure; bumping the version for them would lock its row through every
    officer's save and queue the deadline rush behind it. Sending the report moves it."""
    time_machine.move_to(IN_2019, tick=False)
    year = year_build(unit_officer)
    client.force_login(unit_officer)
    url = reverse("report:form", kwargs={"period_pk": year.period.pk})
    submission = submissions.submission_get_or_create_draft(period=year.period, unit=year.unit)
    before = _version()

    assert client.post(url, post_data(year, submission)).status_code == 302

    assert ReportedValue.objects.filter(submission=submission).exists()
    assert _version() == before
    submission.status = SubmissionStatus.SUBMITTED
    submission.submitted_at = timezone.now()
    submission.save(update_fields=["status", "submitted_at"])
    assert _version() > before


def test_after_redis_comes_back_a_board_acceptance_still_changes_the_dashboard(
    client, settings, leader, board_staff, labour, redis_server
):
    settings.PROGRESS_CACHE_CHECK_SECONDS = 0
    settings.LEADERS_DASHBOARD_REFRESH_SECONDS = 0  # recomputed at once, as the Board's is
    settings.CACHES = redis_caches(redis_server.url, retry_seconds=0)
    client.force_login(leader)
    url = reverse("dashboard:home")
    before = client.get(url, {"year": "2019"}).content.decode()
    assert _card_value(before, "LABOUR") == "30.0"
    redis_server.stop()

    _accept_the_second_report(board_staff, labour)  # while Redis is down
    assert client.get(url, {"year": "2019"}).status_code == 200
    redis_server.start()
    # The page cached before the outage is back (with the sections it read from statistics),
    # and the note of which copy is the latest.
    pages = redis_server.client().keys("*:dashboard:*")
    assert len([page for page in pages if not page.endswith(b":latest")]) == 1

    after = client.get(url, {"year": "2019"}).content.decode()
    assert _card_value(after, "LABOUR") == "60.0"  # (30 + 90) / 200, not the page from before
    version = FiguresVersion.objects.get(pk=1).value
    ReportedValue.objects.filter(submission__unit=labour[1]).update(numerator=50)
    progress.figures_changed()  # a bulk update sends no signal: whoever writes in bulk calls it
    assert FiguresVersion.objects.get(pk=1).value == version + 1
    latest = client.get(url, {"year": "2019"}).content.decode()
    assert _card_value(latest, "LABOUR") == "40.0"  # (30 + 50) / 200
    assert redis_server.client().dbsize() >= 2  # pages are cached in Redis again


# --- PDF documents ------------------------------------------------------------------------------


@pytest.fixture
def broker_down():
    """The portal's own Celery app, publishing for real to a Redis that is not there."""
    from kontum_poverty.celery import app

    saved = {name: app.conf[name] for name in ("task_always_eager", "broker_url")}
    pools = app._pool, app.amqp._producer_pool
    app.conf.update(task_always_eager=False, broker_url=dead_redis_url())
    # Connections are pooled per app: drop the pools so the next publish dials the dead URL.
    app._pool, app.amqp._producer_pool = None, None
    yield
    if app._pool is not None:
        app._pool.force_close_all()
    app.conf.update(saved)
    app._pool, app.amqp._producer_pool = pools


def test_asking_for_a_pdf_with_redis_down_leaves_a_queued_job(
    client, leader, redis_down, broker_down, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(documents, "document_for", lambda *, kind, params: TinyReport())
    monkeypatch.setattr(documents, "document_filename", lambda *, kind, params: "bao-cao-thu.pdf")
    PeriodFactory(year=2019, state="closed")
    client.force_login(leader)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("documents:ask"), {"kind": ReportKind.PROVINCE, "province-year": "2019"}
        )

    assert response.status_code == 302
    job = ReportJob.objects.get()
    assert job.state == JobState.QUEUED  # kept for the reconciler, not lost
    assert client.get(response["Location"]).status_code == 200
