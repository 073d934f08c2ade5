"""Render a PDF report in this process, without a worker or a job row.

python manage.py render_report province --year 2019 --out bao-cao-2019.pdf
python manage.py render_report unit --year 2019 --unit 610 --out phieu-610.pdf
python manage.py render_report awards --year 2019 --out to-trinh-khen-thuong-2019.pdf
python manage.py render_report interim --year 2019 --out so-ket-2019.pdf
python manage.py render_report final --year 2020 --out tong-ket-2020.pdf
"""

import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from reports import documents
from reports.models import ReportKind
from reports.pdf import render_with_annex

KINDS = [
    ReportKind.PROVINCE,
    ReportKind.UNIT_SHEET,
    ReportKind.AWARDS,
    ReportKind.INTERIM,
    ReportKind.FINAL,
]


class Command(BaseCommand):
    help = (
        "Render the province report, a unit's evaluation notice, the award proposal letter, or "
        "the mid-term or final review to a PDF."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=[str(k) for k in KINDS])
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--unit", default="", help="unit code, for a unit's sheet")
        parser.add_argument("--out", type=Path, required=True, help="the PDF file to write")
        parser.add_argument("--date", default="", help="date printed on it (YYYY-MM-DD; today)")
        parser.add_argument("--lang", default="vi", choices=["vi", "en"])

    def handle(self, *args, kind, year, unit, out, date, lang, **options):
        if kind == ReportKind.UNIT_SHEET and not unit:
            raise CommandError("render_report unit needs --unit CODE")
        params = {"year": year, "unit": unit, "date": date or timezone.localdate().isoformat()}
        started = time.perf_counter()
        with translation.override(lang):
            try:
                doc = documents.document_for(kind=kind, params=params)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            pdf = render_with_annex(doc.main_html(), doc.annex())
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(pdf.content)
        seconds = time.perf_counter() - started
        size = len(pdf.content) // 1024
        self.stdout.write(f"{out}: {pdf.pages} pages, {size} KiB, {seconds:.1f} s")
