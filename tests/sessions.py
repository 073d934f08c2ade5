"""Database sessions of their own, for tests about what one transaction holds against another
(PostgreSQL): their writes are committed for real, so run them in `transaction=True` tests."""

import time
from urllib.parse import quote

import psycopg2
import pytest
from django.db import connection


def connect(dbname: str | None = None):
    """A psycopg2 connection to the test server as Django's settings reach it: to the test
    database, or to `dbname`."""
    db = connection.settings_dict
    return psycopg2.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=dbname or db["NAME"],
    )


def database_url(dbname: str | None = None) -> str:
    """A postgres:// URL of the test server as Django's settings reach it, for a subprocess or
    libpq: to the test database, or to `dbname`. A socket folder (the embedded server of `make
    test`) is a host only once quoted."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = quote(db["HOST"] or "127.0.0.1", safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    user = quote(db["USER"], safe="")
    return f"postgres://{user}{password}@{host}{port}/{dbname or db['NAME']}"


def other_session():
    """A psycopg2 session on the test database, outside Django's connection handling."""
    session = connect()
    with session.cursor() as cursor:
        cursor.execute("SET lock_timeout = '10s'")  # a broken lock fails, never hangs
    session.commit()
    return session


def wait_until_waiting_on_a_lock(
    pid: int | None = None, seconds: float = 10, why: str = ""
) -> None:
    """Until session `pid` (or any session of the test database) waits on a lock another
    holds, as PostgreSQL itself sees it. Read through Django's connection outside any
    transaction: inside one, `pg_stat_activity` would not change."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database() AND (%s::int IS NULL OR pid = %s)",
                [pid, pid],
            )
            if cursor.fetchone()[0]:
                return
        time.sleep(0.02)
    pytest.fail(f"nothing waited on the lock {why}".strip())
