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
        ("so ho dtts", "ho dtts", "ho dong bao dtts", "ho dong bao dan toc thieu so"),
    ),
    Column(
        "poor_households",
        "Số hộ nghèo",
        "Poor households",
        Kind.COUNT,
        ("ho ngheo", "ho ngheo so ho", "tong so ho ngheo", "so ho ngheo cuoi nam"),
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
        ("ho thoat ngheo", "escaped poverty", "so ho thoat ngheo trong nam"),
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


_UNIT_PREFIXES = ("thi tran ", "phuong ", "xa ", "huyen ", "thanh pho ", "tp ", "thi xa ")


def fold_unit_name(name: object) -> str:
    """A commune or district name without its kind ("Xã Đắk Pék" and "Dak Pek" fold alike)."""
    folded = fold(name)
    for prefix in _UNIT_PREFIXES:
        if folded.startswith(prefix):
            return folded[len(prefix) :]
    return folded
