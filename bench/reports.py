"""Speed and memory of the PDF reports, on real PostgreSQL, Redis and Celery workers.

1. Kon Tum (seed_campaign + load_demo: the province's real 10 districts and 102 communes):
   the province report rendered in one fresh process (seconds, pages, seconds per page, peak
   memory); the same report asked for again through the reports page with unchanged data (the
   fingerprint answers with the file already made); all unit sheets of a year as one zip job,
   with one Celery worker and then two (solo pool, one process each), as sheets per second.
2. National scale (bench/national.py: 63 provinces, ~10,600 communes): the commune annex of
   every commune, its parts rendered by two worker processes running the function the Celery
   part task runs, then merged (seconds, pages, peak memory per worker and of the merge).

Goals (issue 7): province < 5 s and < 300 MB; cached < 100 ms; two workers >= 1.7x one; national
annex < 60 s with two workers and < 500 MB per worker. Prints figures; the last line holds them
as key=value pairs. Not a timed test.

    python bench/reports.py [--rounds 2] [--skip-national] [--reuse]
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dashboard import recreate_database  # noqa: E402 (needs ROOT on the path)

PYTHON = sys.executable
KONTUM_DB = "postgres://postgres@127.0.0.1:5432/kontum_bench_reports"
NATIONAL_DB = "postgres://postgres@127.0.0.1:5432/kontum_bench_reports_national"
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
YEAR = 2019


def _env(db_url: str, media: str, *, redis: bool = False) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("REDIS_URL", None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "kontum_poverty.settings",
            "DATABASE_URL": db_url,
            "SECRET_KEY": "bench-only-secret",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,testserver",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "STATIC_MANIFEST": "0",
            "LOG_LEVEL": "WARNING",
            "MEDIA_ROOT": media,
            "PYTHONPATH": str(ROOT),
        }
    )
    if redis:
        env["REDIS_URL"] = REDIS
    return env


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# --- Steps run in a child process ----------------------------------------------------------


def prepare_kontum() -> dict:
    _setup_django()
    from django.core.management import call_command

    from units.models import Unit

    call_command("migrate", verbosity=0)
    if not Unit.objects.exists():
        call_command("seed_campaign", verbosity=0)
        call_command("load_demo", force=True, verbosity=0)
    return {"communes": Unit.objects.filter(level="commune").count()}


def province() -> dict:
    """The whole province report in this fresh process, as `render_report province` does."""
    _setup_django()
    from django.utils import translation

    from reports import documents
    from reports.pdf import render_with_annex

    baseline = _peak_mb()
    started = time.perf_counter()
    with translation.override("vi"):
        doc = documents.document_for(kind="province", params={"year": YEAR})
        pdf = render_with_annex(doc.main_html(), doc.annex())
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "pages": pdf.pages,
        "seconds_per_page": round(seconds / pdf.pages, 3),
        "peak_mb": _peak_mb(),
        "django_baseline_mb": baseline,
        "kib": len(pdf.content) // 1024,
    }


def cached(samples: int) -> dict:
    """The reports page asked again for a report whose inputs did not change."""
    _setup_django()
    from django.test import Client
    from django.urls import reverse

    from reports.models import ReportJob
    from reports.services import jobs
    from units.models import User

    leader, _ = User.objects.get_or_create(username="bench-leader", defaults={"role": "leader"})
    ReportJob.objects.all().delete()
    jobs.report_request(user=leader, kind="province", params={"year": YEAR})  # eager: renders
    client = Client()
    client.force_login(leader)
    timings = []
    for i in range(samples + 2):
        started = time.perf_counter()
        response = client.post(
            reverse("documents:ask"), {"kind": "province", "province-year": str(YEAR)}
        )
        elapsed = time.perf_counter() - started
        assert response.status_code == 302, response.status_code
        if i >= 2:  # the first requests warm Python's and PostgreSQL's caches
            timings.append(elapsed * 1000)
    renders = ReportJob.objects.exclude(started_at=None).filter(attempts__gt=0).count()
    assert renders == 1, f"{renders} renders: the fingerprint missed"
    timings.sort()
    return {
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 1),
    }


def zip_job() -> dict:
    """Ask for all unit sheets of the year as a zip and wait for the workers to finish it."""
    _setup_django()
    from reports.models import JobState, ReportJob
    from reports.services import jobs
    from units.models import User

    leader, _ = User.objects.get_or_create(username="bench-leader", defaults={"role": "leader"})
    ReportJob.objects.all().delete()  # no fingerprint hit: every round renders
    started = time.perf_counter()
    job = jobs.report_request(user=leader, kind="unit_zip", params={"year": YEAR})
    while True:
        job.refresh_from_db()
        if not job.in_flight:
            break
        if time.perf_counter() - started > 600:
            raise RuntimeError("the zip job did not finish in 10 minutes")
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    assert job.state == JobState.DONE, (job.state, job.error[-2000:])
    return {"seconds": round(seconds, 2), "sheets": job.parts_total}


def prepare_national() -> dict:
    _setup_django()
    from django.core.management import call_command
    from django.db import connection

    from bench.national import generate
    from units.models import Unit

    generated = "reused"
    call_command("migrate", verbosity=0)
    if not Unit.objects.exists():
        generated = generate().summary()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"generated": generated, "communes": Unit.objects.filter(level="commune").count()}


def _render_part(index: int) -> tuple[int, bytes, float]:
    """One annex part in a pool worker: what the Celery part task runs."""
    from reports.documents.commune_annex import commune_annex

    annex = commune_annex(scope=None, year=YEAR)
    content = annex.render_part(index, main_pages=0).content
    return index, content, _peak_mb()


def _pool_init() -> None:
    _setup_django()
    from django.db import connections

    connections.close_all()


def national(workers: int) -> dict:
    """The annex of every commune, its parts spread over `workers` processes, then merged."""
    import multiprocessing

    _setup_django()
    from reports.documents.commune_annex import commune_annex, scope_communes
    from reports.pdf import pdf_merge, pdf_page_count

    communes = scope_communes(None).count()
    started = time.perf_counter()
    annex = commune_annex(scope=None, year=YEAR)
    parts: dict[int, bytes] = {}
    worker_peaks = []
    context = multiprocessing.get_context("spawn")  # fresh processes, like Celery workers
    with context.Pool(workers, initializer=_pool_init, maxtasksperchild=None) as pool:
        for index, content, peak in pool.imap_unordered(_render_part, range(annex.part_count)):
            parts[index] = content
            worker_peaks.append(peak)
    rendered = time.perf_counter() - started
    merged = pdf_merge([parts[i] for i in range(annex.part_count)])
    seconds = time.perf_counter() - started
    return {
        "workers": workers,
        "communes": communes,
        "lines": annex.count,  # communes and district headings
        "parts": annex.part_count,
        "pages": pdf_page_count(merged),
        "seconds": round(seconds, 1),
        "render_seconds": round(rendered, 1),
        "merge_seconds": round(seconds - rendered, 1),
        "worker_peak_mb": max(worker_peaks),
        "merge_peak_mb": _peak_mb(),
        "mib": round(len(merged) / 2**20, 1),
    }


def _child(step: str, db_url: str, media: str, *args: str, redis: bool = False) -> dict:
    output = subprocess.run(
        [PYTHON, __file__, f"--child-{step}", *args],
        env=_env(db_url, media, redis=redis),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=3600,
    )
    if output.returncode != 0:
        raise RuntimeError(f"{step} failed:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


# --- Orchestration ----------------------------------------------------------------------------


def start_workers(count: int, db_url: str, media: str) -> list[subprocess.Popen]:
    """`count` Celery workers of one process each (solo pool), on the bench's Redis database."""
    env = _env(db_url, media, redis=True)
    workers = [
        subprocess.Popen(
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "kontum_poverty",
                "worker",
                "--pool=solo",
                f"--hostname=bench{i}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
        for i in range(count)
    ]
    _setup_celery_client(env)
    from kontum_poverty.celery import app

    deadline = time.monotonic() + 60
    while len(app.control.ping(timeout=0.5) or []) < count:
        if time.monotonic() > deadline:
            raise RuntimeError("the Celery workers did not start")
    return workers


def _setup_celery_client(env: dict[str, str]) -> None:
    for key in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SECRET_KEY", "DEBUG", "REDIS_URL"):
        os.environ[key] = env[key]
    _setup_django()


def peak_mb_of(process: subprocess.Popen) -> float:
    status = Path(f"/proc/{process.pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return round(int(line.split()[1]) / 1024, 1)


def stop(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait(timeout=30)


def purge_queue() -> None:
    import redis

    redis.Redis.from_url(REDIS).flushdb()


def bench_zip(db_url: str, media: str, rounds: int) -> dict:
    results = {}
    for count in (1, 2):
        purge_queue()
        workers = start_workers(count, db_url, media)
        try:
            runs = [_child("zip", db_url, media, redis=True) for _ in range(rounds)]
            peaks = [peak_mb_of(w) for w in workers]
        finally:
            stop(workers)
        best = min(runs, key=lambda r: r["seconds"])
        results[count] = {**best, "worker_peak_mb": max(peaks)}
        print(
            f"  zip, {count} worker(s): {best['sheets']} sheets in {best['seconds']} s "
            f"(best of {rounds}), worker peak {max(peaks)} MB",
            flush=True,
        )
    one, two = results[1], results[2]
    return {
        "sheets": one["sheets"],
        "one_worker_s": one["seconds"],
        "two_workers_s": two["seconds"],
        "speedup": round(one["seconds"] / two["seconds"], 2),
        "worker_peak_mb": max(one["worker_peak_mb"], two["worker_peak_mb"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="zip jobs per worker count")
    parser.add_argument("--samples", type=int, default=20, help="cached requests timed")
    parser.add_argument("--skip-national", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="keep existing bench databases")
    args = parser.parse_args()

    media = tempfile.mkdtemp(prefix="kontum-bench-media-")
    figures: dict[str, object] = {}
    try:
        if not args.reuse:
            recreate_database(KONTUM_DB)
        prepared = _child("prepare-kontum", KONTUM_DB, media)
        print(f"Kon Tum: {prepared['communes']} communes (load_demo)", flush=True)

        report = _child("province", KONTUM_DB, media)
        print(
            f"  province report: {report['seconds']} s, {report['pages']} pages "
            f"({report['seconds_per_page']} s/page), peak {report['peak_mb']} MB "
            f"(Django alone {report['django_baseline_mb']} MB), {report['kib']} KiB",
            flush=True,
        )
        figures.update(
            province_s=report["seconds"],
            province_pages=report["pages"],
            province_s_per_page=report["seconds_per_page"],
            province_peak_mb=report["peak_mb"],
        )

        again = _child("cached", KONTUM_DB, media, str(args.samples))
        print(f"  same report again: median {again['median_ms']} ms, p95 {again['p95_ms']} ms")
        figures.update(cached_median_ms=again["median_ms"], cached_p95_ms=again["p95_ms"])

        zipped = bench_zip(KONTUM_DB, media, args.rounds)
        print(f"  two workers: {zipped['speedup']}x the throughput of one", flush=True)
        figures.update(
            zip_sheets=zipped["sheets"],
            zip_one_worker_s=zipped["one_worker_s"],
            zip_two_workers_s=zipped["two_workers_s"],
            zip_speedup=zipped["speedup"],
            zip_worker_peak_mb=zipped["worker_peak_mb"],
        )

        if not args.skip_national:
            if not args.reuse:
                recreate_database(NATIONAL_DB)
            made = _child("prepare-national", NATIONAL_DB, media)
            print(f"National: {made['communes']} communes ({made['generated']})", flush=True)
            annex = _child("national", NATIONAL_DB, media, "2")
            print(
                f"  commune annex, 2 workers: {annex['seconds']} s for {annex['pages']} pages "
                f"of {annex['communes']} communes in {annex['parts']} parts (render "
                f"{annex['render_seconds']} s, merge {annex['merge_seconds']} s); peak "
                f"{annex['worker_peak_mb']} MB per worker, {annex['merge_peak_mb']} MB merging; "
                f"{annex['mib']} MiB",
                flush=True,
            )
            figures.update(
                national_communes=annex["communes"],
                national_pages=annex["pages"],
                national_s=annex["seconds"],
                national_worker_peak_mb=annex["worker_peak_mb"],
                national_merge_peak_mb=annex["merge_peak_mb"],
            )
    finally:
        shutil.rmtree(media, ignore_errors=True)
    print(" ".join(f"{key}={value}" for key, value in figures.items()))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("--child-"):
        step = sys.argv[1].removeprefix("--child-")
        steps = {
            "prepare-kontum": prepare_kontum,
            "province": province,
            "cached": lambda: cached(int(sys.argv[2])),
            "zip": zip_job,
            "prepare-national": prepare_national,
            "national": lambda: national(int(sys.argv[2])),
        }
        print(json.dumps(steps[step]()))
    else:
        main()
