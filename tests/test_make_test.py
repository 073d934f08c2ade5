"""`make test` runs on a real PostgreSQL wherever it runs (tests/run_suite.py)."""

import os
import socket
import subprocess
from pathlib import Path

import dj_database_url
import psycopg2
import pytest
import yaml

from tests import run_suite

ROOT = Path(__file__).resolve().parent.parent


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_with_nothing_answering_the_embedded_server_is_chosen():
    environ = {"LOCAL_PG_URL": f"postgres://postgres@127.0.0.1:{unused_port()}/kontum_poverty"}

    choice = run_suite.choose_database(environ)

    assert choice.source == "embedded"


def test_a_local_server_that_answers_is_chosen():
    environ = {"LOCAL_PG_URL": "postgres://postgres@127.0.0.1:5433/kontum_poverty"}

    choice = run_suite.choose_database(environ, answers=lambda url: url == environ["LOCAL_PG_URL"])

    assert choice == run_suite.DatabaseChoice("local", environ["LOCAL_PG_URL"])


def test_database_url_wins_without_probing_anything():
    def probe(url):
        raise AssertionError("DATABASE_URL given: nothing to probe")

    choice = run_suite.choose_database({"DATABASE_URL": "postgres://x@db/y"}, answers=probe)

    assert choice == run_suite.DatabaseChoice("DATABASE_URL", "postgres://x@db/y")


def test_without_an_answering_redis_no_redis_url_is_given():
    environ = {"LOCAL_REDIS_URL": f"redis://127.0.0.1:{unused_port()}/4"}

    assert run_suite.choose_redis(environ) == ""
    assert run_suite.choose_redis({**environ, "REDIS_URL": "redis://r:6379/2"}) == (
        "redis://r:6379/2"
    )


def test_a_socket_folder_becomes_a_database_url_django_reads():
    url = run_suite.socket_url(Path("/work/x/var/pgtest"), "kontum_poverty")

    config = dj_database_url.parse(url)

    assert config["HOST"] == "/work/x/var/pgtest"
    assert config["NAME"] == "kontum_poverty"


def test_printed_urls_hide_the_password():
    shown = run_suite.without_password("postgres://kontum:hunter2@db:5432/kontum_poverty")

    assert "hunter2" not in shown
    assert shown == "postgres://kontum:***@db:5432/kontum_poverty"


def test_the_makefile_passes_the_local_urls_from_the_environment():
    env = {**os.environ, "LOCAL_PG_URL": "postgres://p@127.0.0.1:5999/k"}
    env.pop("MAKEFLAGS", None)
    env.pop("TEST_WORKERS", None)  # `make test TEST_WORKERS=0` runs this test too

    # make from the PATH, as a developer runs it, on a fixed target.
    dry_run = subprocess.run(  # noqa: S603
        ["make", "-n", "-W", "requirements-dev.txt", "test"],  # noqa: S607
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert "LOCAL_PG_URL=postgres://p@127.0.0.1:5999/k" in dry_run
    assert "-m tests.run_suite" in dry_run
    assert "-n auto" in dry_run  # one test process per core


def test_each_test_process_has_its_own_redis_database():
    from kontum_poverty.settings_test import redis_url_for_worker

    assert redis_url_for_worker("redis://:pw@r:6379/3", "gw0") == "redis://:pw@r:6379/3"
    assert redis_url_for_worker("redis://:pw@r:6379/3", "gw1") == "redis://:pw@r:6379/4"
    assert redis_url_for_worker("redis://r:6379", "gw2") == "redis://r:6379/2"
    assert redis_url_for_worker("redis://r:6379/15", "gw1") == "redis://r:6379/0"


def test_the_embedded_server_answers_inside_the_block_and_is_stopped_after_a_failure():
    # Under var/, like var/pgtest: run as root the package widens the parent folders' rights.
    pgdata = ROOT / "var" / "pgtest-selfcheck"

    with (
        pytest.raises(RuntimeError, match="a failing suite"),
        run_suite.embedded_postgres(pgdata) as url,
    ):
        config = dj_database_url.parse(url)
        connection = psycopg2.connect(host=config["HOST"], user=config["USER"], dbname="postgres")
        with connection, connection.cursor() as cursor:
            cursor.execute("SHOW server_version_num")
            version = int(cursor.fetchone()[0])
        connection.close()
        raise RuntimeError("a failing suite")

    assert version // 10000 == 18  # docker-compose.yml's db image runs the same major version
    assert not (pgdata / "postmaster.pid").exists()
    with pytest.raises(psycopg2.OperationalError):
        psycopg2.connect(host=config["HOST"], user="postgres", dbname="postgres").close()


def test_compose_runs_the_postgresql_major_version_the_tests_run():
    db = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["db"]

    assert db["image"].split(":")[1].split(".")[0] == "18"
    # The 18+ image refuses to start with a volume on the old /var/lib/postgresql/data.
    assert [v for v in db["volumes"] if v.endswith(":/var/lib/postgresql")] != []
