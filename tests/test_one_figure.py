"""One figure, one number: every page, export and PDF that shows a figure shows the same number.

For each family of figures (the poverty rate, a share of communes, income growth, a report's
points) one small data set is given to every surface that prints the figure, and each surface is
read where a person reads it: the page's visible text, the spreadsheet cell's value, the PDF's
text. A figure is the exact value of its counts rounded half up to two decimals (27,125 % is
27,13 %); a page or PDF printing one decimal rounds that figure half up again (27,1 %), and a
spreadsheet cell holds the figure, or more decimals that round half up to it. So "31,3" on a card
and 31.25 in a cell agree, while "31,2" (cut, or rounded half to even), 27,12 or a cell holding 31
do not. A total of points is exact and is printed in full: 87,25, never 87,3.

The data sets make rounding matter: 651 poor households out of 2.400 is 27,125 %, 5 communes of
the 16 with data is 31,25 %, and the models' income growth weighted by households is 6,125 %,
which the computer's floating point makes 6,12499….
"""

import io
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from cssselect2 import ElementWrapper
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from tinyhtml5 import parse as parse_html

from campaigns.models import ReportingPeriod, Submission
from campaigns.services import review
from indicators.models import Indicator, Measure
from reports.documents import document_for
from reports.pdf import render_with_annex
from tests.factories import (
    BlocFactory,
    BlocMembershipFactory,
    CommuneFactory,
    CommuneStatisticsFactory,
    CriterionFactory,
    CriterionScoreFactory,
    IndicatorFactory,
    ModelResultFactory,
    PeriodFactory,
    PovertyModelFactory,
    SubmissionFactory,
)
from tests.pdf_tools import pdf_page_texts
from tests.report_setup import day
from units.models import Unit, User

pytestmark = pytest.mark.django_db

YEAR = 2019
# A day after the year: its reports are in and the Board has accepted them.
AFTER_THE_YEAR = day(2020, 2, 5)
# A number written the Vietnamese way: 27,13 · 2.400 · 1.234,5 · 87. Anything else (27.13,
# 1,234.5) is not read at all, rather than read as 27 or 1,234.
VN_NUMBER = re.compile(r"(?<![\d.,])-?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?(?![.,]?\d)")
# The decimals a figure carries (the progress engine's, the spreadsheets').
FIGURE_PLACES = 2


@pytest.fixture(autouse=True)
def _after_the_year(settings, time_machine):
    time_machine.move_to(AFTER_THE_YEAR, tick=False)
    settings.PROGRESS_CACHE_CHECK_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


# --- Numbers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A figure as one surface shows it, and the number of decimals the surface printed."""

    surface: str
    value: Decimal
    places: int


def half_up(value: Fraction | Decimal, places: int) -> Decimal:
    """`value` rounded half up to `places` decimals, exactly (no binary float on the way)."""
    fraction = Fraction(value)
    with localcontext(prec=60):
        exact = Decimal(fraction.numerator) / Decimal(fraction.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def printed(surface: str, text: str) -> Shown:
    """The first number in `text`, read the Vietnamese way (1.234,5), with its decimals."""
    match = VN_NUMBER.search(text)
    assert match, f"{surface}: no number in {text!r}"
    whole, _comma, fraction = match.group().partition(",")
    return Shown(surface, Decimal(f"{whole.replace('.', '')}.{fraction or 0}"), len(fraction))


def cell(surface: str, value: object) -> Shown:
    """A spreadsheet cell's number (not text), to two decimals: it must hold the whole figure."""
    assert isinstance(value, int | float | Decimal), f"{surface}: {value!r} is not a number"
    return Shown(surface, half_up(Decimal(str(value)), FIGURE_PLACES), FIGURE_PLACES)


def assert_every_surface_shows(
    exact: Fraction | Decimal, shown: list[Shown], *, in_full: bool = False
) -> None:
    """Each surface shows the figure (`exact` to two decimals) half up to its own decimals, or
    `exact` itself when the figure is printed `in_full`."""
    figure = half_up(exact, FIGURE_PLACES)

    def expected(s: Shown) -> Decimal:
        return Decimal(exact) if in_full else half_up(figure, s.places)

    lines = [f"  {s.surface:<34} {s.value!s:>8}   expected {expected(s)}" for s in shown]
    wrong = [s for s in shown if s.value != expected(s)]
    assert not wrong, f"the surfaces disagree on {float(exact)} ({figure}):\n" + "\n".join(lines)


# --- Reading the surfaces ----------------------------------------------------------------------


def get(client, user: User | None, url: str, **params: object) -> bytes:
    """What `url` answers `user` (None: a visitor who is not logged in)."""
    if user is None:
        client.logout()
    else:
        client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200, url
    return response.content


def page(client, user: User | None, url: str, **params: object) -> ElementWrapper:
    """A page as its HTML tree, to read with CSS selectors."""
    return ElementWrapper.from_html_root(parse_html(get(client, user, url, **params).decode()))


def _text(element: ElementWrapper) -> str:
    return " ".join("".join(element.etree_element.itertext()).split())


def text(root: ElementWrapper, selector: str) -> str:
    """The visible text of the element `selector` finds."""
    element = root.query(selector)
    assert element is not None, f"nothing matches {selector!r}"
    return _text(element)


def row_cells(root: ElementWrapper, selector: str, key: str, *, column: int = 0) -> list[str]:
    """The cells' texts of the first table row under `selector` with `key` in cell `column`."""
    for row in root.query_all(selector):
        cells = [_text(c) for c in row.iter_children() if c.local_name in ("td", "th")]
        if len(cells) > column and key in cells[column]:
            return cells
    raise AssertionError(f"no row with {key!r} in cell {column} under {selector!r}")


def _workbook_record(surface: str, content: bytes, *, row: tuple[str, object], column: str) -> dict:
    """The first sheet's line whose `row[0]` column holds `row[1]`, by header."""
    key, wanted = row
    lines = load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True)
    for header in lines:
        if key in header and column in header:
            break
    else:
        raise AssertionError(f"{surface}: no header line with {key!r} and {column!r}")
    for line in lines:
        record = dict(zip(header, line, strict=False))
        if record[key] == wanted:
            return record
    raise AssertionError(f"{surface}: no line with {wanted!r} under {key!r}")


def workbook_cell(surface: str, content: bytes, *, row: tuple[str, object], column: str) -> Shown:
    """The cell in `column` of the first sheet's line whose `row[0]` column holds `row[1]`."""
    return cell(surface, _workbook_record(surface, content, row=row, column=column)[column])


def workbook_text(surface: str, content: bytes, *, row: tuple[str, object], column: str) -> str:
    """A text cell, found as `workbook_cell` finds a number."""
    return str(_workbook_record(surface, content, row=row, column=column)[column])


def _pdf_text(kind: str, **params: object) -> str:
    """A PDF document's text, each table row on one line as it is laid out on the page."""
    with translation.override("vi"):
        doc = document_for(
            kind=kind, params={"year": YEAR, "date": AFTER_THE_YEAR.date().isoformat(), **params}
        )
        content = render_with_annex(doc.main_html(), doc.annex()).content
    return " ".join(pdf_page_texts(content))


def province_pdf() -> str:
    """The province's yearly report, its annex of every commune included."""
    return _pdf_text("province")


def unit_sheet_pdf(unit: Unit) -> str:
    """A unit's evaluation sheet."""
    return _pdf_text("unit", unit=unit.code)


def pdf_numbers(surface: str, pdf: str, pattern: str, *, count: int) -> list[Shown]:
    """The `count` numbers a PDF prints where `pattern` says NUMBER, e.g. r"NUMBER 5 / 16"."""
    found = re.findall(pattern.replace("NUMBER", f"({VN_NUMBER.pattern})"), pdf)
    assert len(found) == count, f"{surface}: {found} match {pattern!r} in {pdf!r}"
    return [printed(surface, number) for number in found]


def pdf_number(surface: str, pdf: str, pattern: str) -> Shown:
    """The one number a PDF prints where `pattern` says NUMBER."""
    return pdf_numbers(surface, pdf, pattern, count=1)[0]


def vn(number: int) -> str:
    """A count as the PDFs print it (2.400), to find a line by its counts."""
    return re.escape(f"{number:,}".replace(",", "."))


# --- The poverty rate --------------------------------------------------------------------------


@dataclass
class PovertyYear:
    district: Unit
    report: Submission
    poor: int
    households: int
    commune: Unit  # one of the district's communes, with a rate of its own
    commune_poor: int
    commune_households: int


def poverty_year(district: Unit) -> PovertyYear:
    """A district's communes in 2019: 651 poor households out of 2.400, 27,125 %.

    One commune alone is 217 out of 800, 27,125 % too; the mean of the communes' rates would be
    26,49 %, and a commune without a count of poor households counts in neither sum."""
    period = PeriodFactory(year=YEAR)
    communes = []
    for name, households, poor in (
        ("Xã Đắk Choong", 800, 217),
        ("Xã Mường Hoong", 1_000, 300),
        ("Xã Ngọc Linh", 600, 134),
        ("Xã Đắk Long", 1_000, None),
    ):
        commune = CommuneFactory(parent=district, name=name)
        CommuneStatisticsFactory(
            commune=commune, year=YEAR, total_households=households, poor_households=poor
        )
        communes.append(commune)
    report = SubmissionFactory(period=period, unit=district, submitted=True)
    return PovertyYear(
        district=district,
        report=report,
        poor=651,
        households=2_400,
        commune=communes[0],
        commune_poor=217,
        commune_households=800,
    )


def test_every_surface_shows_the_same_poverty_rate(client, leader, board_staff, unit_officer):
    """The district is the whole province here, so every surface shows its rate; one of its
    communes' own rate is on the commune's dashboard, its Excel and the province PDF's annex."""
    y = poverty_year(unit_officer.unit)
    province, commune = y.district.parent, y.commune

    dashboard = page(client, leader, reverse("dashboard:home"), year=YEAR)
    public = page(client, None, reverse("public-progress"), year=YEAR)
    board = page(client, board_staff, reverse("board:review", args=[y.report.pk]))
    excel = get(
        client, leader, reverse("dashboard:export", args=[province.pk, "poverty"]), year=YEAR
    )
    commune_page = page(client, leader, reverse("dashboard:scope", args=[commune.pk]), year=YEAR)
    commune_excel = get(
        client, leader, reverse("dashboard:export", args=[commune.pk, "poverty"]), year=YEAR
    )
    pdf = province_pdf()
    sheet = unit_sheet_pdf(y.district)
    # A year's line of poverty figures: year, coverage ("3/4 xã, phường, thị trấn"),
    # households, poor households, rate.
    year_line = rf"{YEAR} \d+/\d+ \D+ {vn(y.households)} {vn(y.poor)} NUMBER"

    assert_every_surface_shows(
        Fraction(100 * y.poor, y.households),
        [
            printed("dashboard", text(dashboard, "[aria-labelledby=poverty-title] .display-6")),
            printed("public page", text(public, "[aria-labelledby=poverty-title] .display-6")),
            printed("review page", row_cells(board, "#poverty-table tbody tr", str(YEAR))[4]),
            workbook_cell(
                "dashboard poverty.xlsx", excel, row=(_("Year"), YEAR), column=_("Poverty rate (%)")
            ),
            pdf_number("province PDF, summary", pdf, rf"{vn(y.households)}\D+NUMBER ?%"),
            pdf_number("province PDF, table", pdf, year_line),
            pdf_number("unit sheet PDF", sheet, year_line),
        ],
    )
    assert_every_surface_shows(
        Fraction(100 * y.commune_poor, y.commune_households),
        [
            printed(
                "commune's dashboard",
                text(commune_page, "[aria-labelledby=poverty-title] .display-6"),
            ),
            workbook_cell(
                "commune's poverty.xlsx",
                commune_excel,
                row=(_("Year"), YEAR),
                column=_("Poverty rate (%)"),
            ),
            pdf_number(
                "province PDF, annex",
                pdf,
                rf"{commune.name} {vn(y.commune_households)} {vn(y.commune_poor)} NUMBER",
            ),
        ],
    )


# --- A share of communes -----------------------------------------------------------------------


@dataclass
class ShareYear:
    district: Unit
    report: Submission
    road: Indicator
    met: int
    with_data: int


def share_year(district: Unit) -> ShareYear:
    """ROAD in a district of 17 communes: 5 paved of the 16 with data, 31,25 %; one unknown."""
    period = PeriodFactory(year=YEAR)
    road = IndicatorFactory(
        campaign=period.campaign,
        code="ROAD",
        name="Xã có đường nhựa",
        measure=Measure.SHARE_OF_COMMUNES,
        commune_field="paved_road",
        target_low=100,
    )
    for paved in [True] * 5 + [False] * 11 + [None]:
        CommuneStatisticsFactory(
            commune=CommuneFactory(parent=district), year=YEAR, paved_road=paved
        )
    report = SubmissionFactory(period=period, unit=district, submitted=True)
    return ShareYear(district=district, report=report, road=road, met=5, with_data=16)


def test_every_surface_shows_the_same_share_of_communes(client, leader, board_staff, unit_officer):
    """The province's share and its one district's: the same communes, the same figure."""
    y = share_year(unit_officer.unit)
    province, district = y.district.parent, y.district
    road = {"year": YEAR, "indicator": "ROAD"}

    dashboard = page(client, leader, reverse("dashboard:home"), **road)
    data_page = page(client, leader, reverse("dashboard:sources", args=[province.pk]), **road)
    public = page(client, None, reverse("public-progress"), year=YEAR)
    board = page(client, board_staff, reverse("board:review", args=[y.report.pk]))
    indicators_xlsx = get(
        client, leader, reverse("dashboard:export", args=[province.pk, "indicators"]), **road
    )
    breakdown_xlsx = get(
        client, leader, reverse("dashboard:export", args=[province.pk, "breakdown"]), **road
    )
    pdf = province_pdf()
    sheet = unit_sheet_pdf(district)

    assert_every_surface_shows(
        Fraction(100 * y.met, y.with_data),
        [
            printed("dashboard card", text(dashboard, "[data-indicator=ROAD] .display-6")),
            printed(
                "dashboard by district",
                row_cells(dashboard, "#breakdown-table tbody tr", district.name)[1],
            ),
            printed("dashboard data page", text(data_page, "main h1 + p strong")),
            printed("public card", text(public, "[data-indicator=ROAD] .display-6")),
            printed(
                "review page",
                text(board, "#indicator-table tr[data-indicator=ROAD] td[data-col=communes]"),
            ),
            workbook_cell(
                "indicators.xlsx", indicators_xlsx, row=(_("Code"), "ROAD"), column=_("Value")
            ),
            workbook_cell(
                "breakdown.xlsx", breakdown_xlsx, row=(_("Code"), district.code), column=_("Value")
            ),
            pdf_number(
                "province PDF, targets", pdf, rf"{re.escape(y.road.name)} \S+ \S+ NUMBER ?%"
            ),
            # The district's line, then the province's, each with its communes.
            *pdf_numbers(
                "province PDF, by district", pdf, rf"NUMBER {y.met} ?/ ?{y.with_data} \d", count=2
            ),
            pdf_number("unit sheet PDF", sheet, rf"{re.escape(y.road.name)} \S+ NUMBER ?%"),
        ],
    )


def test_every_surface_says_the_same_coverage_and_status(client, leader, board_staff, unit_officer):
    """The same figure says from how many units it comes, the same way everywhere: 16 of the
    district's 17 communes gave data, so ROAD is provisional ("Tạm tính"), not achieved."""
    y = share_year(unit_officer.unit)
    province, district = y.district.parent, y.district
    road = {"year": YEAR, "indicator": "ROAD"}
    coverage = "16/17 xã, phường, thị trấn"

    dashboard = page(client, leader, reverse("dashboard:home"), **road)
    data_page = page(client, leader, reverse("dashboard:sources", args=[province.pk]), **road)
    public = page(client, None, reverse("public-progress"), year=YEAR)
    board = page(client, board_staff, reverse("board:review", args=[y.report.pk]))
    indicators_xlsx = get(
        client, leader, reverse("dashboard:export", args=[province.pk, "indicators"]), **road
    )
    breakdown_xlsx = get(
        client, leader, reverse("dashboard:export", args=[province.pk, "breakdown"]), **road
    )
    pdf = province_pdf()
    sheet = unit_sheet_pdf(district)

    shown = {
        "dashboard card": text(dashboard, "[data-indicator=ROAD] .dash-coverage"),
        "dashboard by district": " ".join(
            row_cells(dashboard, "#breakdown-table tbody tr", district.name)
        ),
        "dashboard data page": text(data_page, "main h1 + p"),
        "public card": text(public, "[data-indicator=ROAD] .dash-coverage"),
        "review page": text(
            board, "#indicator-table tr[data-indicator=ROAD] td[data-col=communes]"
        ),
        "indicators.xlsx": workbook_text(
            "indicators.xlsx", indicators_xlsx, row=(_("Code"), "ROAD"), column=_("Coverage")
        ),
        "breakdown.xlsx": workbook_text(
            "breakdown.xlsx", breakdown_xlsx, row=(_("Code"), district.code), column=_("Coverage")
        ),
        "province PDF": pdf,
    }
    missing = {surface: seen for surface, seen in shown.items() if coverage not in seen}
    assert not missing, f"{coverage!r} is missing from: {missing}"
    # The sheet's narrow cell wraps the words among the next cell's: its count is enough.
    assert "Số liệu của 16/17 xã," in sheet
    provisional = {
        "dashboard card": text(dashboard, "[data-indicator=ROAD] .badge"),
        "public card": text(public, "[data-indicator=ROAD] .badge"),
        "indicators.xlsx": workbook_text(
            "indicators.xlsx", indicators_xlsx, row=(_("Code"), "ROAD"), column=_("Status")
        ),
    }
    assert all(seen.startswith("Tạm tính") for seen in provisional.values()), provisional
    assert f"tạm tính; số liệu của {coverage}" in pdf
    assert "Đã đạt" not in pdf


# --- Growth ------------------------------------------------------------------------------------


@dataclass
class GrowthYear:
    district: Unit
    report: Submission
    income: Indicator
    growth: Fraction  # of the district's models, weighted by households
    households: int
    coffee: str  # a model's name
    coffee_growth: Fraction
    coffee_income: int


def growth_year(district: Unit) -> GrowthYear:
    """INCOME of a district's models in 2019, each against its income the Board accepted in 2018.

    The cattle model's 13 households earn 12,5 % more, the coffee model's 17 households 1,25 %
    more: 6,125 % weighted by households (6,875 % unweighted). The goat model started in 2019:
    with no year to compare with, its 50 households weigh nothing."""
    before = PeriodFactory(year=YEAR - 1)
    period = PeriodFactory(year=YEAR)
    income = IndicatorFactory(
        campaign=period.campaign,
        code="INCOME",
        name="Thu nhập hộ tham gia mô hình",
        measure=Measure.GROWTH,
        target_low=15,
        target_high=20,
    )
    last_report = SubmissionFactory(period=before, unit=district, accepted=True)
    report = SubmissionFactory(period=period, unit=district, accepted=True)
    for name, households, was, now in (
        ("Nuôi bò sinh sản", 13, 28_000_000, 31_500_000),
        ("Trồng cà phê", 17, 20_000_000, 20_250_000),
    ):
        model = PovertyModelFactory(unit=district, name=name, start_year=YEAR - 1)
        for submission, year, average_income in ((last_report, YEAR - 1, was), (report, YEAR, now)):
            ModelResultFactory(
                model=model,
                submission=submission,
                year=year,
                participating_households=households,
                average_income_vnd=average_income,
            )
    ModelResultFactory(
        model=PovertyModelFactory(unit=district, name="Nuôi dê", start_year=YEAR),
        submission=report,
        year=YEAR,
        participating_households=50,
        average_income_vnd=25_000_000,
    )
    cattle, coffee = Fraction(31_500_000, 28_000_000) - 1, Fraction(20_250_000, 20_000_000) - 1
    return GrowthYear(
        district=district,
        report=report,
        income=income,
        growth=100 * (13 * cattle + 17 * coffee) / 30,
        households=30,
        coffee="Trồng cà phê",
        coffee_growth=100 * coffee,
        coffee_income=20_250_000,
    )


def test_every_surface_shows_the_same_income_growth(client, leader, board_staff, unit_officer):
    """The district's accepted report is the province's only one: its growth is the province's.

    Each model's own growth, shown beside the data behind the figure and on the unit's sheet,
    must agree too."""
    y = growth_year(unit_officer.unit)
    province, district = y.district.parent, y.district
    income = {"year": YEAR, "indicator": "INCOME"}

    dashboard = page(client, leader, reverse("dashboard:home"), **income)
    data_page = page(client, leader, reverse("dashboard:sources", args=[province.pk]), **income)
    public = page(client, None, reverse("public-progress"), year=YEAR)
    board = page(client, board_staff, reverse("board:review", args=[y.report.pk]))
    indicators_xlsx = get(
        client, leader, reverse("dashboard:export", args=[province.pk, "indicators"]), **income
    )
    breakdown_xlsx = get(
        client, leader, reverse("dashboard:export", args=[province.pk, "breakdown"]), **income
    )
    sources_xlsx = get(
        client, leader, reverse("dashboard:export", args=[province.pk, "sources"]), **income
    )
    pdf = province_pdf()
    sheet = unit_sheet_pdf(district)

    assert_every_surface_shows(
        y.growth,
        [
            printed("dashboard card", text(dashboard, "[data-indicator=INCOME] .display-6")),
            printed(
                "dashboard by district",
                row_cells(dashboard, "#breakdown-table tbody tr", district.name)[1],
            ),
            printed("dashboard data page", text(data_page, "main h1 + p strong")),
            printed("public card", text(public, "[data-indicator=INCOME] .display-6")),
            printed(
                "review page",
                text(board, "#indicator-table tr[data-indicator=INCOME] td[data-col=reported]"),
            ),
            workbook_cell(
                "indicators.xlsx", indicators_xlsx, row=(_("Code"), "INCOME"), column=_("Value")
            ),
            workbook_cell(
                "breakdown.xlsx", breakdown_xlsx, row=(_("Code"), district.code), column=_("Value")
            ),
            pdf_number(
                "province PDF, targets", pdf, rf"{re.escape(y.income.name)} \S+ \S+ NUMBER ?%"
            ),
            # The district's line, then the province's, each with the households weighed.
            *pdf_numbers("province PDF, by district", pdf, rf"NUMBER {y.households} ", count=2),
            pdf_number("unit sheet PDF", sheet, r"NUMBER ?% 15–20 ?%"),
        ],
    )
    assert_every_surface_shows(
        y.coffee_growth,
        [
            printed(
                "dashboard data page",
                row_cells(data_page, "tbody tr", y.coffee, column=1)[5],
            ),
            workbook_cell(
                "sources.xlsx", sources_xlsx, row=(_("Unit or model"), y.coffee), column=_("Value")
            ),
            pdf_number("unit sheet PDF, models", sheet, rf"{vn(y.coffee_income)} \+?NUMBER ?%"),
        ],
    )


# --- A report's points -------------------------------------------------------------------------


@dataclass
class ScoredYear:
    period: ReportingPeriod
    unit: Unit
    report: Submission
    board_total: Decimal
    self_total: Decimal


def scored_year(unit: Unit, rival: Unit, board: User) -> ScoredYear:
    """Two districts of one bloc, accepted by the Board: ours has 26,75 + 25,25 + 35,25 = 87,25
    Board points (90,75 self-assessed) of 100, second behind the rival's 95."""
    period = PeriodFactory(year=YEAR)
    bloc = BlocFactory(campaign=period.campaign, name="Khối các huyện")
    main = CriterionFactory(bloc=bloc, code="1", max_points=60, order=1)
    criteria = [
        CriterionFactory(bloc=bloc, parent=main, code="1.1", max_points=30, order=1),
        CriterionFactory(bloc=bloc, parent=main, code="1.2", max_points=30, order=2),
        CriterionFactory(bloc=bloc, code="2", max_points=40, order=2),
    ]

    def accepted(member: Unit, points: list[tuple[str, str]]) -> Submission:
        BlocMembershipFactory(bloc=bloc, unit=member)
        submission = SubmissionFactory(period=period, unit=member, submitted=True)
        for criterion, (own, boards) in zip(criteria, points, strict=True):
            CriterionScoreFactory(
                submission=submission,
                criterion=criterion,
                self_points=Decimal(own),
                board_points=Decimal(boards),
            )
        return review.submission_accept(
            submission=submission, by=board, expected_version=submission.version
        )

    report = accepted(unit, [("27.5", "26.75"), ("26.75", "25.25"), ("36.5", "35.25")])
    accepted(rival, [("30", "30"), ("30", "30"), ("35", "35")])
    return ScoredYear(
        period=period,
        unit=unit,
        report=report,
        board_total=Decimal("87.25"),
        self_total=Decimal("90.75"),
    )


def test_every_surface_shows_the_same_point_total(
    client, leader, board_staff, unit_officer, outsider
):
    """A report's total of Board points, and of its own points where a surface shows them, in full.

    Dashboards and the public page show no scores, so they are not read here."""
    y = scored_year(unit_officer.unit, outsider.unit, board_staff)

    report_page = page(
        client, board_staff, reverse("campaigns:submission-detail", args=[y.report.pk])
    )
    board = page(client, board_staff, reverse("board:review", args=[y.report.pk]))
    ranking = page(client, leader, reverse("board:ranking", args=[y.period.pk]))
    excel = get(client, leader, reverse("board:export", args=[y.period.pk]))
    sheet = unit_sheet_pdf(y.unit)
    pdf = province_pdf()
    # The totals line: maximum, self-assessed, (suggested,) Board points.
    report_totals = row_cells(report_page, "tfoot tr", "")
    review_totals = row_cells(board, "#score-table tfoot tr", "")

    assert_every_surface_shows(
        y.board_total,
        [
            printed("report page", report_totals[3]),
            printed("review page", text(board, "#board-total")),
            printed("ranking page", row_cells(ranking, "tbody tr", y.unit.code, column=1)[2]),
            workbook_cell(
                "ranking.xlsx", excel, row=(_("Code"), y.unit.code), column=_("Total Board points")
            ),
            pdf_number("unit sheet PDF, verdict", sheet, r"NUMBER ?/ ?100\b"),
            pdf_number("unit sheet PDF, totals line", sheet, r"\b100 \S+ NUMBER"),
            pdf_number("province PDF, ranking", pdf, rf"\d+ {re.escape(y.unit.name)} NUMBER"),
        ],
        in_full=True,
    )
    assert_every_surface_shows(
        y.self_total,
        [
            printed("report page", report_totals[2]),
            printed("review page", review_totals[2]),
            pdf_number("unit sheet PDF, totals line", sheet, r"\b100 NUMBER \S+"),
        ],
        in_full=True,
    )


# --- Deprivation by dimension ------------------------------------------------------------------


def test_every_surface_shows_the_same_deprivation_rate(client, leader, unit_officer):
    """217 of 800 poor households lack a hygienic latrine, 27,125 %; a commune that left the
    count blank is in neither sum (with its 400 poor households counted it would be 18,08 %)."""
    district = unit_officer.unit
    PeriodFactory(year=YEAR)
    CommuneStatisticsFactory(
        commune=CommuneFactory(parent=district),
        year=YEAR,
        total_households=2_000,
        poor_households=800,
        poor_lacking_latrine=217,
    )
    CommuneStatisticsFactory(
        commune=CommuneFactory(parent=district), year=YEAR, poor_households=400
    )
    province = district.parent
    latrine_row = "#deprivation-table tr[data-deprivation=latrine] td[data-col=poor-rate]"

    dashboard = page(client, leader, reverse("dashboard:home"), year=YEAR)
    district_page = page(client, leader, reverse("dashboard:scope", args=[district.pk]), year=YEAR)
    public = page(client, None, reverse("public-progress"), year=YEAR)
    excel = get(
        client, leader, reverse("dashboard:export", args=[province.pk, "deprivation"]), year=YEAR
    )
    record = next(
        line
        for line in load_workbook(io.BytesIO(excel)).worksheets[0].iter_rows(values_only=True)
        if line[0] == YEAR and line[3] == "Hố xí/nhà tiêu hợp vệ sinh" and line[1] == "Hộ nghèo"
    )
    pdf = province_pdf()

    assert_every_surface_shows(
        Fraction(100 * 217, 800),
        [
            printed("dashboard", text(dashboard, latrine_row)),
            printed("district dashboard", text(district_page, latrine_row)),
            printed(
                "dashboard by district",
                row_cells(dashboard, "#deprivation-children tbody tr", district.name)[8],
            ),
            printed("public page", text(public, latrine_row)),
            cell("deprivation.xlsx", record[6]),
            # The table's narrow cell wraps the indicator's name around its counts.
            pdf_number("province PDF, table", pdf, r"Hố xí/nhà tiêu hợp vệ 217 NUMBER"),
            pdf_number("province PDF, summary", pdf, r"hợp vệ sinh \(NUMBER ?%\)"),
            pdf_number("province PDF, by district", pdf, r"NUMBER – – 1/2 xã"),
        ],
    )
