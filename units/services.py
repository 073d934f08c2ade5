"""Workflows on units: loading the shipped reference data, and the idempotent upsert it uses."""

import csv
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Generic, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from units import access
from units.models import (
    FlagSource,
    Unit,
    UnitChange,
    UnitFlag,
    UnitFlagKind,
    UnitKind,
    UnitLevel,
    User,
)

M = TypeVar("M", bound=Model)
Row = dict[str, Any]
Key = tuple[Any, ...]
# Per model label ("units.unit"): how many rows were created, updated, left unchanged.
Counts = dict[str, dict[str, int]]

REFERENCE_DIR = Path(__file__).resolve().parent / "data"
UNITS_FILE = "kontum_units_2019.csv"
CHANGES_FILE = "kontum_unit_changes_2017_2020.csv"
P135_FILE = "kontum_p135_qd900_2017_2020_partial.csv"

PROVINCE_CODE = "62"

KIND_BY_CSV = {
    "tỉnh": UnitKind.PROVINCE,
    "thành phố": UnitKind.CITY,
    "huyện": UnitKind.DISTRICT,
    "xã": UnitKind.COMMUNE,
    "phường": UnitKind.WARD,
    "thị trấn": UnitKind.TOWNSHIP,
}
LEVEL_BY_CSV = {
    "province": UnitLevel.PROVINCE,
    "district": UnitLevel.DISTRICT,
    "commune": UnitLevel.COMMUNE,
}

# The only dated change of 2017–2020; the other rows of the changes file are spelling variants
# of one catalogue export, with no date and no legal act, so they are not changes of the unit.
MANG_DEN_CODE = "23473"
MANG_DEN_DECISION = (
    "Nghị quyết của Ủy ban Thường vụ Quốc hội thông qua ngày 16/07/2019 "
    "về việc thành lập thị trấn Măng Đen, huyện Kon Plông"
)

P135_VALID_FROM = date(2017, 6, 20)
P135_VALID_TO = date(2020, 12, 31)
P135_DECISION = "900/QĐ-TTg"
P135_KNOWN = 39
P135_TOTAL = 54
P135_NOTE = (
    "Danh sách xã thuộc Chương trình 135 trong cổng thông tin CHƯA ĐẦY ĐỦ: mới có 39/54 xã của "
    "tỉnh theo Quyết định 900/QĐ-TTg ngày 20/6/2017 (nguồn tóm tắt bị cắt sau xã thứ ba của "
    "huyện Sa Thầy). Một xã không có trong danh sách KHÔNG có nghĩa là xã đó không thuộc "
    "Chương trình 135."
)

# Provincial departments and agencies taking part (sở, ban, ngành). Codes are short slugs
# because these units have no statistics-office code; demo logins are named after them.
DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("snv", "Sở Nội vụ"),
    ("sldtbxh", "Sở Lao động – Thương binh và Xã hội"),
    ("skhdt", "Sở Kế hoạch và Đầu tư"),
    ("stc", "Sở Tài chính"),
    ("snnptnt", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("syt", "Sở Y tế"),
    ("sgddt", "Sở Giáo dục và Đào tạo"),
    ("svhttdl", "Sở Văn hóa, Thể thao và Du lịch"),
    ("stttt", "Sở Thông tin và Truyền thông"),
    ("bdt", "Ban Dân tộc tỉnh"),
)
MASS_ORGANISATIONS: tuple[tuple[str, str], ...] = (
    ("mttq", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"),
    ("hlhpn", "Hội Liên hiệp Phụ nữ tỉnh"),
    ("hnd", "Hội Nông dân tỉnh"),
    ("tinhdoan", "Tỉnh Đoàn (Đoàn Thanh niên Cộng sản Hồ Chí Minh tỉnh)"),
    ("hccb", "Hội Cựu chiến binh tỉnh"),
)


@dataclass
class Upserted(Generic[M]):
    """What `rows_upsert` did: every row's object by key, and what it had to write."""

    objects: dict[Key, M] = field(default_factory=dict)
    created: list[M] = field(default_factory=list)
    updated: int = 0
    unchanged: int = 0

    def counts(self) -> dict[str, int]:
        return {"created": len(self.created), "updated": self.updated, "unchanged": self.unchanged}


def counts_add(counts: Counts, label: str, done: Mapping[str, int]) -> Counts:
    """Add one step's created/updated/unchanged numbers to a running total, in place."""
    total = counts.setdefault(label, {"created": 0, "updated": 0, "unchanged": 0})
    for state, number in done.items():
        total[state] = total.get(state, 0) + number
    return counts


# Sent by `rows_upsert` once it has created or changed rows of `sender`, in its transaction.
rows_written = Signal()


@transaction.atomic
def rows_upsert(
    *,
    queryset: QuerySet[M],
    key: Sequence[str],
    rows: Iterable[Row],
    update_existing: bool = True,
    create_only: Collection[str] = (),
) -> Upserted[M]:
    """Create missing rows and update changed ones, writing nothing for rows already right.

    `queryset` holds the candidates (rows outside it count as missing), `key` names the fields
    (attnames, e.g. "unit_id") that identify a row. `create_only` fields are set on creation and
    then left to the people who own them; `update_existing=False` makes every field so.
    Unlike `update_or_create`, an unchanged row is not saved, so reruns touch nothing.
    """
    model = queryset.model
    # Locked so a concurrent run waits instead of creating the same rows twice; no ordering, so
    # no join drags related rows into the lock.
    existing = {
        tuple(getattr(obj, f) for f in key): obj for obj in queryset.order_by().select_for_update()
    }
    result: Upserted[M] = Upserted()
    to_update: list[M] = []
    changed_fields: set[str] = set()
    for row in rows:
        row_key = tuple(row[f] for f in key)
        if row_key in result.objects:
            raise ValueError(f"Duplicate key {row_key!r} for {model._meta.label}")
        obj = existing.get(row_key)
        if obj is None:
            obj = model(**row)
            result.created.append(obj)
        elif update_existing:
            changed = {
                name
                for name, value in row.items()
                if name not in key and name not in create_only and getattr(obj, name) != value
            }
            for name in changed:
                setattr(obj, name, row[name])
            if changed:
                to_update.append(obj)
                changed_fields |= changed
            else:
                result.unchanged += 1
        else:
            result.unchanged += 1
        result.objects[row_key] = obj
    if result.created:
        model._default_manager.bulk_create(result.created)
    if to_update:
        # bulk_update skips pre_save, so "last changed" stamps are set here.
        now = timezone.now()
        for model_field in model._meta.concrete_fields:
            if getattr(model_field, "auto_now", False):
                for obj in to_update:
                    setattr(obj, model_field.attname, now)
                changed_fields.add(model_field.attname)
        model._default_manager.bulk_update(to_update, sorted(changed_fields))
        result.updated = len(to_update)
    if result.created or to_update:
        # Bulk writes send no post_save: caches of these rows listen for this instead.
        rows_written.send(sender=model)
    return result


def _read_csv(*, directory: Path, name: str, columns: Collection[str]) -> list[dict[str, str]]:
    path = directory / name
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = set(columns) - set(reader.fieldnames or ())
            if missing:
                raise ValidationError(
                    _("The reference file %(file)s lacks the columns %(columns)s."),
                    code="reference_file_invalid",
                    params={"file": name, "columns": ", ".join(sorted(missing))},
                )
            return [{k: (v or "").strip() for k, v in row.items()} for row in reader]
    except FileNotFoundError:
        raise ValidationError(
            _("The reference file %(file)s is missing."),
            code="reference_file_missing",
            params={"file": str(path)},
        ) from None


def _refuse_level_conflicts(*, rows: Sequence[Row]) -> None:
    """A reference code already used by a unit of another level is a mistake, never a merge."""
    level_by_code = {row["code"]: row["level"] for row in rows}
    for unit in Unit.objects.filter(code__in=level_by_code).only("code", "level", "name"):
        if unit.level != level_by_code[unit.code]:
            raise ValidationError(
                _(
                    "The code %(code)s is already used by %(name)s, a unit of another level; "
                    "fix or rename that unit first."
                ),
                code="unit_level_conflict",
                params={"code": unit.code, "name": unit.name},
            )


def _administrative_rows(*, directory: Path) -> list[Row]:
    rows = []
    for line in _read_csv(
        directory=directory, name=UNITS_FILE, columns=("code", "name", "level", "kind")
    ):
        if line["kind"] not in KIND_BY_CSV or line["level"] not in LEVEL_BY_CSV:
            raise ValidationError(
                _("Unknown level or kind of unit %(code)s in %(file)s."),
                code="reference_file_invalid",
                params={"code": line["code"], "file": UNITS_FILE},
            )
        rows.append(
            {
                "code": line["code"],
                "name": line["name"],
                "level": LEVEL_BY_CSV[line["level"]],
                "kind": KIND_BY_CSV[line["kind"]],
                "parent_code": line["parent_code"],
                "is_demo": False,
            }
        )
    return rows


@transaction.atomic
def units_load_reference(*, directory: Path = REFERENCE_DIR) -> Counts:
    """Load Kon Tum's units, the Măng Đen change, the known Program 135 communes and agencies."""
    counts: Counts = {}
    rows = _administrative_rows(directory=directory)
    organisations: list[Row] = [
        {"code": code, "name": name, "kind": kind}
        for kind, listed in (
            (UnitKind.DEPARTMENT, DEPARTMENTS),
            (UnitKind.MASS_ORGANISATION, MASS_ORGANISATIONS),
        )
        for code, name in listed
    ]
    for row in organisations:
        row.update(level=UnitLevel.ORGANISATION, parent_code=PROVINCE_CODE, is_demo=False)
    rows += organisations
    _refuse_level_conflicts(rows=rows)

    # Parents before children: each level's upsert hands its ids to the next one.
    pk_by_code: dict[str, int] = {}
    for level in (
        UnitLevel.PROVINCE,
        UnitLevel.DISTRICT,
        UnitLevel.COMMUNE,
        UnitLevel.ORGANISATION,
    ):
        level_rows = []
        for row in rows:
            if row["level"] != level:
                continue
            parent_code = row["parent_code"]
            if parent_code and parent_code not in pk_by_code:
                raise ValidationError(
                    _("The parent %(parent)s of unit %(code)s is not in the reference data."),
                    code="reference_file_invalid",
                    params={"parent": parent_code, "code": row["code"]},
                )
            level_rows.append(
                {
                    **{k: v for k, v in row.items() if k != "parent_code"},
                    "parent_id": pk_by_code[parent_code] if parent_code else None,
                }
            )
        done = rows_upsert(
            queryset=Unit.objects.filter(code__in=[r["code"] for r in level_rows]),
            key=("code",),
            rows=level_rows,
        )
        pk_by_code.update({code: obj.pk for (code,), obj in done.objects.items()})
        counts_add(counts, Unit._meta.label_lower, done.counts())

    counts_add(counts, UnitChange._meta.label_lower, _load_changes(directory, pk_by_code))
    counts_add(counts, UnitFlag._meta.label_lower, _load_p135(directory, pk_by_code))
    return counts


def _load_changes(directory: Path, pk_by_code: Mapping[str, int]) -> dict[str, int]:
    lines = _read_csv(
        directory=directory,
        name=CHANGES_FILE,
        columns=("code", "name_before", "kind_before", "name_after", "kind_after", "date"),
    )
    rows = []
    for line in lines:
        if line["code"] != MANG_DEN_CODE:
            continue
        rows.append(
            {
                "unit_id": pk_by_code[line["code"]],
                "effective_on": date.fromisoformat(line["date"]),
                "name_before": line["name_before"],
                "kind_before": KIND_BY_CSV[line["kind_before"]],
                "name_after": line["name_after"],
                "kind_after": KIND_BY_CSV[line["kind_after"]],
                "decision": MANG_DEN_DECISION,
                "note": line["date_note"],
            }
        )
    if len(rows) != 1:
        raise ValidationError(
            _("The change of unit %(code)s is missing from %(file)s."),
            code="reference_file_invalid",
            params={"code": MANG_DEN_CODE, "file": CHANGES_FILE},
        )
    done = rows_upsert(
        queryset=UnitChange.objects.filter(unit_id__in=[r["unit_id"] for r in rows]),
        key=("unit_id", "effective_on"),
        rows=rows,
    )
    return done.counts()


def _load_p135(directory: Path, pk_by_code: Mapping[str, int]) -> dict[str, int]:
    lines = _read_csv(
        directory=directory,
        name=P135_FILE,
        columns=("code", "name_in_source", "district_in_source"),
    )
    rows = []
    for line in lines:
        if line["code"] not in pk_by_code:
            raise ValidationError(
                _("The Program 135 commune %(code)s is not a known unit."),
                code="reference_file_invalid",
                params={"code": line["code"]},
            )
        rows.append(
            {
                "unit_id": pk_by_code[line["code"]],
                "flag": UnitFlagKind.ESPECIALLY_DIFFICULT,
                "valid_from": P135_VALID_FROM,
                "valid_to": P135_VALID_TO,
                "decision": P135_DECISION,
                "note": f"{P135_NOTE} Tên trong nguồn: {line['name_in_source']} "
                f"({line['district_in_source']}).",
            }
        )
    done = rows_upsert(
        queryset=UnitFlag.objects.filter(
            flag=UnitFlagKind.ESPECIALLY_DIFFICULT, valid_from=P135_VALID_FROM
        ),
        key=("unit_id", "flag", "valid_from"),
        rows=rows,
    )
    return done.counts()


# --- Flags the Board completes -------------------------------------------------------------------


@transaction.atomic
def unit_flag_add(
    *,
    unit: Unit,
    flag: str,
    valid_from: date,
    valid_to: date | None,
    decision: str,
    note: str = "",
    by: User,
) -> UnitFlag:
    """The Board completes an incomplete official list: the commune, the flag, its dates and the
    deciding document; who and when are kept on the flag."""
    if not access.is_board(by):
        raise PermissionDenied
    decision = decision.strip()
    if not decision:
        raise ValidationError(
            {"decision": ValidationError(_("Name the deciding document."), code="needs_decision")}
        )
    if unit.level != UnitLevel.COMMUNE:
        raise ValidationError(
            {"unit": ValidationError(_("Only a commune carries this flag."), code="not_commune")}
        )
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError(
            {
                "valid_to": ValidationError(
                    _("The end date cannot be before the start date."),
                    code="valid_to_after_from",
                )
            }
        )
    overlapping = UnitFlag.objects.select_for_update().filter(unit=unit, flag=flag)
    overlapping = overlapping.filter(valid_from__lte=valid_to) if valid_to else overlapping
    overlapping = overlapping.exclude(valid_to__lt=valid_from)
    if overlapping.exists():
        raise ValidationError(
            _("%(unit)s already carries this flag for part of these dates."),
            code="flag_overlaps",
            params={"unit": unit.name},
        )
    return UnitFlag.objects.create(
        unit=unit,
        flag=flag,
        valid_from=valid_from,
        valid_to=valid_to,
        decision=decision,
        note=note.strip(),
        source=FlagSource.BOARD,
        added_by=by,
        added_at=timezone.now(),
    )


@transaction.atomic
def unit_flag_remove(*, flag: UnitFlag, by: User) -> None:
    """Take back a flag the Board added by mistake; the official lists' flags stay."""
    if not access.is_board(by):
        raise PermissionDenied
    if flag.source != FlagSource.BOARD:
        raise ValidationError(
            _("Only flags the Board added can be removed here."), code="official_flag"
        )
    flag.delete()
