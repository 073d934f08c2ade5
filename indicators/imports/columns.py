"""The columns of a commune-statistics file: template headers and the names people really use.

Template headers are a file format, not interface text, so they stay Vietnamese literals here.
Aliases are compared after `fold()`, so accents, case and punctuation do not matter.
"""

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum

from indicators.models import Deprivation, HouseholdGroup, deprivation_field


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
    # The year's movements of ethnic-minority households (issue 21), last for the same reason.
    Column(
        "escaped_poverty_ethnic_minority",
        "Số hộ DTTS thoát nghèo",
        "Ethnic-minority households that escaped poverty",
        Kind.COUNT,
        (
            "ho dtts thoat ngheo",
            "so ho thoat ngheo dtts",
            "ho thoat ngheo dtts",
            "ho dong bao dtts thoat ngheo",
            "ho thoat ngheo dan toc thieu so",
        ),
    ),
    Column(
        "newly_poor_ethnic_minority",
        "Số hộ nghèo DTTS phát sinh mới",
        "Newly poor ethnic-minority households",
        Kind.COUNT,
        (
            "ho ngheo dtts phat sinh moi",
            "ho dtts ngheo phat sinh moi",
            "ho ngheo phat sinh moi dtts",
            "so ho ngheo phat sinh moi dtts",
            "ho ngheo phat sinh moi dan toc thieu so",
        ),
    ),
    Column(
        "fell_back_ethnic_minority",
        "Số hộ DTTS tái nghèo",
        "Ethnic-minority households that fell back into poverty",
        Kind.COUNT,
        (
            "ho dtts tai ngheo",
            "so ho tai ngheo dtts",
            "ho tai ngheo dtts",
            "ho dong bao dtts tai ngheo",
            "ho tai ngheo dan toc thieu so",
        ),
    ),
)

# The standard's indicator names as published tables print them (QĐ 59/2015/QĐ-TTg), and the
# shorter names people write; a header names a deprivation only with its group (poor or
# near-poor) in the same cell or in a header cell above it.
DEPRIVATION_NAMES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    Deprivation.HEALTH_SERVICES: (
        "Tiếp cận các dịch vụ y tế",
        "access to health services",
        ("tiep can dich vu y te", "tiep can y te"),
    ),
    Deprivation.HEALTH_INSURANCE: ("Bảo hiểm y tế", "health insurance", ("bhyt",)),
    Deprivation.ADULT_SCHOOLING: (
        "Trình độ giáo dục của người lớn",
        "adults' schooling",
        ("trinh do giao duc nguoi lon", "giao duc cua nguoi lon", "adults schooling"),
    ),
    Deprivation.CHILD_SCHOOLING: (
        "Tình trạng đi học của trẻ em",
        "children's school attendance",
        ("tinh trang di hoc tre em", "tre em di hoc", "children s school attendance"),
    ),
    Deprivation.HOUSING_QUALITY: (
        "Chất lượng nhà ở",
        "quality of housing",
        ("chat luong nha",),
    ),
    Deprivation.HOUSING_AREA: (
        "Diện tích nhà ở bình quân đầu người",
        "housing area per person",
        ("dien tich nha o", "dien tich nha o binh quan"),
    ),
    Deprivation.CLEAN_WATER: (
        "Nguồn nước sinh hoạt",
        "clean water",
        ("nuoc sinh hoat", "nguon nuoc sinh hoat hop ve sinh", "nuoc sach"),
    ),
    Deprivation.LATRINE: (
        "Hố xí/nhà tiêu hợp vệ sinh",
        "hygienic latrine",
        ("ho xi hop ve sinh", "nha tieu hop ve sinh", "nha tieu"),
    ),
    Deprivation.TELECOM: (
        "Sử dụng dịch vụ viễn thông",
        "use of telecommunication services",
        ("dich vu vien thong", "vien thong"),
    ),
    Deprivation.INFORMATION_ASSETS: (
        "Tài sản phục vụ tiếp cận thông tin",
        "assets for access to information",
        ("tai san tiep can thong tin", "tai san phuc vu thong tin"),
    ),
}
# How a template header names the group, and how the English one does.
GROUP_HEADERS = {
    HouseholdGroup.POOR: ("Hộ nghèo thiếu hụt", "Poor households lacking"),
    HouseholdGroup.NEAR_POOR: ("Hộ cận nghèo thiếu hụt", "Near-poor households lacking"),
}


def _deprivation_columns() -> tuple[Column, ...]:
    columns = []
    for group, (group_vi, group_en) in GROUP_HEADERS.items():
        for code, (name, english, _aliases) in DEPRIVATION_NAMES.items():
            columns.append(
                Column(
                    deprivation_field(group, code),
                    f"{group_vi}: {name}",
                    f"{group_en}: {english}",
                    Kind.COUNT,
                )
            )
    return tuple(columns)


# Added with the multidimensional standard, after every older column (see above): the template
# keeps the order of the published tables, poor households' ten indicators first.
DEPRIVATION_COLUMNS = _deprivation_columns()
COLUMNS = COLUMNS + DEPRIVATION_COLUMNS
DEPRIVATION_COLUMN_FIELDS: tuple[str, ...] = tuple(c.field for c in DEPRIVATION_COLUMNS)

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


_DEPRIVATION_ALIASES: dict[str, str] = {}
for _code, (_name, _english, _more) in DEPRIVATION_NAMES.items():
    for _alias in (_name, _english, *_more):
        _DEPRIVATION_ALIASES.setdefault(fold(_alias), _code)
# Longest first: a header ending in a long name is not read as ending in a shorter one.
_DEPRIVATION_BY_LENGTH = sorted(_DEPRIVATION_ALIASES.items(), key=lambda item: -len(item[0]))


def _group_named(text: str) -> str | None:
    """The group a header names: poor or near-poor households, or None for neither or both."""
    folded = fold(text)
    near = "can ngheo" in folded or "near poor" in folded
    rest = folded.replace("can ngheo", "").replace("near poor", "")
    poor = "ngheo" in rest or "poor" in rest.split()
    if near == poor:
        return None
    return HouseholdGroup.NEAR_POOR if near else HouseholdGroup.POOR


def deprivation_for_header(text: str, *above: str) -> str | None:
    """The deprivation field a header names: the indicator at the end of `text`, the group in
    `text` before it or else in the nearest header above (`above`, nearest first) naming one.

    "Số hộ nghèo thiếu hụt bảo hiểm y tế" alone, or "Bảo hiểm y tế" under "Y tế" under "Hộ
    cận nghèo thiếu hụt các chỉ số"."""
    folded = fold(text)
    code, before = _DEPRIVATION_ALIASES.get(folded), ""
    if code is None:
        for alias, candidate in _DEPRIVATION_BY_LENGTH:
            if folded.endswith(f" {alias}"):
                code, before = candidate, folded[: -len(alias)]
                break
    if code is None:
        return None
    for context in (before, *above):
        group = _group_named(context) if context else None
        if group is not None:
            return deprivation_field(group, code)
    return None


def field_for_header(text: str) -> str | None:
    """The field a header names, or None."""
    if not text:
        return None
    return _ALIASES.get(fold(text)) or deprivation_for_header(text)


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
    "escaped_poverty": "escaped_poverty_ethnic_minority",
    "newly_poor": "newly_poor_ethnic_minority",
    "fell_back": "fell_back_ethnic_minority",
}


def field_for_subheader(parent: str, child: str, grandparent: str = "") -> str | None:
    """The field a sub-header names, read together with its merged parent header.

    "Trong đó hộ DTTS" under "Hộ nghèo" counts poor ethnic-minority households, under "Hộ cận
    nghèo" near-poor ones, and under "Tổng số hộ" all of them. Under a parent that names a
    figure, "Hộ DTTS" is a part of the parent's group, never all ethnic-minority households.
    """
    folded_child = fold(child)
    if not folded_child:
        return field_for_header(parent)
    deprivation = deprivation_for_header(child, parent, grandparent)
    if deprivation is not None:
        return deprivation
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
