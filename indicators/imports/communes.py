"""Which commune a row means: by official code, or by name as a fallback.

Published tables have no codes and spell names the local way ("Đăk"/"Đắk", "ĐắkBlà",
"TT Plei Kần", "Pờ Lây Kần"). A name is tried at three levels, strictest first: as written
(accents, case and the unit's kind ignored), without spaces, then with the local spelling
variants folded. Looser levels only match inside the district the table is in, and any level
that finds two communes is ambiguous, never a guess.
"""

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from indicators.imports.columns import fold_label, fold_unit_name
from units.models import Unit, UnitChange, UnitLevel

CODE_WIDTH = 5  # statistics-office commune codes; Excel drops their leading zeros
_TOTAL_WORDS = ("tong", "cong", "toan tinh", "total", "tinh ")
_DISTRICT_WORDS = ("huyen ", "thanh pho ", "tp ", "thi xa ", "tx ", "district ")
# "I", "II.", "IV" in the numbering column mark a district's subtotal row.
_GROUP_NUMBER = re.compile(r"^[IVX]{1,4}\.?$")
# Local spellings of Jrai and Bahnar syllables, applied to a name without spaces.
_LOOSE = (
    ("y", "i"),  # Ya Xiêr / Ia Xiêr, Ya Ly / Ia Ly
    ("polai", "plei"),  # Pờ Lây / Plei
    ("polei", "plei"),  # Pơ Lei / Plei
    ("plai", "plei"),
    ("oo", "o"),  # Kroong / Krong, Nhoong / Nhong
)


def _compact(folded: str) -> str:
    return folded.replace(" ", "")


def _loose(folded: str) -> str:
    text = _compact(folded)
    for variant, canonical in _LOOSE:
        text = text.replace(variant, canonical)
    return text


_LEVELS: tuple[Callable[[str], str], ...] = (lambda folded: folded, _compact, _loose)


@dataclass(frozen=True)
class Commune:
    id: int
    code: str
    name: str
    district_id: int | None


def _keyed() -> list[dict[str, list]]:
    return [defaultdict(list) for _ in _LEVELS]


@dataclass
class CommuneIndex:
    by_code: dict[str, Commune] = field(default_factory=dict)
    # One mapping per matching level: key → communes (or district ids).
    by_name: list[dict[str, list[Commune]]] = field(default_factory=_keyed)
    district_by_code: dict[str, int] = field(default_factory=dict)
    districts_by_name: list[dict[str, list[int]]] = field(default_factory=_keyed)

    def add_commune(self, commune: Commune, *, other_name: str = "") -> None:
        """Index a commune by its name, or also by a former or variant spelling."""
        if not other_name:
            self.by_code[commune.code] = commune
        folded = fold_unit_name(other_name or commune.name)
        for level, key in enumerate(_LEVELS):
            if commune not in self.by_name[level][key(folded)]:
                self.by_name[level][key(folded)].append(commune)

    def add_district(self, pk: int, code: str, name: str) -> None:
        self.district_by_code[code] = pk
        folded = fold_unit_name(name)
        for level, key in enumerate(_LEVELS):
            self.districts_by_name[level][key(folded)].append(pk)

    def commune_for_code(self, code: str) -> Commune | None:
        found = self.by_code.get(code)
        if found is None and code.isdigit() and len(code) < CODE_WIDTH:
            found = self.by_code.get(code.zfill(CODE_WIDTH))
        return found

    def district_for_code(self, code: str) -> int | None:
        return self.district_by_code.get(code)

    def districts_named(self, name: str) -> list[int]:
        folded = fold_unit_name(name)
        if not folded:
            return []
        for level, key in enumerate(_LEVELS):
            found = self.districts_by_name[level].get(key(folded))
            if found:
                return list(dict.fromkeys(found))
        return []

    def communes_named(self, name: str, district_id: int | None = None) -> list[Commune]:
        """The communes a name can mean, at the strictest level that finds any.

        Spelled as written, a name may match outside the table's district (a commune listed
        under the wrong subtotal is still that commune); a looser spelling must not.
        """
        folded = fold_unit_name(name)
        if not folded:
            return []
        for level, key in enumerate(_LEVELS):
            found = self.by_name[level].get(key(folded), [])
            if district_id is not None:
                inside = [c for c in found if c.district_id == district_id]
                found = inside if inside or level > 0 else found
            if found:
                return found
        return []


def commune_index() -> CommuneIndex:
    """Every commune and district, with former names and catalogue spellings, in three queries."""
    index = CommuneIndex()
    by_pk: dict[int, Commune] = {}
    for pk, code, name, parent_id in Unit.objects.filter(level=UnitLevel.COMMUNE).values_list(
        "pk", "code", "name", "parent_id"
    ):
        by_pk[pk] = Commune(pk, code, name, parent_id)
        index.add_commune(by_pk[pk])
    # Tables of earlier years use the name before a renaming ("Xã Đắk Long" of Kon Plông, now
    # Thị trấn Măng Đen) or an older catalogue spelling ("Plei Cần").
    for unit_id, name_before in UnitChange.objects.filter(
        unit__level=UnitLevel.COMMUNE
    ).values_list("unit_id", "name_before"):
        if unit_id in by_pk:
            index.add_commune(by_pk[unit_id], other_name=name_before)
    for pk, code, name in Unit.objects.filter(level=UnitLevel.DISTRICT).values_list(
        "pk", "code", "name"
    ):
        index.add_district(pk, code, name)
    return index


def is_total_label(name: str) -> bool:
    return fold_label(name).startswith(_TOTAL_WORDS)


def is_district_label(name: str) -> bool:
    return fold_label(name).startswith(_DISTRICT_WORDS)


def is_group_number(value: object) -> bool:
    """A Roman numeral in a table's numbering column: the row is a district's subtotal."""
    return isinstance(value, str) and bool(_GROUP_NUMBER.match(value.strip()))


def normalise_code(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()
