"""The columns of a commune-statistics file: template headers and the names people really use.

Template headers are a file format, not interface text, so they stay Vietnamese literals here.
Aliases are compared after `fold()`, so accents, case and punctuation do not matter.
"""

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    CODE = "code"
    TEXT = "text"
    COUNT = "count"
    FLAG = "flag"


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # Vietnamese template header
    english: str
    kind: Kind
    aliases: tuple[str, ...] = ()
    # Stored on CommuneStatistics; the others only identify the row.
    stored: bool = True


COLUMNS: tuple[Column, ...] = (
    Column("code", "Mã xã", "Commune code", Kind.CODE, ("ma", "ma dvhc", "ma don vi"), False),
    Column("district", "Huyện/thành phố", "District", Kind.TEXT, ("huyen", "huyen tp"), False),
    Column(
        "name",
        "Tên xã",
        "Commune",
        Kind.TEXT,
        ("ten don vi", "don vi", "xa phuong thi tran", "ten xa phuong thi tran", "commune name"),
        False,
    ),
    Column(
        "total_households",
        "Tổng số hộ",
        "Households",
        Kind.COUNT,
        ("tong so ho dan cu", "so ho dan cu", "tong so ho dan", "total households"),
    ),
    Column(
        "ethnic_minority_households",
        "Số hộ đồng bào DTTS",
        "Ethnic-minority households",
        Kind.COUNT,
        (
            "so ho dtts",
            "ho dtts",
            "ho dong bao dtts",
            "ho dong bao dan toc thieu so",
            "tong so ho dtts",
        ),
    ),
    Column(
        "poor_households",
        "Số hộ nghèo",
        "Poor households",
        Kind.COUNT,
        (
            "ho ngheo",
            "ho ngheo so ho",
            "tong so ho ngheo",
            "so ho ngheo cuoi nam",
            "ho ngheo cuoi nam",
        ),
    ),
    Column(
        "near_poor_households",
        "Số hộ cận nghèo",
        "Near-poor households",
        Kind.COUNT,
        ("ho can ngheo", "ho can ngheo so ho", "tong so ho can ngheo"),
    ),
    Column(
        "escaped_poverty",
        "Số hộ thoát nghèo",
        "Households that escaped poverty",
        Kind.COUNT,
        (
            "ho thoat ngheo",
            "escaped poverty",
            "so ho thoat ngheo trong nam",
            "ho thoat ngheo trong nam",
        ),
    ),
    Column(
        "newly_poor",
        "Số hộ nghèo phát sinh mới",
        "Newly poor households",
        Kind.COUNT,
        ("ho ngheo phat sinh moi", "ho ngheo phat sinh", "phat sinh moi", "newly poor"),
    ),
    Column(
        "fell_back",
        "Số hộ tái nghèo",
        "Households that fell back into poverty",
        Kind.COUNT,
        ("ho tai ngheo", "tai ngheo", "fell back", "fell back into poverty"),
    ),
    Column(
        "paved_road",
        "Đường ô tô đến trung tâm xã được nhựa hóa, bê tông hóa",
        "Paved road to the commune centre",
        Kind.FLAG,
        ("duong o to den trung tam xa", "duong nhua hoa be tong hoa", "paved road"),
    ),
    Column(
        "adequate_schools",
        "Đủ trường mầm non, phổ thông và trung tâm học tập cộng đồng",
        "Enough schools and a community learning centre",
        Kind.FLAG,
        ("du truong lop", "truong hoc", "adequate schools", "schools"),
    ),
    Column(
        "health_criteria_met",
        "Đạt Bộ tiêu chí quốc gia về y tế xã",
        "Meets the national commune-health criteria",
        Kind.FLAG,
        ("dat tieu chi quoc gia ve y te", "tieu chi y te", "health criteria met", "health"),
    ),
    Column(
        "cultural_house",
        "Có nhà văn hóa",
        "Has a cultural house",
        Kind.FLAG,
        ("nha van hoa", "cultural house"),
    ),
    Column("note", "Ghi chú", "Note", Kind.TEXT, ("notes", "remark")),
    Column("source", "Nguồn số liệu", "Source", Kind.TEXT, ("nguon",)),
    # Added after the first templates were in use: last, so every older column keeps its place
    # (files and scripts that fill the template by position still line up).
    Column(
        "poor_ethnic_minority_households",
        "Số hộ nghèo DTTS",
        "Poor ethnic-minority households",
        Kind.COUNT,
        ("ho ngheo dtts", "so ho ngheo dong bao dtts", "ho ngheo dan toc thieu so"),
    ),
    Column(
        "near_poor_ethnic_minority_households",
        "Số hộ cận nghèo DTTS",
        "Near-poor ethnic-minority households",
        Kind.COUNT,
        ("ho can ngheo dtts", "so ho can ngheo dong bao dtts", "ho can ngheo dan toc thieu so"),
    ),
)

BY_FIELD = {column.field: column for column in COLUMNS}
STORED_FIELDS: tuple[str, ...] = tuple(c.field for c in COLUMNS if c.stored)
COUNT_FIELDS: tuple[str, ...] = tuple(c.field for c in COLUMNS if c.kind is Kind.COUNT)
FLAG_FIELDS: tuple[str, ...] = tuple(c.field for c in COLUMNS if c.kind is Kind.FLAG)
# Without these a file cannot say anything useful about poverty.
REQUIRED_FIELDS: tuple[str, ...] = ("total_households", "poor_households")
IDENTIFYING_FIELDS: tuple[str, ...] = ("code", "name")

# Spelling variants seen in official documents, folded to one form after accents are gone.
_WORD_VARIANTS = {"ngok": "ngoc"}
_PUNCTUATION = re.compile(r"[^\w\s]+")


def fold(text: object) -> str:
    """Lower-case, accent-free, punctuation-free text with one space between words."""
    raw = str(text).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", raw)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    plain = _PUNCTUATION.sub(" ", plain.replace("_", " "))
    words = [_WORD_VARIANTS.get(word, word) for word in plain.split()]
    return " ".join(words)


_ALIASES: dict[str, str] = {}
for _column in COLUMNS:
    for _alias in (_column.header, _column.english, _column.field, *_column.aliases):
        _ALIASES.setdefault(fold(_alias), _column.field)


def field_for_header(text: str) -> str | None:
    """The field a header names, or None."""
    return _ALIASES.get(fold(text)) if text else None


# Sub-headers under a merged parent that only repeat the parent ("Hộ nghèo" › "Số hộ").
_SAME_AS_PARENT = {"so ho", "tong so", "tong", "so luong", "tong so ho", "so ho cuoi nam"}
# Sub-headers meaning "of which ethnic-minority households": a part of the parent's group.
_ETHNIC_PART = re.compile(
    r"^(trong do )?(so )?(ho )?(dong bao )?(dtts|dan toc thieu so|dan toc)( so ho)?$"
)
ETHNIC_PART_OF: dict[str, str] = {
    "total_households": "ethnic_minority_households",
    "poor_households": "poor_ethnic_minority_households",
    "near_poor_households": "near_poor_ethnic_minority_households",
}


def field_for_subheader(parent: str, child: str) -> str | None:
    """The field a sub-header names, read together with its merged parent header.

    "Trong đó hộ DTTS" under "Hộ nghèo" counts poor ethnic-minority households, under "Hộ cận
    nghèo" near-poor ones, and under "Tổng số hộ" all of them. Under a parent that names a
    figure, "Hộ DTTS" is a part of the parent's group, never all ethnic-minority households.
    """
    folded_child = fold(child)
    if not folded_child:
        return field_for_header(parent)
    parent_field = field_for_header(parent) if parent else None
    if parent_field is not None:
        if folded_child in _SAME_AS_PARENT:
            return parent_field
        if _ETHNIC_PART.match(folded_child):
            return ETHNIC_PART_OF.get(parent_field)
        combined = _ALIASES.get(f"{fold(parent)} {folded_child}")
        if combined is not None or folded_child.startswith("trong do"):
            return combined
        # A column of its own whose parent cell is blank, so the group's name runs on over it
        # ("Ghi chú" after the merged "Hộ nghèo").
        return _ALIASES.get(folded_child)
    if parent:
        combined = _ALIASES.get(f"{fold(parent)} {folded_child}")
        if combined is not None:
            return combined
    if folded_child.startswith("trong do"):
        # "Of which …" means nothing without the group it belongs to.
        return None
    return _ALIASES.get(folded_child)


_UNIT_PREFIXES = (
    "thi tran ",
    "phuong ",
    "xa ",
    "huyen ",
    "thanh pho ",
    "tp ",
    "thi xa ",
    "tx ",
    "tt ",
    "p ",
    "h ",
)


# A row number written before the name: "1. Xã Đắk Ang", "II Huyện Ngọc Hồi".
_LEADING_NUMBER = re.compile(r"^(?:\d{1,3}|[ivx]{1,4}) (?=\S)")


def fold_label(name: object) -> str:
    """fold() without a leading row number."""
    return _LEADING_NUMBER.sub("", fold(name), count=1)


def fold_unit_name(name: object) -> str:
    """A commune or district name without its kind ("Xã Đắk Pék" and "Dak Pek" fold alike)."""
    folded = fold_label(name)
    for prefix in _UNIT_PREFIXES:
        if folded.startswith(prefix):
            return folded[len(prefix) :]
    return folded
