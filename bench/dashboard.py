"""Throughput of the leaders' dashboard under gunicorn, next to a trivial logged-in page.

For each scale (Kon Tum: 1 province, ~100 communes; national: 63 provinces, ~10,600 communes)
it builds a fresh PostgreSQL database with `bench/national.py`, serves it with gunicorn (2 sync
workers, loopback only), loads the Kon Tum dashboard and `/bench/trivial/` with wrk (or Python
threads when wrk is missing) in alternating rounds of bounded time, then times uncached dashboard
requests in-process. Prints figures; the last line holds them as key=value pairs. Not a timed test.

    python bench/dashboard.py [--scales kontum national] [--duration 5] [--rounds 3] [--reuse]
"""

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/kontum_bench_e"
SCALES = {
    "kontum": {"provinces": 1, "districts": 10, "communes": 10},
    "national": {"provinces": 63, "districts": 11, "communes": 15},
}
DASHBOARD = "/dashboard/"
TRIVIAL = "/bench/trivial/"


def _env(db_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": db_url,
            "SECRET_KEY": "bench-only-secret",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,testserver",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "STATIC_MANIFEST": "0",
            # Collected before gunicorn starts, as a deployment does (`start_gunicorn`).
            "STATIC_ROOT": str(ROOT / "var" / "bench-static"),
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- Steps run in a child process, one database each ----------------------------------------


def prepare(scale: str, reuse: bool) -> dict:
    """Migrate, generate, analyse; return a leader's session cookie and the dashboard path."""
    _setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.national import generate
    from units.models import Unit, User

    generated = "reused"
    if not (reuse and Unit.objects.exists()):
        call_command("migrate", verbosity=0)
        sizes = SCALES[scale]
        generated = generate(
            provinces=sizes["provinces"],
            districts_per_province=sizes["districts"],
            communes_per_district=sizes["communes"],
        ).summary()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    leader, _ = User.objects.get_or_create(username="bench-leader", defaults={"role": "leader"})
    client = Client()
    client.force_login(leader)
    return {
        "cookie": client.cookies["sessionid"].value,
        "generated": generated,
        "communes": Unit.objects.filter(level="commune").count(),
        "province_communes": Unit.objects.filter(
            level="commune", parent__parent__code="62"
        ).count(),
    }


def uncached(samples: int) -> dict:
    """Server time of dashboard requests with the cache emptied before each one."""
    _setup_django()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from units.models import User

    client = Client()
    client.force_login(User.objects.get(username="bench-leader"))
    timings, queries = [], 0
    for i in range(samples + 2):
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(DASHBOARD)
            elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        if i >= 2:  # the first requests warm Python's and PostgreSQL's caches
            timings.append(elapsed * 1000)
            queries = len(captured.captured_queries)
    timings.sort()
    return {
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 1),
        "queries": queries,
    }


def _child(step: str, db_url: str, *args: str) -> dict:
    output = subprocess.run(
        [PYTHON, __file__, f"--child-{step}", *args],
        env=_env(db_url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    if output.returncode != 0:
        raise RuntimeError(f"{step} failed:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


# --- Orchestration ----------------------------------------------------------------------------


def recreate_database(db_url: str) -> None:
    import psycopg2

    parts = urlparse(db_url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        # FORCE: a benchmark interrupted earlier may have left its server connected.
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(
    db_url: str, port: int, workers: int = 2, access_log: Path | None = None
) -> subprocess.Popen:
    """gunicorn serving the portal; with `access_log`, each request's `X-Bench-Kind` header and
    its time in the worker (microseconds) go there, one line each."""
    logging = (
        ["--access-logfile", str(access_log), "--access-logformat", "%({x-bench-kind}i)s %(D)s"]
        if access_log is not None
        else []
    )
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        env=_env(db_url),
        cwd=ROOT,
        check=True,
    )
    process = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "kontum_poverty.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
            # A surge keeps every worker busy: a slow save must not be killed as a hung worker.
            "--timeout",
            "120",
            *logging,
        ],
        env=_env(db_url),
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def get(port: int, path: str, cookie: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def load_wrk(port: int, path: str, cookie: str, duration: int, connections: int) -> float:
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{duration}s",
            "-H",
            f"Cookie: sessionid={cookie}",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 30,
    ).stdout
    if "Non-2xx" in output:
        raise RuntimeError(f"errors under load on {path}:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def load_threads(port: int, path: str, cookie: str, duration: int, connections: int) -> float:
    done, errors = [0], [0]
    stop = time.monotonic() + duration
    lock = threading.Lock()

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            connection.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
            response = connection.getresponse()
            response.read()
            with lock:
                done[0] += 1
                errors[0] += response.status != 200
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors[0]:
        raise RuntimeError(f"{errors[0]} errors under load on {path}")
    return done[0] / (time.monotonic() - started)


def bench_scale(scale: str, base_url: str, args: argparse.Namespace) -> dict[str, float]:
    db_url = f"{base_url}_{scale}"
    if not args.reuse:
        recreate_database(db_url)
    prepared = _child("prepare", db_url, scale, "1" if args.reuse else "0")
    print(f"[{scale}] data: {prepared['generated']}", flush=True)
    print(
        f"[{scale}] communes in the database: {prepared['communes']}, "
        f"in the dashboard's province: {prepared['province_communes']}",
        flush=True,
    )
    load = load_wrk if shutil.which("wrk") else load_threads
    port = free_port()
    server = start_gunicorn(db_url, port)
    try:
        for path, marker in ((TRIVIAL, b"<main"), (DASHBOARD, b"data-indicator")):
            status, body = get(port, path, prepared["cookie"])
            if status != 200 or marker not in body:
                raise RuntimeError(f"{path} answered {status}")
            for _ in range(4):  # warm both workers and their caches
                get(port, path, prepared["cookie"])
        # Alternate the two pages over a few rounds and keep each one's median, so that load
        # from other processes on the machine falls on both alike.
        runs: dict[str, list[float]] = {TRIVIAL: [], DASHBOARD: []}
        for _ in range(args.rounds):
            for path in (TRIVIAL, DASHBOARD):
                runs[path].append(
                    load(port, path, prepared["cookie"], args.duration, args.connections)
                )
        trivial = statistics.median(runs[TRIVIAL])
        dashboard = statistics.median(runs[DASHBOARD])
    finally:
        server.terminate()
        server.wait(timeout=30)
    timing = _child("uncached", db_url, str(args.samples))
    ratio = dashboard / trivial
    print(
        f"[{scale}] trivial page {trivial:.0f} req/s, dashboard {dashboard:.0f} req/s "
        f"({100 * ratio:.0f}% of trivial; load: {load.__name__}), uncached dashboard "
        f"median {timing['median_ms']} ms, p95 {timing['p95_ms']} ms, "
        f"{timing['queries']} queries",
        flush=True,
    )
    return {
        f"{scale}_communes": prepared["communes"],
        f"{scale}_trivial_rps": round(trivial, 1),
        f"{scale}_dashboard_rps": round(dashboard, 1),
        f"{scale}_ratio": round(ratio, 3),
        f"{scale}_uncached_median_ms": timing["median_ms"],
        f"{scale}_uncached_p95_ms": timing["p95_ms"],
        f"{scale}_queries": timing["queries"],
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1].startswith("--child-"):
        step = sys.argv[1].removeprefix("--child-")
        if step == "prepare":
            print(json.dumps(prepare(sys.argv[2], sys.argv[3] == "1")))
        else:
            print(json.dumps(uncached(int(sys.argv[2]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", choices=list(SCALES), default=list(SCALES))
    parser.add_argument("--duration", type=int, default=5, help="seconds of load per round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--samples", type=int, default=20, help="uncached requests timed")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--reuse", action="store_true", help="keep already generated databases")
    args = parser.parse_args()
    figures: dict[str, float] = {}
    for scale in args.scales:
        figures.update(bench_scale(scale, args.database_url, args))
    print(" ".join(f"{key}={value}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
