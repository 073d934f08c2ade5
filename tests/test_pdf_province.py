"""The province's yearly report: figures, every commune in the annex, page numbers, paper, fonts."""

import dataclasses
import datetime
import io
import re
from decimal import ROUND_HALF_UP, Decimal

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from bench.national import generate
from campaigns.models import AwardKind, BlocMembership, ProposalStatus, ReportingPeriod
from indicators import progress
from indicators.models import CommuneStatistics, Indicator
from reports.documents.commune_annex import ANNEX_ROWS_PER_PAGE, commune_annex
from reports.documents.province import ProvinceReport
from reports.pdf import AnnexLayoutError, render_with_annex
from tests.factories import (
    AwardProposalFactory,
    BlocMembershipFactory,
    CommuneFactory,
    CommuneStatisticsFactory,
    DistrictFactory,
)
from tests.pdf_tools import pdf_fonts, pdf_page_texts, pdf_text
from units.models import Unit, UnitLevel

pytestmark = pytest.mark.django_db

ON = datetime.date(2020, 2, 5)


def _province(*, districts: int = 2, communes: int = 3) -> Unit:
    generate(
        provinces=1,
        districts_per_province=districts,
        communes_per_district=communes,
        organisations_per_province=2,
        years=(2018, 2019),
        extra_commune_every=0,
    )
    return Unit.objects.get(code="62")


def _vn(value: float | Decimal, places: int) -> str:
    """A figure as the report prints it in Vietnamese: half up, "." for thousands, "," decimals."""
    number = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    whole, _dot, fraction = f"{number:,f}".partition(".")
    whole = whole.replace(",", ".")
    return f"{whole},{fraction}" if fraction else whole


def _counts(part: float, total: float) -> re.Pattern:
    """A count out of a total, 29.924 / 59.165, as pdftotext reads it (spaces may go)."""
    return re.compile(rf"\b{re.escape(_vn(part, 0))} ?/ ?{re.escape(_vn(total, 0))}\b")


def _render(doc: ProvinceReport, annex=None) -> tuple[bytes, int]:
    """The whole PDF and the number of pages of its main part."""
    main_html = doc.main_html()
    annex = annex if annex is not None else doc.annex()
    content = render_with_annex(main_html, annex).content
    return content, len(pypdf.PdfReader(io.BytesIO(content)).pages) - sum(
        annex.part_pages(i) for i in range(annex.part_count)
    )


def _page_sizes_mm(content: bytes) -> list[tuple[int, int]]:
    pages = pypdf.PdfReader(io.BytesIO(content)).pages
    return [
        (round(float(p.mediabox.width) * 25.4 / 72), round(float(p.mediabox.height) * 25.4 / 72))
        for p in pages
    ]


COMMUNE_NAMES = [
    "Xã Đắk Choong",
    "Xã Mường Hoong",
    "Thị trấn Plei Kần",
    "Phường Quyết Thắng",
    "Xã Ia Đal",
    "Xã Ngọc Linh",
]


@pytest.fixture
def province():
    """Two districts of three communes, the communes under real names with every diacritic."""
    province = _province()
    communes = Unit.objects.filter(level=UnitLevel.COMMUNE).order_by("code")
    for commune, name in zip(communes, COMMUNE_NAMES, strict=True):
        commune.name = name
        commune.save(update_fields=["name"])
    return province


@pytest.fixture
def rendered(province):
    with translation.override("vi"):
        return _render(ProvinceReport.build(year=2019, on=ON))


# --- Building -----------------------------------------------------------------------------------


def test_a_year_outside_the_campaign_is_unavailable(province):
    with pytest.raises(ValidationError) as excinfo:
        ProvinceReport.build(year=2031, on=ON)

    assert excinfo.value.code == "unavailable"


def test_without_a_campaign_the_report_is_unavailable(db):
    with pytest.raises(ValidationError) as excinfo:
        ProvinceReport.build(year=2019, on=ON)

    assert excinfo.value.code == "unavailable"


def test_the_file_is_named_after_the_year(province):
    assert ProvinceReport.build(year=2019, on=ON).filename() == "bao-cao-tinh-2019.pdf"


def test_sections_are_all_there(province):
    with translation.override("en"):
        html = ProvinceReport.build(year=2019, on=ON).main_html()

    for heading in (
        "I. Results of implementation",
        "1. Summary of results",
        "2. Results against the targets for 2020",
        "3. Reporting completeness",
        "4. Ranking in the emulation blocs",
        "5. Award proposals",
        "II. Shortcomings, limitations and causes",
        "III. Lessons learned",
        "IV. Directions and tasks",
        "V. Proposals and recommendations",
    ):
        assert heading in html
    assert html.count('<section class="indicator') == 8


def test_award_proposals_leave_out_rejected_ones(province):
    period = ReportingPeriod.objects.get(year=2019)
    first, second, third = Unit.objects.exclude(
        level__in=[UnitLevel.PROVINCE, UnitLevel.COMMUNE]
    ).order_by("code")[:3]
    AwardProposalFactory(period=period, unit=first, award=AwardKind.FLAG, reason="Dẫn đầu khối")
    AwardProposalFactory(
        period=period,
        unit=second,
        status=ProposalStatus.APPROVED,
        decision_number="123/QĐ-UBND",
        decision_date=datetime.date(2020, 3, 2),
        reason="Hoàn thành xuất sắc",
    )
    AwardProposalFactory(
        period=period, unit=third, status=ProposalStatus.REJECTED, reason="Không đủ điều kiện"
    )

    with translation.override("vi"):
        html = ProvinceReport.build(year=2019, on=ON).main_html()

    assert "Dẫn đầu khối" in html
    assert "Hoàn thành xuất sắc" in html and "123/QĐ-UBND" in html and "02/03/2020" in html
    assert "Không đủ điều kiện" not in html


def test_charts_draw_their_text_in_the_report_face(province):
    html = ProvinceReport.build(year=2019, on=ON).main_html()

    assert html.count("<svg") == 8
    assert html.count("font-family=\"'Report Serif', serif\"") == 8


def _main_queries() -> int:
    with CaptureQueriesContext(connection) as queries:
        ProvinceReport.build(year=2019, on=ON).main_html()
    return len(queries)


def test_query_count_does_not_grow_with_districts_and_communes(province):
    before = _main_queries()
    bloc = BlocMembership.objects.filter(unit__level=UnitLevel.DISTRICT).first().bloc
    for _ in range(4):
        district = DistrictFactory(parent=province)
        BlocMembershipFactory(bloc=bloc, unit=district)
        for _ in range(5):
            CommuneStatisticsFactory(commune=CommuneFactory(parent=district), year=2019)

    assert Unit.objects.filter(level=UnitLevel.DISTRICT).count() == 6
    assert _main_queries() == before


# --- The PDF ------------------------------------------------------------------------------------


def test_district_names_and_figures_are_in_the_text(province, rendered):
    content, _main_pages = rendered
    text = pdf_text(content)
    stats = CommuneStatistics.objects.filter(year=2019).aggregate(
        total=Sum("total_households"), poor=Sum("poor_households")
    )
    road = Indicator.objects.get(code="ROAD")
    labour = Indicator.objects.get(code="LABOUR")
    districts = progress.progress_by_child(indicator=road, scope=province, year=2019)
    labour_province = progress.indicator_progress(indicator=labour, scope=province, year=2019)

    for district in districts:
        assert district.name in text
        assert _counts(district.numerator, district.denominator).search(text)
    assert _vn(stats["total"], 0) in text  # e.g. 6.789 households
    assert _vn(100 * stats["poor"] / stats["total"], 2) + "%" in text  # the poverty rate
    assert _counts(labour_province.numerator, labour_province.denominator).search(text)
    assert _vn(labour_province.value, 1) in text
    assert "mục tiêu 100,0" in text  # the charts' target line label, drawn as PDF text


def test_every_commune_is_in_the_annex(province, rendered):
    content, main_pages = rendered
    annex_text = pdf_text(content, first=main_pages + 1)

    for code, name in Unit.objects.filter(level=UnitLevel.COMMUNE).values_list("code", "name"):
        assert code in annex_text
        assert name in annex_text
    assert "Xã Đắk Choong" not in pdf_text(content, last=main_pages)


def test_main_pages_are_portrait_and_annex_pages_landscape(rendered):
    content, main_pages = rendered
    sizes = _page_sizes_mm(content)

    assert main_pages >= 2
    assert sizes[:main_pages] == [(210, 297)] * main_pages
    assert sizes[main_pages:] == [(297, 210)] * (len(sizes) - main_pages)


def test_only_the_shipped_serif_is_embedded(rendered):
    content, _main_pages = rendered

    fonts = pdf_fonts(content)
    assert fonts and all(name.startswith("Report-Serif") for name in fonts)


def test_page_numbers_run_on_from_the_main_report_through_the_annex_parts():
    _province(districts=3, communes=ANNEX_ROWS_PER_PAGE - 1)  # a heading and 34 communes a page
    with translation.override("vi"):
        doc = ProvinceReport.build(year=2019, on=ON)
        # One page a part: the numbers must carry across three separately rendered parts.
        annex = dataclasses.replace(doc.annex(), pages_per_part=1)
        content, main_pages = _render(doc, annex)
    pages = pdf_page_texts(content)

    assert annex.part_count == 3
    assert len(pages) == main_pages + 3
    assert not pages[0].strip().startswith("1 ")
    for number, text in enumerate(pages[1:], start=2):
        assert text.split()[0] == str(number), f"page {number} shows {text.split()[0]}"


# --- The annex's fixed layout -------------------------------------------------------------------


@pytest.mark.parametrize(
    "communes",
    [1, ANNEX_ROWS_PER_PAGE - 1, ANNEX_ROWS_PER_PAGE, 2 * 2 * ANNEX_ROWS_PER_PAGE + 5],
)
def test_annex_parts_fill_exactly_the_pages_they_promise(communes):
    """One district: its heading line, then its communes numbered from 1."""
    _province(districts=1, communes=communes)
    province = Unit.objects.get(code="62")
    annex = commune_annex(scope=province, year=2019, pages_per_part=2)

    with translation.override("vi"):
        # render_part raises AnnexLayoutError when a part's page count breaks its promise.
        parts = [annex.render_part(i, main_pages=10) for i in range(annex.part_count)]
        texts = [pdf_text(part.content) for part in parts]

    assert annex.count == communes + 1
    assert sum(part.pages for part in parts) == -(-(communes + 1) // ANNEX_ROWS_PER_PAGE)
    assert str(communes) in texts[-1].split()  # the last row's number


def test_one_row_more_than_rows_per_page_does_not_fit_a_page():
    _province(districts=1, communes=ANNEX_ROWS_PER_PAGE)  # with its heading, one line too many
    province = Unit.objects.get(code="62")
    crowded = commune_annex(scope=province, year=2019, rows_per_page=ANNEX_ROWS_PER_PAGE + 1)

    with translation.override("vi"), pytest.raises(AnnexLayoutError):
        crowded.render_part(0, main_pages=10)


def test_annex_rows_read_only_their_slice():
    _province(districts=2, communes=40)
    province = Unit.objects.get(code="62")
    annex = commune_annex(scope=province, year=2019)

    with CaptureQueriesContext(connection) as queries:
        rows = annex.rows(40, 50)

    # Lines 40–49: the first district's 40th commune, the second's heading and its 1st–8th.
    assert len(queries) == 1
    assert "LIMIT 9 OFFSET 39" in queries[0]["sql"]
    assert [row.number for row in rows] == ["40", "II", *(str(n) for n in range(1, 9))]
    assert rows[1].is_district and rows[1].name.startswith("Huyện Thử")
    expected = list(
        Unit.objects.filter(level=UnitLevel.COMMUNE)
        .order_by("parent__code", "code")
        .values_list("code", flat=True)[39:48]
    )
    assert [row.code for row in rows if not row.is_district] == expected


def test_a_commune_without_figures_is_listed_as_missing():
    province = _province(districts=1, communes=2)
    commune = Unit.objects.filter(level=UnitLevel.COMMUNE).order_by("code").first()
    CommuneStatistics.objects.filter(commune=commune, year=2019).delete()

    with translation.override("vi"):
        heading, row = commune_annex(scope=province, year=2019).rows(0, 2)

    assert heading.is_district and heading.number == "I"
    assert row.code == commune.code
    assert row.households == row.poor == row.poor_rate == row.road == "–"
