"""Import one year of commune statistics from an .xlsx file, as the import page does."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from indicators.imports import services
from indicators.imports.columns import BY_FIELD
from indicators.imports.preview import Preview, build_preview
from indicators.imports.problems import message
from indicators.imports.safety import check_upload
from indicators.models import ImportBatch


class Command(BaseCommand):
    help = "Import one year of commune statistics from an Excel (.xlsx) file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change; write nothing."
        )
        parser.add_argument(
            "--note", default="", help="Explanation required when figures do not add up."
        )

    def handle(self, *args: object, **options: object) -> None:
        path = options["file"]
        year = options["year"]
        assert isinstance(path, Path) and isinstance(year, int)
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        with path.open("rb") as stream:
            upload = File(stream, name=path.name)
            try:
                if options["dry_run"]:
                    services.ensure_year_open(year=year)
                    check_upload(upload, size=path.stat().st_size)
                    preview = build_preview(upload, year=year)
                    self._report(preview)
                    if preview.error_count:
                        raise CommandError(f"{preview.error_count} row(s) with errors")
                    self.stdout.write("Dry run: nothing was written.")
                    return
                batch = services.batch_create(upload=upload, year=year, by=None)
            except ValidationError as exc:
                raise CommandError(f"Refused: {exc.messages[0]}") from None
        batch = services.batch_preview(batch=batch)
        if batch.refusal:
            raise CommandError(
                f"Refused: {message(batch.refusal['code'], batch.refusal.get('params'))}"
            )
        self._report(batch)
        if batch.error_count:
            raise CommandError(f"{batch.error_count} row(s) with errors; nothing was written")
        try:
            batch = services.batch_confirm(
                batch=batch,
                by=None,
                token=batch.confirm_token,
                note=str(options["note"]),
                background=False,
            )
        except ValidationError as exc:
            raise CommandError(f"Refused: {exc.messages[0]}") from None
        self.stdout.write(self.style.SUCCESS(f"Applied as import #{batch.pk}."))

    def _report(self, result: Preview | ImportBatch) -> None:
        counts = (
            f"rows {result.total_rows}: new {result.new_count}, changed {result.changed_count}, "
            f"unchanged {result.unchanged_count}, with errors {result.error_count}, "
            f"skipped {result.skipped_count}, left blank {result.blank_count}"
        )
        self.stdout.write(counts)
        for item in result.errors:
            self.stdout.write(f"ERROR {self._where(item)}: {message(item['code'], item['params'])}")
        for item in result.warnings:
            text = message(item["code"], item["params"])
            self.stdout.write(f"WARNING {self._where(item)}: {text}")

    @staticmethod
    def _where(item: dict) -> str:
        parts = []
        if item.get("row"):
            parts.append(f"row {item['row']}")
        if item.get("column"):
            header = BY_FIELD[item["field"]].header if item.get("field") in BY_FIELD else ""
            parts.append(f"column {item['column']}" + (f" ({header})" if header else ""))
        return ", ".join(parts) or "file"
