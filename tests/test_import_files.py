"""Files as people really have them, and files that must be refused before they are read."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import Workbook

from indicators.imports import safety, services
from indicators.models import CommuneStatistics, ImportBatch, ImportState
from tests.factories import ProvinceFactory
from tests.fixtures.import_files import (
    HEADERS,
    add_to_zip,
    kon_tum_communes,
    replace_in_zip,
    simple_file,
    template_row,
    upload,
    workbook_bytes,
)
from units.models import Unit, UnitKind, UnitLevel

pytestmark = pytest.mark.django_db


@pytest.fixture
def communes():
    return kon_tum_communes()


def refused_on_upload(content: bytes, user, name: str = "so-lieu.xlsx") -> str:
    with pytest.raises(ValidationError) as excinfo:
        services.batch_create(upload=upload(content, name), year=2019, by=user)
    assert not ImportBatch.objects.exists()
    return excinfo.value.code


def refused_on_read(content: bytes, user) -> str:
    batch = services.batch_create(upload=upload(content), year=2019, by=user)
    batch = services.batch_preview(batch=batch)
    assert batch.state == ImportState.REFUSED
    assert not CommuneStatistics.objects.exists()
    return batch.refusal["code"]


def published_table() -> bytes:
    """The province's published layout: titles, a two-row merged header, column numbers,
    district subtotals, a total row and a signature line."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["UBND TỈNH KON TUM"])
    sheet.append(["BIỂU TỔNG HỢP HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2019"])
    sheet.merge_cells("A2:H2")
    sheet.append([])
    sheet.append(
        [
            "STT",
            "Đơn vị",
            "Tổng số hộ dân cư",
            "Hộ nghèo",
            None,
            "Hộ cận nghèo",
            None,
            "Hộ thoát nghèo",
        ]
    )
    sheet.append([None, None, None, "Số hộ", "Tỷ lệ (%)", "Số hộ", "Tỷ lệ (%)", None])
    for merged in ("A4:A5", "B4:B5", "C4:C5", "D4:E4", "F4:G4", "H4:H5"):
        sheet.merge_cells(merged)
    sheet.append(["A", "B", 1, 2, "3=2/1", 4, "5=4/1", 6])
    sheet.append(["I", "Huyện Đắk Glei", "3.000", 300, 10, 200, 6.67, 20])
    sheet.append([1, "Thị trấn Đắk Glei", "1.234", "123", 9.97, 50, 4.05, 8])
    sheet.append([2, "Xã Đăk Choong", 900, 100, 11.1, 80, 8.9, None])
    sheet.append(["II", "Huyện Ngọc Hồi", 2000, 150, 7.5, 100, 5, 12])
    sheet.append([1, "Xã Đắk Ang", 700, 70, 10, 30, 4.3, 5])
    sheet.append([None, "Tổng cộng", 5000, 450, 9, 300, 6, 32])
    sheet.append([])
    sheet.append([None, "Người lập biểu", None, None, None, "Kon Tum, ngày 15 tháng 1 năm 2020"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_file_in_the_published_table_layout_is_read(communes, admin_user):
    batch = services.batch_preview(
        batch=services.batch_create(upload=upload(published_table()), year=2019, by=admin_user)
    )
    assert batch.state == ImportState.PREVIEWED, batch.refusal
    assert batch.errors == []
    assert (batch.new_count, batch.total_rows) == (3, 3)
    services.batch_confirm(batch=batch, by=admin_user, token=batch.confirm_token)

    town = CommuneStatistics.objects.get(commune=communes["dak_pek"])
    assert (town.total_households, town.poor_households, town.near_poor_households) == (
        1234,
        123,
        50,
    )
    assert town.escaped_poverty == 8
    assert CommuneStatistics.objects.get(commune=communes["dak_choong"]).escaped_poverty is None
    assert CommuneStatistics.objects.count() == 3


def test_english_headers_are_read(communes, admin_user):
    content = simple_file([])
    from tests.fixtures.import_files import workbook_bytes

    content = workbook_bytes(
        [["Commune code", "Commune", "Households", "Poor households"], ["23287", "", 50, 5]]
    )
    batch = services.batch_preview(
        batch=services.batch_create(upload=upload(content), year=2019, by=admin_user)
    )
    assert (batch.state, batch.new_count) == (ImportState.PREVIEWED, 1)


def test_one_bad_row_among_ten_thousand_is_the_only_error_and_nothing_is_written(admin_user):
    province = ProvinceFactory()
    district = Unit.objects.create(
        code="999",
        name="Huyện Lớn",
        level=UnitLevel.DISTRICT,
        kind=UnitKind.DISTRICT,
        parent=province,
    )
    Unit.objects.bulk_create(
        Unit(
            code=f"{50000 + n}",
            name=f"Xã Số {n}",
            level=UnitLevel.COMMUNE,
            kind=UnitKind.COMMUNE,
            parent=district,
        )
        for n in range(10_000)
    )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADERS)
    for n in range(10_000):
        poor = "bảy" if n == 6_789 else n % 50
        sheet.append(template_row(f"{50000 + n}", "", total_households=100, poor_households=poor))
    buffer = io.BytesIO()
    workbook.save(buffer)

    batch = services.batch_preview(
        batch=services.batch_create(upload=upload(buffer.getvalue()), year=2019, by=admin_user)
    )
    assert batch.total_rows == 10_000
    assert batch.error_count == 1
    (error,) = batch.errors
    assert (error["row"], error["column"], error["code"]) == (6_791, "F", "not_a_whole_number")
    with pytest.raises(ValidationError):
        services.batch_confirm(batch=batch, by=admin_user, token=batch.confirm_token)
    assert not CommuneStatistics.objects.exists()


def test_an_old_xls_file_is_refused(admin_user):
    content = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "Workbook".encode("utf-16-le")
    assert refused_on_upload(content, admin_user, "so-lieu.xls") == "old_xls"


def test_an_encrypted_workbook_is_refused(admin_user):
    content = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 504
        + "EncryptionInfo".encode("utf-16-le")
        + "EncryptedPackage".encode("utf-16-le")
    )
    assert refused_on_upload(content, admin_user) == "encrypted"


def test_a_csv_file_is_refused(admin_user):
    content = "Mã xã,Tổng số hộ\n23287,10\n".encode()
    assert refused_on_upload(content, admin_user, "so-lieu.csv") == "not_xlsx"


def test_a_renamed_pdf_is_refused(admin_user):
    assert refused_on_upload(b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n", admin_user) == "not_xlsx"


def test_a_workbook_with_macros_is_refused(admin_user):
    content = add_to_zip(simple_file([]), "xl/vbaProject.bin", b"\0" * 64)
    assert refused_on_upload(content, admin_user, "so-lieu.xlsm") == "macros"


def test_a_macro_enabled_content_type_is_refused(admin_user):
    content = simple_file([])
    types = zipfile.ZipFile(io.BytesIO(content)).read("[Content_Types].xml")
    types = types.replace(b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")
    assert refused_on_upload(replace_in_zip(content, "[Content_Types].xml", types), admin_user) == (
        "macros"
    )


def test_a_file_over_the_size_limit_is_refused(admin_user, settings):
    content = simple_file([]) + b"\0" * (settings.IMPORT_MAX_BYTES + 1)
    assert refused_on_upload(content, admin_user) == "too_large"


def test_a_zip_bomb_is_refused_before_it_is_unpacked(admin_user):
    buffer = io.BytesIO(simple_file([]))
    chunk = b"\0" * (1024 * 1024)
    with (
        zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/media/padding.bin", "w", force_zip64=True) as member,
    ):
        for _ in range(safety.MAX_UNCOMPRESSED_BYTES // len(chunk) + 1):
            member.write(chunk)
    content = buffer.getvalue()
    assert len(content) < 1024 * 1024
    assert refused_on_upload(content, admin_user) == "zip_bomb"


def test_an_xml_entity_bomb_is_refused(communes, admin_user):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    content = simple_file([template_row("23287", "x", total_households=1)])
    content = replace_in_zip(content, "xl/worksheets/sheet1.xml", bomb)
    assert refused_on_read(content, admin_user) == "xml_entities"


def test_start_up_checks_fail_without_defusedxml(monkeypatch):
    from django.core import checks

    assert "indicators.E001" not in [m.id for m in checks.run_checks()]
    monkeypatch.setattr(safety.openpyxl, "DEFUSEDXML", False)
    assert "indicators.E001" in [m.id for m in checks.run_checks()]


def test_defusedxml_is_required_to_read_workbooks(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setattr(safety.openpyxl, "DEFUSEDXML", False)
    with pytest.raises(ImproperlyConfigured):
        safety.ensure_defusedxml()


def test_a_file_with_more_than_20000_rows_is_refused(communes, admin_user):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADERS)
    for _ in range(safety.MAX_ROWS + 1):
        sheet.append(["23287", None, None, 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert refused_on_read(buffer.getvalue(), admin_user) == "too_many_rows"


def test_a_sheet_without_a_header_is_refused(communes, admin_user):
    from tests.fixtures.import_files import workbook_bytes

    assert refused_on_read(workbook_bytes([[1, 2, 3]]), admin_user) == "no_header"


def test_a_column_named_twice_is_refused(communes, admin_user):
    from tests.fixtures.import_files import workbook_bytes

    content = workbook_bytes([["Mã xã", "Tổng số hộ", "Số hộ nghèo", "Hộ nghèo"]])
    assert refused_on_read(content, admin_user) == "duplicate_column"


def test_a_damaged_workbook_is_refused(communes, admin_user):
    content = replace_in_zip(simple_file([]), "xl/workbook.xml", b"<not-a-workbook")
    assert refused_on_read(content, admin_user) == "unreadable"


def test_a_file_typed_in_tcvn3_is_converted_to_unicode(communes, admin_user):
    # "Mã xã", "Tên xã", "Tổng số hộ", … and the names typed in .VnTime, without codes.
    content = workbook_bytes(
        [
            ["M· x·", "Tªn x·", "Tæng sè hé", "Sè hé nghÌo", "Ghi chó"],
            ["", "X· §¾k Choong", 500, 50, "Sè liÖu cña x· b¸o c¸o"],
            ["", "X· M\u00adêng Hoong", 300, 30, None],
        ]
    )
    batch = services.batch_preview(
        batch=services.batch_create(upload=upload(content), year=2019, by=admin_user)
    )
    assert batch.state == ImportState.PREVIEWED, batch.refusal
    assert (batch.new_count, batch.errors) == (2, [])
    assert batch.warnings[0]["code"] == "converted_from_tcvn3"
    services.batch_confirm(batch=batch, by=admin_user, token=batch.confirm_token)

    dak_choong = CommuneStatistics.objects.get(commune=communes["dak_choong"])
    assert (dak_choong.total_households, dak_choong.note) == (500, "Số liệu của xã báo cáo")
    assert CommuneStatistics.objects.get(commune=communes["muong_hoong"]).poor_households == 30


def test_a_file_typed_in_vni_is_refused_naming_the_encoding(communes, admin_user, client):
    content = workbook_bytes(
        [
            ["Maõ xaõ", "Teân xaõ", "Toång soá hoä", "Soá hoä ngheøo"],
            ["", "Xaõ Ñaék Choong", 500, 50],
            ["", "Xaõ Möôøng Hoong", 300, 30],
        ]
    )
    client.force_login(admin_user)
    response = client.post(
        reverse("indicators:import-upload"), {"year": 2019, "file": upload(content)}
    )
    html = client.get(response["Location"]).content.decode()
    refusal = html[html.index('id="import-refusal"') :]
    assert "bảng mã cũ VNI" in refusal[:400]
    assert "VNI-Times" in refusal[:400]
    assert not CommuneStatistics.objects.exists()


def test_unicode_vietnamese_with_symbols_is_not_taken_for_a_legacy_encoding(communes, admin_user):
    content = workbook_bytes(
        [
            ["Mã xã", "Tên xã", "Tổng số hộ", "Số hộ nghèo", "Ghi chú"],
            ["23287", "Xã Đắk Choong", 500, 50, "Tỷ lệ 10 % · nguồn © UBND"],
            ["23290", "Xã Mường Hoong", 300, 30, "Hoàng, Thuý · Ứng · © 2019"],
        ]
    )
    batch = services.batch_preview(
        batch=services.batch_create(upload=upload(content), year=2019, by=admin_user)
    )
    assert (batch.state, batch.new_count) == (ImportState.PREVIEWED, 2)
