"""Reading a file into a preview: the fast path behind the import page and the command.

One query for the communes, one for the year's stored figures, one for last year's poor
households; every row goes through the shared row rules.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from openpyxl.utils import get_column_letter

from indicators.imports import communes as communes_mod
from indicators.imports.apply import fingerprint, stored_rows
from indicators.imports.columns import (
    BY_FIELD,
    DEPRIVATION_COLUMN_FIELDS,
    REQUIRED_FIELDS,
    STORED_FIELDS,
)
from indicators.imports.encodings import TCVN3, legacy_encoding, rows_from_tcvn3
from indicators.imports.layout import HEADER_SEARCH_ROWS, Layout, find_layout, is_index_row
from indicators.imports.problems import problem, refusal
from indicators.imports.reader import open_sheets
from indicators.imports.safety import MAX_ROWS
from indicators.imports.validation import CellProblem, check_totals, row_cleaner
from indicators.models import CommuneStatistics

PROGRESS_EVERY = 1_000
_NUMERIC_TEXT = re.compile(r"^\s*[-+]?[\d.,\s]*\d[\d.,\s]*$")
# "Last year's poor − escaped + newly poor + fell back" may miss this year's figure by this
# share (or by one household) before the file is flagged for a note.
BALANCE_TOLERANCE = 0.02
ERASED_ROWS_SHOWN = 20
ProgressCallback = Callable[[int, int | None], None]


@dataclass
class Preview:
    year: int
    columns: list[str] = field(default_factory=list)
    # [commune id, row number, value per column] for every new or changed row.
    rows: list[list] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)
    total_rows: int = 0
    new_count: int = 0
    changed_count: int = 0
    unchanged_count: int = 0
    error_count: int = 0
    skipped_count: int = 0
    # Commune rows with every figure cell blank: a template row nobody filled in.
    blank_count: int = 0
    needs_note: bool = False
    fingerprint: str = ""


@dataclass
class _Row:
    number: int
    commune: communes_mod.Commune
    values: dict[str, Any]


def build_preview(
    stream: IO[bytes],
    *,
    year: int,
    on_progress: ProgressCallback | None = None,
    district_id: int | None = None,
) -> Preview:
    """Read and check a workbook against the stored figures; raises a refusal for the file.

    With `district_id` (a district officer's upload) a row of a commune outside that district
    is an error, so confirming can only write the district's own communes."""
    layout, rows, declared, converted = _locate_table(stream)
    preview = Preview(year=year)
    if converted:
        preview.warnings.append(problem("converted_from_tcvn3", encoding=TCVN3[0]))
    preview.columns = [name for name in STORED_FIELDS if name in layout.columns]
    absent = {name for name in STORED_FIELDS if name not in layout.columns}
    if absent >= set(DEPRIVATION_COLUMN_FIELDS):
        # Most files predate the deprivation columns: one line for the twenty, not twenty.
        preview.warnings.append(problem("deprivations_absent"))
        absent -= set(DEPRIVATION_COLUMN_FIELDS)
    for name in STORED_FIELDS:
        if name in absent and name not in ("note", "source"):
            preview.warnings.append(
                problem("column_absent", params={"column": BY_FIELD[name].header})
            )
    parsed = _parse_rows(
        layout,
        rows,
        preview,
        declared=declared,
        on_progress=on_progress,
        only_district=district_id,
    )
    if preview.total_rows == 0 and preview.blank_count:
        raise refusal("all_blank", count=preview.blank_count)
    if preview.total_rows == 0 or (not parsed and not preview.errors):
        raise refusal("no_rows")
    _compare(preview, parsed, {name: layout.letter(name) for name in layout.columns})
    return preview


def _locate_table(stream: IO[bytes]) -> tuple[Layout, Any, int | None, bool]:
    """The sheet's header layout, its rows after the header, their declared count, and whether
    the text was converted from TCVN3."""
    for sheet in open_sheets(stream):
        if sheet.declared_rows and sheet.declared_rows > MAX_ROWS + HEADER_SEARCH_ROWS:
            # Refused before reading: titles and a header never take that many rows.
            raise refusal("too_many_rows", limit=MAX_ROWS)
        head: list[tuple[int, list]] = []
        for item in sheet.rows:
            head.append(item)
            if len(head) >= HEADER_SEARCH_ROWS:
                break
        legacy = legacy_encoding(head)
        rest = sheet.rows
        if legacy == TCVN3:
            head = list(rows_from_tcvn3(head))
            rest = rows_from_tcvn3(rest)
        elif legacy is not None:
            encoding, fonts = legacy
            raise refusal("legacy_encoding", encoding=encoding, fonts=fonts)
        layout = find_layout(head)
        if layout is None:
            continue
        if layout.duplicates:
            name, first, second = layout.duplicates[0]
            raise refusal(
                "duplicate_column",
                column=BY_FIELD[name].header,
                first=_letter(first),
                second=_letter(second),
            )
        missing = [name for name in REQUIRED_FIELDS if name not in layout.columns]
        if missing:
            raise refusal("missing_column", column=BY_FIELD[missing[0]].header)
        body = [item for item in head if item[0] > layout.header_row]
        return layout, _chain(body, rest), sheet.declared_rows, legacy == TCVN3
    raise refusal("no_header")


def _chain(first: list, rest: Any) -> Any:
    yield from first
    yield from rest


def _letter(index: int) -> str:
    return get_column_letter(index + 1)


def _parse_rows(
    layout: Layout,
    rows: Any,
    preview: Preview,
    *,
    declared: int | None,
    on_progress: ProgressCallback | None,
    only_district: int | None = None,
) -> list[_Row]:
    index = communes_mod.commune_index()
    columns = layout.columns
    fields = [(name, columns[name]) for name in preview.columns]
    letters = {name: layout.letter(name) for name in columns}
    # Totals are checked later, against the figures as they will be stored.
    clean_row = row_cleaner(preview.columns, with_totals=False)
    figure_fields = [name for name in preview.columns if name not in ("note", "source")]
    code_at = columns.get("code")
    name_at = columns.get("name")
    district_at = columns.get("district")
    seen: dict[int, int] = {}
    parsed: list[_Row] = []
    district_id: int | None = None
    after_header = 0
    for number, values in rows:
        after_header += 1
        if after_header > MAX_ROWS:
            raise refusal("too_many_rows", limit=MAX_ROWS)
        if on_progress is not None and after_header % PROGRESS_EVERY == 0:
            on_progress(number, declared)
        if after_header <= 3 and is_index_row(values):
            preview.skipped_count += 1
            continue
        width = len(values)
        raw = {name: values[at] if at < width else None for name, at in fields}
        code = (
            communes_mod.normalise_code(values[code_at])
            if code_at is not None and code_at < width
            else ""
        )
        name = values[name_at] if name_at is not None and name_at < width else None
        name = str(name).strip() if name is not None else ""
        if not code and not name:
            if _has_figures(raw):
                preview.total_rows += 1
                preview.errors.append(problem("no_commune", row=number))
                preview.error_count += 1
            else:
                preview.skipped_count += 1
            continue
        if not code and any(communes_mod.is_group_number(v) for v in values[: name_at or 0]):
            # "I", "II" … in the numbering column: a district's subtotal, whatever its name.
            named = index.districts_named(name)
            district_id = named[0] if len(named) == 1 else district_id
            preview.skipped_count += 1
            continue
        if not code and district_at is not None and district_at < width and values[district_at]:
            # Only name matching needs the district; codes are unique across the country.
            named = index.districts_named(str(values[district_at]))
            district_id = named[0] if len(named) == 1 else district_id
        commune, outcome = _identify(index, code, name, district_id)
        if commune is None:
            kind, payload = outcome
            if kind == "district":
                district_id = payload
                preview.skipped_count += 1
                continue
            if kind == "skip" or (kind == "unknown_name" and not _has_figures(raw)):
                preview.skipped_count += 1
                continue
            preview.total_rows += 1
            at = "code" if kind == "unknown_code" else "name"
            preview.errors.append(
                problem(kind, row=number, column=letters.get(at, ""), field=at, **payload)
            )
            preview.error_count += 1
            continue
        if only_district is not None and commune.district_id != only_district:
            preview.total_rows += 1
            preview.errors.append(
                problem(
                    "outside_district",
                    row=number,
                    column=letters.get("code", ""),
                    field="code",
                    commune=f"{commune.code} {commune.name}",
                )
            )
            preview.error_count += 1
            continue
        if all(_is_blank(raw[name]) for name in figure_fields):
            # Blank is not data: a template row nobody filled in is neither new nor stored.
            preview.blank_count += 1
            continue
        preview.total_rows += 1
        if outcome[0] == "by_name":
            preview.warnings.append(
                problem(
                    "matched_by_name",
                    row=number,
                    column=letters.get("name", ""),
                    commune=commune.name,
                    code=commune.code,
                )
            )
        cleaned, problems = clean_row(raw)
        first_row = seen.get(commune.id)
        if first_row is not None:
            problems.append(
                (
                    "code" if code else "name",
                    CellProblem(
                        "duplicate_commune",
                        commune=f"{commune.code} {commune.name}",
                        first_row=first_row,
                    ),
                )
            )
        else:
            seen[commune.id] = number
        if problems:
            _row_errors(preview, number, problems, letters)
            continue
        parsed.append(_Row(number, commune, cleaned))
    return parsed


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _has_figures(raw: dict[str, object]) -> bool:
    return any(_looks_numeric(value) for value in raw.values())


def _looks_numeric(value: object) -> bool:
    """Whether a cell could hold a figure (signature lines and footnotes do not)."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int | float):
        return True
    return isinstance(value, str) and bool(_NUMERIC_TEXT.match(value))


def _identify(
    index: communes_mod.CommuneIndex, code: str, name: str, district_id: int | None
) -> tuple[communes_mod.Commune | None, tuple[str, Any]]:
    if code:
        commune = index.commune_for_code(code)
        if commune is not None:
            return commune, ("by_code", None)
        district = index.district_for_code(code)
        if district is not None:
            return None, ("district", district)
        if name and (communes_mod.is_total_label(name) or communes_mod.is_district_label(name)):
            return None, _district_or_skip(index, name)
        return None, ("unknown_code", {"code": code})
    if communes_mod.is_district_label(name):
        return None, _district_or_skip(index, name)
    candidates = index.communes_named(name, district_id)
    if len(candidates) == 1:
        return candidates[0], ("by_name", None)
    if len(candidates) > 1:
        return None, ("ambiguous_name", {"name": name})
    if index.districts_named(name) or communes_mod.is_total_label(name):
        return None, _district_or_skip(index, name)
    return None, ("unknown_name", {"name": name})


def _district_or_skip(index: communes_mod.CommuneIndex, name: str) -> tuple[str, Any]:
    named = index.districts_named(name)
    if len(named) == 1:
        return "district", named[0]
    return "skip", None


def _row_errors(
    preview: Preview, number: int, problems: list[tuple[str, CellProblem]], letters: dict
) -> None:
    preview.error_count += 1
    for field_name, exc in problems:
        preview.errors.append(
            problem(
                exc.code,
                row=number,
                column=letters.get(field_name, ""),
                field=field_name,
                **exc.params,
            )
        )


def _compare(preview: Preview, parsed: list[_Row], letters: dict[str, str]) -> None:
    columns = preview.columns
    current = stored_rows(year=preview.year)
    # The figures this preview was compared against; a confirmation must find them unchanged.
    preview.fingerprint = fingerprint(current)
    stored = {row[0]: row[1:] for row in current}
    last_year = dict(
        CommuneStatistics.objects.filter(year=preview.year - 1).values_list(
            "commune_id", "poor_households"
        )
    )
    positions = {name: STORED_FIELDS.index(name) for name in STORED_FIELDS}
    erased_rows: list[int] = []
    erased = 0
    kept_fields = frozenset(STORED_FIELDS) - set(columns)
    for row in parsed:
        old = stored.get(row.commune.id)
        # The row as it will be stored: the file's columns, and the stored figures the file
        # has no column for. Rules apply to that, not to the file alone.
        merged = {name: old[positions[name]] for name in STORED_FIELDS} if old else {}
        merged.update(row.values)
        broken = check_totals(merged, kept=kept_fields if old else frozenset())
        if broken:
            _row_errors(preview, row.number, broken, letters)
            continue
        new_values = [row.values[name] for name in columns]
        entry = {"row": row.number, "code": row.commune.code, "name": row.commune.name}
        if old is None:
            preview.new_count += 1
            preview.rows.append([row.commune.id, row.number, *new_values])
            preview.changes.append({**entry, "new": True})
        else:
            diffs = [
                [name, old[positions[name]], value]
                for name, value in zip(columns, new_values, strict=True)
                if old[positions[name]] != value
            ]
            # A blank cell is "not reported": over a stored figure it erases that figure.
            blanks = sum(1 for _name, was, now in diffs if now in (None, "") and was != "")
            if blanks:
                erased += blanks
                erased_rows.append(row.number)
            if diffs:
                preview.changed_count += 1
                preview.rows.append([row.commune.id, row.number, *new_values])
                preview.changes.append({**entry, "diffs": diffs})
            else:
                preview.unchanged_count += 1
        _check_balance(preview, row, merged, last_year.get(row.commune.id))
    if erased:
        shown = ", ".join(str(number) for number in erased_rows[:ERASED_ROWS_SHOWN])
        if len(erased_rows) > ERASED_ROWS_SHOWN:
            shown += ", …"
        # First among the warnings: easy to miss in a long table of changes.
        preview.warnings.insert(0, problem("blank_erases", count=erased, rows=shown))


def _check_balance(preview: Preview, row: _Row, values: dict[str, Any], last: int | None) -> None:
    escaped, newly, fell = (
        values.get(name) for name in ("escaped_poverty", "newly_poor", "fell_back")
    )
    actual = values.get("poor_households")
    if last is None or actual is None or escaped is None or newly is None or fell is None:
        return
    expected = last - escaped + newly + fell
    if abs(expected - actual) > max(1, round(BALANCE_TOLERANCE * max(expected, actual))):
        preview.needs_note = True
        preview.warnings.append(
            problem(
                "balance",
                row=row.number,
                column="",
                commune=row.commune.name,
                last=last,
                escaped=escaped,
                newly=newly,
                fell=fell,
                expected=expected,
                actual=actual,
            )
        )
