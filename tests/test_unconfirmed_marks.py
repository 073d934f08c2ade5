"""Commune figures a district has not confirmed are marked wherever they are shown: the province
report and its commune annex, the dashboard's exports and the public page. The mark goes away
once the district confirms."""

import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from indicators.imports import districts
from reports.documents.province import ProvinceReport
from tests import test_pdf_province as pdf_report
from tests import test_pdf_unit_sheet as unit_sheet
from tests.factories import CommuneFactory, CommuneStatisticsFactory, UserFactory
from tests.pdf_tools import pdf_text
from units.models import Unit, UnitLevel

pytestmark = pytest.mark.django_db

MARK = "Chưa được huyện xác nhận"


@pytest.fixture
def province(db):
    return pdf_report._province()


@pytest.fixture
def first_district(province):
    return Unit.objects.filter(level=UnitLevel.DISTRICT, parent=province).order_by("code").first()


def _confirm(district: Unit) -> None:
    # A district confirms only once each of its communes has figures.
    for commune in districts.communes_without_figures(year=2019, district=district):
        CommuneStatisticsFactory(commune=commune, year=2019)
    districts.district_confirm(year=2019, district=district, by=UserFactory(unit=district))


def _confirm_all(province: Unit) -> None:
    for district in Unit.objects.filter(level=UnitLevel.DISTRICT, parent=province):
        _confirm(district)


def _report_text(province: Unit) -> tuple[str, str]:
    """The main report's text and the annex's text, in Vietnamese."""
    with translation.override("vi"):
        content, main_pages = pdf_report._render(ProvinceReport.build(year=2019, on=pdf_report.ON))
    return pdf_text(content, last=main_pages), pdf_text(content, first=main_pages + 1)


def test_the_report_names_the_districts_that_have_not_confirmed(province, first_district):
    others = list(
        Unit.objects.filter(level=UnitLevel.DISTRICT, parent=province)
        .exclude(pk=first_district.pk)
        .values_list("name", flat=True)
    )
    _confirm(first_district)

    main, annex = _report_text(province)

    assert MARK in main
    note = main[main.index(MARK) :]
    for name in others:
        assert name in note
    # The district tables mark the district that has not confirmed, not the one that has.
    assert f"{others[0]} (*)" in main
    assert f"{first_district.name} (*)" not in main
    assert f"(*) {MARK}: {others[0]}" in main
    # The annex marks the heading of the district that has not confirmed.
    assert f"{others[0]} – {MARK}" in annex
    assert f"{first_district.name} – {MARK}" not in annex


def test_the_marks_go_once_every_district_confirms(province):
    main, annex = _report_text(province)
    assert MARK in main and MARK in annex

    _confirm_all(province)

    main, annex = _report_text(province)
    assert MARK not in main
    assert "(*)" not in main
    assert MARK not in annex


def _export_lines(client, scope: Unit) -> list[str]:
    response = client.get(
        reverse("dashboard:export", args=[scope.pk, "poverty"]),
        {"year": "2019"},
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [str(row[0]) for row in sheet.iter_rows(values_only=True) if row[0] is not None]


def test_the_dashboard_export_carries_the_mark_until_the_district_confirms(
    client, province, first_district
):
    client.force_login(UserFactory(leader=True))
    assert any(line.startswith(MARK) for line in _export_lines(client, first_district))

    _confirm(first_district)

    assert not any(MARK in line for line in _export_lines(client, first_district))
    # The province still holds another district's unconfirmed figures.
    assert any(line.startswith(MARK) for line in _export_lines(client, province))


def test_the_public_page_carries_the_mark_until_every_district_confirms(
    client, province, first_district
):
    def page() -> str:
        response = client.get(reverse("public-progress"), {"year": "2019"})
        assert response.status_code == 200
        return response.content.decode()

    assert "app-unconfirmed" in page()

    _confirm(first_district)
    assert "app-unconfirmed" in page()

    _confirm_all(province)
    assert "app-unconfirmed" not in page()


def test_a_districts_sheet_marks_its_commune_figures_until_it_confirms():
    sheet = unit_sheet.sheet_build()
    CommuneStatisticsFactory(commune=CommuneFactory(parent=sheet.unit), year=2019)

    def text() -> str:
        _doc, pdf = unit_sheet.render(sheet)
        return pdf_text(pdf.content)

    assert f"{MARK}: Huyện chưa xác nhận số liệu các xã này." in text()

    _confirm(sheet.unit)

    assert MARK not in text()
