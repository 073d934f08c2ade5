"""The fingerprint of a report's inputs: same kind, parameters, data and templates, same file.

The data part reads every table the reports draw from in one query. On PostgreSQL every insert
or update writes a new row version, with the writing transaction as its `xmin` and a new place
(`ctid`), and a delete lowers the count; so `count`, `sum(xmin)` and a sum of hashed `ctid`s per
table move with any write, bulk imports and admin edits included, at the cost of one scan of each
table. (A VACUUM FULL moves rows too: that only costs one needless render.) Elsewhere (the SQLite
demo) the rows are hashed whole.
"""

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection

# Tables no report reads: import uploads, users (every log-in writes last_login), the jobs
# themselves, API tokens (every call writes last_used_at), and the notices and reminders
# (finishing a report writes one: it must not make the next one new). The Board's texts,
# approvals and signers (reports' other tables) are inputs.
_IGNORED = {
    "indicators.importbatch",
    "units.user",
    "reports.reportjob",
    "reports.apitoken",
    "units.notification",
    "units.emailoptout",
    "units.remindersent",
}
_INPUT_APPS = ("units", "campaigns", "indicators", "reports")


def _input_tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for app in _INPUT_APPS
        for model in apps.get_app_config(app).get_models()
        if model._meta.label_lower not in _IGNORED
    )


def data_key() -> str:
    """A string that changes whenever any row a report could show changes."""
    tables = _input_tables()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            select = (
                "SELECT {}, count(*), coalesce(sum(xmin::text::bigint), 0),"
                " coalesce(sum(hashtext(ctid::text)), 0) FROM {}"
            )
            sql = " UNION ALL ".join(select.format(i, quote(t)) for i, t in enumerate(tables))
            cursor.execute(sql)
            rows = sorted(cursor.fetchall())
        else:
            rows = []
            for table in tables:
                cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY 1")  # noqa: S608 (model names)
                rows.append(hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest())
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@lru_cache(maxsize=1)
def code_key() -> str:
    """Changes with the report templates, stylesheet and document code (read once per process)."""
    base = Path(settings.BASE_DIR)
    files = sorted(
        [
            *(base / "templates" / "reports" / "pdf").glob("*.html"),
            base / "static" / "reports" / "pdf.css",
            *(base / "reports" / "documents").glob("*.py"),
            base / "reports" / "pdf" / "render.py",
            base / "reports" / "charts.py",
        ]
    )
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def report_fingerprint(*, kind: str, params: dict[str, Any]) -> str:
    """SHA-256 of everything a report is made from."""
    raw = json.dumps([kind, params, data_key(), code_key()], sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()
