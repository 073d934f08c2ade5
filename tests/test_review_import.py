"""Review of the commune-statistics import: layouts, blanks over stored figures, the command."""

import io
import zipfile

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook

from indicators import tasks
from indicators.imports import services
from indicators.models import CommuneStatistics, ImportBatch, ImportState
from tests.fixtures.import_files import (
    add_to_zip,
    kon_tum_communes,
    replace_in_zip,
    simple_file,
    template_row,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def communes():
    return kon_tum_communes()


def previewed(content: bytes, user, *, year: int = 2019) -> ImportBatch:
    batch = services.batch_create(upload=upload(content), year=year, by=user)
    return services.batch_preview(batch=batch)


def test_a_header_on_row_7_of_a_renamed_second_sheet_is_found(communes, admin_user):
    workbook = Workbook()
    cover = workbook.active
    cover.title = "Bìa"
    cover.append(["BÁO CÁO SỐ LIỆU XÃ"])
    sheet = workbook.create_sheet("Biểu 01-TH")
    for title in ("UBND TỈNH KON TUM", "SỞ LAO ĐỘNG - TB&XH", "", "BIỂU TỔNG HỢP", "Năm 2019", ""):
        sheet.append([title])
    sheet.merge_cells("A1:E1")
    sheet.merge_cells("A4:E5")
    sheet.append(["Mã xã", "Tên xã", "Tổng số hộ", "Hộ nghèo", None])
    sheet.merge_cells("D7:E7")
    sheet.append(["23287", "Xã Đắk Choong", "1.234", 100, None])
    buffer = io.BytesIO()
    workbook.save(buffer)

    batch = previewed(buffer.getvalue(), admin_user)

    assert (batch.state, batch.new_count, batch.error_count) == (ImportState.PREVIEWED, 1, 0)
    assert batch.changes[0]["row"] == 8
    services.batch_confirm(batch=batch, by=admin_user, token=batch.confirm_token)
    stats = CommuneStatistics.objects.get()
    assert (stats.total_households, stats.poor_households) == (1234, 100)


def test_the_token_of_another_batch_does_not_confirm_this_one(communes, admin_user):
    first = previewed(simple_file([template_row("23287", "", total_households=10)]), admin_user)
    second = previewed(simple_file([template_row("23287", "", total_households=20)]), admin_user)

    with pytest.raises(ValidationError) as excinfo:
        services.batch_confirm(batch=second, by=admin_user, token=first.confirm_token)

    assert excinfo.value.code == "bad_token"
    assert not CommuneStatistics.objects.exists()


def test_a_blank_cell_over_a_stored_figure_is_announced_before_it_is_erased(communes, admin_user):
    CommuneStatistics.objects.create(
        commune=communes["dak_choong"], year=2019, total_households=500, poor_households=100
    )
    CommuneStatistics.objects.create(
        commune=communes["dak_ang"], year=2019, total_households=300, poor_households=30
    )
    content = simple_file(
        [
            template_row("23287", "", total_households=500),  # poor households left blank
            template_row("23320", "", total_households=300, poor_households=30),
        ]
    )

    batch = previewed(content, admin_user)

    (change,) = batch.changes
    assert ["poor_households", 100, None] in change["diffs"]
    erased = [w for w in batch.warnings if w["code"] == "blank_erases"]
    assert len(erased) == 1
    assert erased[0]["params"]["count"] == 1
    assert erased[0]["params"]["rows"] == "2"
    # Blank is "not reported", never zero: confirming clears the figure rather than zeroing it.
    services.batch_confirm(batch=batch, by=admin_user, token=batch.confirm_token)
    assert CommuneStatistics.objects.get(commune=communes["dak_choong"]).poor_households is None


def test_the_preview_page_says_how_many_stored_figures_blanks_erase(client, communes, admin_user):
    CommuneStatistics.objects.create(
        commune=communes["dak_choong"], year=2019, total_households=500, poor_households=100
    )
    batch = previewed(simple_file([template_row("23287", "", total_households=500)]), admin_user)
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    url = reverse("indicators:import-detail", kwargs={"pk": batch.pk})
    html = client.get(url).content.decode()

    warnings = html.split('id="import-warnings"', 1)[1].split("</table>", 1)[0]
    assert "Stored figures left blank in the file: 1 (rows 2)" in warnings


def test_a_large_file_is_applied_by_the_command_itself(tmp_path, communes, monkeypatch, capsys):
    # The command has no page to come back to: it must not leave the work to a job queue.
    monkeypatch.setattr(services, "ASYNC_MIN_BYTES", 0)
    monkeypatch.setattr(tasks.apply_import, "apply_async", lambda *a, **k: None)
    monkeypatch.setattr(tasks.preview_import, "apply_async", lambda *a, **k: None)
    path = tmp_path / "so-lieu.xlsx"
    path.write_bytes(simple_file([template_row("23287", "", total_households=40)]))

    call_command("import_commune_stats", str(path), "--year", "2019")

    assert CommuneStatistics.objects.get().total_households == 40
    assert ImportBatch.objects.get().state == ImportState.APPLIED


def _with_shared_strings(content: bytes, member: str, entries: int) -> bytes:
    """A workbook whose manifest declares `member` as its shared-strings table."""
    table = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    table += b"<si><t>x</t></si>" * entries + b"</sst>"
    types = zipfile.ZipFile(io.BytesIO(content)).read("[Content_Types].xml")
    types = types.replace(
        b"</Types>",
        f'<Override PartName="/{member}" ContentType="application/vnd.openxmlformats-'
        f'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'.encode(),
    )
    return add_to_zip(replace_in_zip(content, "[Content_Types].xml", types), member, table)


@pytest.mark.parametrize("member", ["xl/sharedStrings.xml", "xl/texts.xml"])
def test_a_huge_shared_strings_table_is_refused_before_it_is_loaded(communes, admin_user, member):
    # About 1.2 million one-letter texts: a few kilobytes packed, 20 MB and far more in memory.
    content = _with_shared_strings(simple_file([template_row("23287", "")]), member, 1_200_000)
    assert len(content) < 200_000

    with pytest.raises(ValidationError) as excinfo:
        services.batch_create(upload=upload(content), year=2019, by=admin_user)

    assert excinfo.value.code == "too_much_text"
    assert not ImportBatch.objects.exists()


def _sheet_with(cells: str) -> bytes:
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    sheet = (
        f'<?xml version="1.0"?><worksheet {ns}><sheetData>'
        f'<row r="1"><c r="A1" t="inlineStr"><is><t>Mã xã</t></is></c>'
        f'<c r="B1" t="inlineStr"><is><t>Tổng số hộ</t></is></c>'
        f'<c r="C1" t="inlineStr"><is><t>Số hộ nghèo</t></is></c></row>'
        f'<row r="2"><c r="A2" t="inlineStr"><is><t>23287</t></is></c>{cells}</row>'
        f"</sheetData></worksheet>"
    )
    content = simple_file([template_row("23287", "")])
    return replace_in_zip(content, "xl/worksheets/sheet1.xml", sheet.encode())


@pytest.mark.parametrize(
    "cells",
    [
        # A reference past Excel's last column (XFD): one such cell would size a row by it.
        '<c r="XFE2"><v>1</v></c>',
        # Cells without references keep counting columns: no row has more than Excel allows.
        "<c><v>1</v></c>" * 16_400,
    ],
)
def test_a_row_wider_than_excel_allows_is_refused(communes, admin_user, cells):
    batch = previewed(_sheet_with(cells), admin_user)

    assert batch.state == ImportState.REFUSED
    assert batch.refusal["code"] == "unreadable"
    assert not CommuneStatistics.objects.exists()
