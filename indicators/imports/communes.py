"""Which commune a row means: by official code, or by name as a fallback."""

from collections import defaultdict
from dataclasses import dataclass, field

from indicators.imports.columns import fold, fold_unit_name
from units.models import Unit, UnitLevel

CODE_WIDTH = 5  # statistics-office commune codes; Excel drops their leading zeros
_TOTAL_WORDS = ("tong", "cong", "toan tinh", "total", "tinh ")
_DISTRICT_WORDS = ("huyen ", "thanh pho ", "tp ", "thi xa ", "district ")


@dataclass(frozen=True)
class Commune:
    id: int
    code: str
    name: str
    district_id: int | None


@dataclass
class CommuneIndex:
    by_code: dict[str, Commune] = field(default_factory=dict)
    by_name: dict[str, list[Commune]] = field(default_factory=lambda: defaultdict(list))
    district_by_code: dict[str, int] = field(default_factory=dict)
    districts_by_name: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    def commune_for_code(self, code: str) -> Commune | None:
        found = self.by_code.get(code)
        if found is None and code.isdigit() and len(code) < CODE_WIDTH:
            found = self.by_code.get(code.zfill(CODE_WIDTH))
        return found

    def district_for_code(self, code: str) -> int | None:
        return self.district_by_code.get(code)

    def districts_named(self, name: str) -> list[int]:
        return self.districts_by_name.get(fold_unit_name(name), [])

    def communes_named(self, name: str) -> list[Commune]:
        return self.by_name.get(fold_unit_name(name), [])


def commune_index() -> CommuneIndex:
    """Every commune and district in two queries."""
    index = CommuneIndex()
    for pk, code, name, parent_id in Unit.objects.filter(level=UnitLevel.COMMUNE).values_list(
        "pk", "code", "name", "parent_id"
    ):
        commune = Commune(pk, code, name, parent_id)
        index.by_code[code] = commune
        index.by_name[fold_unit_name(name)].append(commune)
    for pk, code, name in Unit.objects.filter(level=UnitLevel.DISTRICT).values_list(
        "pk", "code", "name"
    ):
        index.district_by_code[code] = pk
        index.districts_by_name[fold_unit_name(name)].append(pk)
    return index


def is_total_label(name: str) -> bool:
    folded = fold(name)
    return folded.startswith(_TOTAL_WORDS)


def is_district_label(name: str) -> bool:
    return fold(name).startswith(_DISTRICT_WORDS)


def normalise_code(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()
