"""Personas, one per role: unit_officer, board_staff, leader, dolisa, admin_user, outsider."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest
from django.db import DatabaseError, connection

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

from tests.factories import DistrictFactory, UserFactory


@pytest.fixture
def unit_officer(db):
    return UserFactory(
        username="officer-test", unit=DistrictFactory(code="610", name="Huyện Đắk Glei")
    )


@pytest.fixture
def outsider(db):
    """An officer of another unit."""
    return UserFactory(
        username="officer-other", unit=DistrictFactory(code="611", name="Huyện Ngọc Hồi")
    )


@pytest.fixture
def board_staff(db):
    return UserFactory(username="board-test", board=True)


@pytest.fixture
def leader(db):
    return UserFactory(username="leader-test", leader=True)


@pytest.fixture
def dolisa(db):
    """Staff of the Department of Labour, Invalids and Social Affairs: they appraise figures."""
    return UserFactory(username="dolisa-test", dolisa=True)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin-test", admin=True)


@pytest.fixture(autouse=True)
def _report_forms_read_afresh():
    """Each test starts without the report forms an earlier test's pages kept in this process:
    a test that resets primary keys could otherwise meet another test's form under its keys."""
    from indicators.submissions import shapes

    shapes.forget()


@pytest.fixture(autouse=True)
def _force_login_includes_the_second_factor(monkeypatch):
    """`client.force_login(user)` stands for a finished sign-in: password and second factor.

    Board and admin accounts must pass two-factor sign-in before any page opens (see
    units/accounts/two_factor). Tests that only need someone signed in keep using force_login;
    its session is marked as verified through django-otp's own `login`, with a code-less device.
    Only force_login does this, and only in tests: `client.login` and the login form still meet
    the second-factor step, which tests/test_two_factor.py drives.
    """
    from django.test.client import ClientMixin
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    force_login = ClientMixin.force_login

    def force_login_verified(self, user, backend=None):
        force_login(self, user, backend)
        device, _ = StaticDevice.objects.get_or_create(user=user, name="test: force_login")
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

    monkeypatch.setattr(ClientMixin, "force_login", force_login_verified)


class _SharedChromium:
    """One headless Debian chromium for a row of browser tests, launched by the first and stopped
    after the last: a launch costs about a second, more than most journeys' page loads."""

    def __init__(self) -> None:
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._async_unsafe: str | None = None

    def browser(self) -> Browser:
        if self._browser is None:
            from playwright.sync_api import sync_playwright

            from tests.browser import CHROMIUM, LAUNCH_ARGS

            # Playwright's sync API keeps an event loop marked as running in this thread while
            # it is started; without this Django would refuse the database checks a test makes,
            # in the browser tests and in the tests pytest-django orders between them. The
            # project has no async code the flag could hide.
            self._async_unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
            playwright = sync_playwright().start()
            self._playwright = playwright
            self._browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS
            )
        return self._browser

    def stop(self) -> None:
        if self._browser is not None and self._playwright is not None:
            self._browser.close()
            self._playwright.stop()
            self._browser = self._playwright = None
            if self._async_unsafe is None:
                os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
            else:
                os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = self._async_unsafe


@pytest.fixture(scope="session")
def _shared_chromium():
    shared = _SharedChromium()
    yield shared
    shared.stop()


_NEXT_ITEM = pytest.StashKey["pytest.Item | None"]()
_ASYNC_UNSAFE_AT_START = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")


@pytest.fixture(autouse=True)
def _no_browser_left_running(request):
    """A test without the browser runs without Playwright's event loop and its flag."""
    if "chromium" not in request.fixturenames:
        assert os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE") == _ASYNC_UNSAFE_AT_START, (
            "a browser test left the shared chromium running"
        )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    """Note which test this process runs next, for the `chromium` fixture's teardown, which runs
    inside this hook's default implementation."""
    item.stash[_NEXT_ITEM] = nextitem


@pytest.fixture
def chromium(request, _shared_chromium):
    """The run's headless Debian chromium; create pages with `chromium.new_context()`.

    Contexts keep tests apart (each has its own cookies, storage and cache); whatever a test
    left open is closed after it, and the browser itself once the next test this process runs
    is not a browser test. Playwright's running event loop and DJANGO_ALLOW_ASYNC_UNSAFE then
    never reach another test. (Under pytest-xdist the run's list of tests holds other processes'
    tests too: only `nextitem` says what this process runs next.)
    """
    browser = _shared_chromium.browser()
    yield browser
    for context in browser.contexts:
        context.close()
    following = request.node.stash.get(_NEXT_ITEM, None)
    if following is None or "chromium" not in getattr(following, "fixturenames", ()):
        _shared_chromium.stop()


@pytest.fixture(scope="session", autouse=True)
def _close_stray_database_sessions(django_db_setup, django_db_blocker):
    """End connections the live server's keep-alive threads still hold, so the test database
    can be dropped at the end of the run instead of being left behind with a warning."""
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock():
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
        except DatabaseError:
            pass  # no test database was opened: nothing holds it


def real_redis_url() -> str:
    """REDIS_URL when a Redis answers there; otherwise skip, saying why (in CI: fail instead)."""
    import os
    from urllib.parse import urlsplit

    import redis

    url = os.environ.get("REDIS_URL", "")
    if not url:
        reason = "REDIS_URL is not set: no Redis for this test (make test sets it when one answers)"
    else:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        try:
            client.ping()
            return url
        except redis.RedisError:
            parts = urlsplit(url)
            reason = f"no Redis answers at REDIS_URL ({parts.hostname}:{parts.port or 6379})"
        finally:
            client.close()
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI never skips: {reason}")
    pytest.skip(reason)


@pytest.fixture
def redis_url() -> str:
    """The real Redis of REDIS_URL, its database number included: two runs stay apart."""
    return real_redis_url()


def start_celery_worker(*, media_root: str):
    """A real Celery worker process on the real Redis, reading the test database and media folder.

    Returns the process once it answers a ping. Needs REDIS_URL, which CI exports.
    """
    import os
    import subprocess
    import sys
    import time

    from kontum_poverty.celery import app
    from tests.sessions import database_url

    redis_url = real_redis_url()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kontum_poverty.settings_test",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "TEST_MEDIA_ROOT": media_root,
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "kontum_poverty",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
        ],
        env=env,
    )
    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=0.5):
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            pytest.fail("the Celery worker did not start")
    return worker


@pytest.fixture
def celery_worker(transactional_db, settings):
    """A real Celery worker on the real Redis, reading the test database and media folder.

    Tasks published by the test go through Redis to this worker (not run inline), so a test can
    show a job surviving the trip a production job makes. Needs REDIS_URL, which CI exports.
    """
    from kontum_poverty.celery import app

    app.control.purge()  # nothing left over from an earlier run reaches this worker
    worker = start_celery_worker(media_root=str(settings.MEDIA_ROOT))
    app.conf.task_always_eager = False
    try:
        yield worker
    finally:
        app.conf.task_always_eager = True
        worker.terminate()
        worker.wait(timeout=30)
