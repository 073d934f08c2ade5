"""The worksheet parser reads what Excel and other writers put in a sheet, and nothing more."""

import datetime
import io

import pytest

from indicators.imports.sheetxml import (
    FORMULA_WITHOUT_VALUE,
    CellError,
    EntitiesForbidden,
    SheetParser,
)

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def parse(body: str, **kwargs) -> list:
    xml = f'<?xml version="1.0"?><worksheet {NS}><sheetData>{body}</sheetData></worksheet>'
    parser = SheetParser(["Mã xã", "Xã Đắk Choong"], **kwargs)
    return list(parser.rows(io.BytesIO(xml.encode())))


def test_cells_of_every_kind_are_read():
    rows = parse(
        '<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2"><v>1234</v></c>'
        '<c r="C2"><v>2.5</v></c><c r="D2" t="b"><v>1</v></c><c r="E2" t="e"><v>#REF!</v></c>'
        '<c r="F2" t="inlineStr"><is><r><t>Đăk </t></r><r><t>Ang</t></r></is></c>'
        '<c r="H2" t="str"><f>A1</f><v>x</v></c></row>'
    )
    assert rows == [(2, ["Xã Đắk Choong", 1234, 2.5, True, "#REF!", "Đăk Ang", None, "x"])]
    assert isinstance(rows[0][1][4], CellError)


def test_a_formula_keeps_its_stored_value_and_is_marked_without_one():
    rows = parse('<row r="1"><c r="A1"><f>B1*2</f><v>10</v></c><c r="B1"><f>C1</f></c></row>')
    assert rows == [(1, [10, FORMULA_WITHOUT_VALUE])]


def test_dates_are_read_from_date_styles():
    rows = parse('<row r="1"><c r="A1" s="3"><v>43831</v></c></row>', date_styles={3})
    assert rows == [(1, [datetime.datetime(2020, 1, 1)])]


def test_prefixed_tags_and_missing_references_are_read():
    xml = (
        '<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main"><x:sheetData><x:row><x:c><x:v>1</x:v></x:c>'
        "<x:c><x:v>2</x:v></x:c></x:row><x:row><x:c><x:v>3</x:v></x:c></x:row>"
        "</x:sheetData></x:worksheet>"
    )
    assert list(SheetParser([]).rows(io.BytesIO(xml.encode()))) == [(1, [1, 2]), (2, [3])]


def test_a_doctype_is_refused_before_any_entity_is_expanded():
    xml = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        f'<worksheet {NS}><sheetData><row><c t="inlineStr"><is><t>&b;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    with pytest.raises(EntitiesForbidden):
        list(SheetParser([]).rows(io.BytesIO(xml.encode())))
