"""Speed of the commune-statistics import at national scale, on PostgreSQL.

Generates 10,600 communes (made-up codes under 63 provinces and 700 districts) and a workbook
with one row each, then times, in one run:

- floor: reading the file with openpyxl (read-only, values only);
- this portal's import: preview + confirm of the new file, then of the unchanged file again;
- django-import-export's default row-by-row import of the same file (its dry run, which the
  admin shows as a preview, then the real import), new and unchanged.

Run: `python bench/import_commune_stats.py` (DATABASE_URL must name a throw-away PostgreSQL
database whose name contains "bench"; it is dropped and created again). The last line holds
key=value pairs.
"""

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kontum_poverty.settings_test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kontum_bench_import")

PROVINCES = 63
DISTRICTS = 700
COMMUNES = 10_600
YEAR = 2019


def _recreate_database() -> None:
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    name = config["NAME"]
    if "bench" not in name or "postgres" not in config["ENGINE"]:
        sys.exit("DATABASE_URL must name a PostgreSQL database whose name contains 'bench'.")
    connection = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"] or None,
        host=config["HOST"],
        port=config["PORT"] or 5432,
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def _setup() -> None:
    import django
    from django.core.management import call_command

    _recreate_database()
    django.setup()
    call_command("migrate", verbosity=0)


def make_units() -> list[str]:
    """Districts and communes with made-up codes; returns the commune codes.

    The unit tree has a single province at its root, so the 63 provinces live in the district
    codes (P05-D123): the import matches communes by code and never looks at provinces.
    """
    from units.models import Unit, UnitKind, UnitLevel

    root = Unit.objects.create(
        code="P00", name="Tỉnh Thử", level=UnitLevel.PROVINCE, kind=UnitKind.PROVINCE
    )
    districts = Unit.objects.bulk_create(
        Unit(
            code=f"P{d % PROVINCES:02d}-D{d:03d}",
            name=f"Huyện Thử {d}",
            level=UnitLevel.DISTRICT,
            kind=UnitKind.DISTRICT,
            parent=root,
        )
        for d in range(DISTRICTS)
    )
    codes = [f"{10000 + c}" for c in range(COMMUNES)]
    Unit.objects.bulk_create(
        (
            Unit(
                code=code,
                name=f"Xã Thử {c}",
                level=UnitLevel.COMMUNE,
                kind=UnitKind.COMMUNE,
                parent=districts[c % DISTRICTS],
            )
            for c, code in enumerate(codes)
        ),
        batch_size=2_000,
    )
    return codes


def make_file(codes: list[str], path: Path) -> None:
    """A template-layout workbook; yes/no as 1/0 so the library's default widgets read them.

    Written in openpyxl's normal mode, which like Excel records the sheet's <dimension> and
    shares strings; its write-only mode leaves the dimension out, which makes openpyxl's own
    read-only reader parse the sheet twice and would flatter this import against the floor.
    """
    from openpyxl import Workbook

    from indicators.imports.columns import COLUMNS

    rng = random.Random(2019)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "So lieu"
    sheet.append([column.header for column in COLUMNS])
    for c, code in enumerate(codes):
        total = rng.randint(300, 3000)
        poor = rng.randint(0, total // 3)
        sheet.append(
            [
                code,
                f"Huyện Thử {c % DISTRICTS}",
                f"Xã Thử {c}",
                total,
                rng.randint(0, total),
                poor,
                rng.randint(0, total // 4),
                rng.randint(0, 80),
                rng.randint(0, 20),
                rng.randint(0, 5),
                rng.randint(0, 1),
                rng.randint(0, 1),
                rng.randint(0, 1),
                rng.randint(0, 1),
                # The library's TextField widget turns an empty cell into NULL, which the
                # NOT NULL note column refuses: every row carries a note.
                f"Báo cáo năm {YEAR}",
                "Phòng LĐ-TB&XH",
            ]
        )
    workbook.save(path)


def library_resource():
    """django-import-export with its defaults: a ModelResource naming the key and the fields."""
    from import_export import fields, resources, widgets

    from indicators.imports.columns import STORED_FIELDS
    from indicators.models import CommuneStatistics
    from units.models import Unit

    class DefaultCommuneStatisticsResource(resources.ModelResource):
        commune = fields.Field(
            attribute="commune",
            column_name="commune",
            widget=widgets.ForeignKeyWidget(Unit, "code"),
        )

        class Meta:
            model = CommuneStatistics
            import_id_fields = ("commune", "year")
            fields = ("commune", "year", *STORED_FIELDS)

    return DefaultCommuneStatisticsResource()


def library_dataset(path: Path):
    """The file as the library's admin reads it, headers renamed to the model's field names."""
    import tablib

    from indicators.imports.columns import field_for_header

    with path.open("rb") as stream:
        dataset = tablib.Dataset().load(stream, format="xlsx")
    dataset.headers = [
        "commune" if field_for_header(h) == "code" else field_for_header(h) or h
        for h in dataset.headers
    ]
    dataset.append_col([YEAR] * len(dataset), header="year")
    return dataset


def run_library(path: Path) -> tuple[float, float]:
    """Seconds for the library's dry run (its preview) and its real import."""
    resource_ = library_resource()
    started = time.perf_counter()
    result = resource_.import_data(library_dataset(path), dry_run=True)
    preview = time.perf_counter() - started
    assert not result.has_errors() and not result.has_validation_errors(), "library dry run"
    started = time.perf_counter()
    result = resource_.import_data(library_dataset(path), dry_run=False)
    confirm = time.perf_counter() - started
    assert not result.has_errors() and not result.has_validation_errors(), "library import"
    return preview, confirm


def run_portal(path: Path, user) -> tuple[float, float, object]:
    from django.core.files import File

    from indicators.imports import services

    with path.open("rb") as stream:
        started = time.perf_counter()
        batch = services.batch_create(upload=File(stream, name=path.name), year=YEAR, by=user)
        batch = services.batch_preview(batch=batch)
        preview = time.perf_counter() - started
    assert batch.error_count == 0 and not batch.refusal, batch.refusal or batch.errors[:3]
    started = time.perf_counter()
    batch = services.batch_confirm(batch=batch, by=user, token=batch.confirm_token)
    confirm = time.perf_counter() - started
    return preview, confirm, batch


def floor_seconds(path: Path) -> float:
    from openpyxl import load_workbook

    started = time.perf_counter()
    workbook = load_workbook(path, read_only=True, data_only=True)
    count = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    assert count == COMMUNES + 1
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of floor and portal runs (median kept)"
    )
    args = parser.parse_args()
    _setup()
    from indicators.imports import services
    from indicators.models import CommuneStatistics, ImportBatch
    from units.models import Role, User

    # Inline on purpose: the benchmark times the work, not a Celery round trip.
    services.ASYNC_MIN_BYTES = 1 << 62
    user = User.objects.create(username="bench-admin", role=Role.ADMIN, is_staff=True)
    codes = make_units()
    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    path = workdir / "communes.xlsx"
    make_file(codes, path)
    rows = COMMUNES
    print(f"file={path} bytes={path.stat().st_size} rows={rows} rounds={args.rounds}")

    # The machine is shared: floor and portal runs alternate, and each ratio is taken within
    # one round before the median over rounds is kept.
    floors, news, agains, new_parts, again_parts = [], [], [], [], []
    for _ in range(args.rounds):
        CommuneStatistics.objects.all().delete()
        ImportBatch.objects.all().delete()
        floors.append(floor_seconds(path))
        preview, confirm, batch = run_portal(path, user)
        assert batch.new_count == rows and CommuneStatistics.objects.count() == rows
        news.append(preview + confirm)
        new_parts.append((preview, confirm))
        preview, confirm, again = run_portal(path, user)
        assert again.unchanged_count == rows
        agains.append(preview + confirm)
        again_parts.append((preview, confirm))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    CommuneStatistics.objects.all().delete()
    lib_preview, lib_confirm = run_library(path)
    assert CommuneStatistics.objects.count() == rows
    lib_again_preview, lib_again_confirm = run_library(path)

    def rate(seconds: float) -> float:
        return rows / seconds

    floor = statistics.median(floors)
    new = statistics.median(news)
    again_seconds = statistics.median(agains)
    x_floor = statistics.median(f / n for f, n in zip(floors, news, strict=True))
    portal_new, portal_again = rate(new), rate(again_seconds)
    library_new = rate(lib_preview + lib_confirm)
    library_new_one_pass = rate(lib_confirm)
    library_again = rate(lib_again_preview + lib_again_confirm)
    floor_rate = rate(floor)
    print(f"floor (openpyxl read)        {floor_rate:10,.0f} rows/s  {floor:6.2f} s  {floors}")
    for label, total, parts in (
        ("portal new: preview+confirm ", portal_new, new_parts),
        ("portal unchanged re-import  ", portal_again, again_parts),
    ):
        shown = ", ".join(f"{p:.2f}+{c:.2f}" for p, c in parts)
        print(f"{label} {total:10,.0f} rows/s  rounds (preview+confirm s): {shown}")
    print(
        f"library new: dry run+import  {library_new:10,.0f} rows/s  "
        f"{lib_preview:6.2f} s + {lib_confirm:5.2f} s"
    )
    print(
        f"library unchanged re-import  {library_again:10,.0f} rows/s  "
        f"{lib_again_preview:6.2f} s + {lib_again_confirm:5.2f} s"
    )
    print(f"peak memory (process RSS during the portal's imports) {peak_mb:.0f} MB")
    figures = {
        "rows": rows,
        "floor_rows_s": round(floor_rate),
        "portal_rows_s": round(portal_new),
        "portal_reimport_rows_s": round(portal_again),
        "library_rows_s": round(library_new),
        "library_one_pass_rows_s": round(library_new_one_pass),
        "library_reimport_rows_s": round(library_again),
        "x_library": round(portal_new / library_new, 1),
        "x_library_one_pass": round(portal_new / library_new_one_pass, 1),
        "x_floor": round(x_floor, 2),
        "x_library_reimport": round(portal_again / library_again, 1),
        "peak_mb": round(peak_mb),
    }
    print(" ".join(f"{key}={value}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
