"""Coverage on every figure: a province or district figure says how many of its units gave data,
is "achieved" only on complete data, and is withheld below the Board's minimum coverage.

Kon Tum's real units: 85 xã and 17 wards and towns in 10 districts; Huyện Đắk Glei has 11 xã and
one town. The targets are the eight of 3198/UBND-TH as seeded, strict where the text says "trên" or
"hơn"."""

from dataclasses import dataclass
from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from campaigns.models import Campaign, ReportingPeriod
from indicators import progress
from indicators.models import CommuneStatistics, Indicator, ModelResult, ReportedValue
from indicators.progress import Status
from indicators.services import reference_data_seed
from reports.documents.province import ProvinceReport
from reports.pdf.render import pdf_render
from tests.factories import PovertyModelFactory, SubmissionFactory, UserFactory
from tests.pdf_tools import pdf_text
from units.models import Unit, UnitKind, UnitLevel

pytestmark = pytest.mark.django_db

DAK_GLEI = "610"


@dataclass
class KonTum:
    campaign: Campaign
    province: Unit
    indicators: dict[str, Indicator]

    def overview(self, year: int) -> progress.Overview:
        campaign = Campaign.objects.get(pk=self.campaign.pk)
        return progress.progress_overview(campaign=campaign, scope=self.province, year=year)

    def figure(self, code: str, year: int) -> progress.Progress:
        return next(p for p in self.overview(year).indicators if p.code == code)


@pytest.fixture
def kon_tum(db) -> KonTum:
    reference_data_seed()
    campaign = Campaign.objects.get(number="3198/UBND-TH")
    return KonTum(
        campaign=campaign,
        province=Unit.objects.get(level=UnitLevel.PROVINCE),
        indicators={i.code: i for i in campaign.indicators.all()},
    )


def _communes(*, district: str | None = None, kinds=(UnitKind.COMMUNE,)) -> list[Unit]:
    units = Unit.objects.filter(level=UnitLevel.COMMUNE, kind__in=kinds).order_by("code")
    return list(units.filter(parent__code=district) if district else units)


def _statistics(communes: list[Unit], year: int = 2020, **flags: bool) -> None:
    values = {
        "paved_road": True,
        "adequate_schools": True,
        "health_criteria_met": True,
        "cultural_house": True,
        **flags,
    }
    CommuneStatistics.objects.bulk_create(
        CommuneStatistics(commune=c, year=year, total_households=500, poor_households=100, **values)
        for c in communes
    )


def _four_communes_of_dak_glei() -> None:
    _statistics(_communes(district=DAK_GLEI)[:4])


# --- The engine ---------------------------------------------------------------------------------


def test_four_communes_of_102_make_no_province_figure(kon_tum):
    _four_communes_of_dak_glei()

    overview = kon_tum.overview(2020)
    figures = {p.code: p for p in overview.indicators}

    road, health = figures["ROAD"], figures["HEALTH"]
    assert (road.value, road.status) == (None, Status.NOT_ENOUGH_DATA)
    assert road.status_text == "Chưa đủ số liệu (4/85 xã)"
    # Health stations are counted in wards and towns too: another denominator.
    assert str(health.coverage) == "4/102 xã, phường, thị trấn"
    assert health.value is None
    assert Status.ACHIEVED not in {p.status for p in overview.indicators}
    poverty = overview.poverty_this_year
    assert poverty is not None
    assert (poverty.poverty_rate, str(poverty.coverage)) == (None, "4/102 xã, phường, thị trấn")


def test_a_partial_figure_is_provisional_never_achieved(kon_tum):
    Campaign.objects.filter(pk=kon_tum.campaign.pk).update(coverage_threshold=0)
    _four_communes_of_dak_glei()

    road = kon_tum.figure("ROAD", 2020)

    assert road.value == 100.0
    assert road.status == Status.PROVISIONAL
    assert road.status_text == "Tạm tính (4/85 xã)"


def test_complete_data_achieves_and_each_target_counts_its_own_units(kon_tum):
    # Every xã has figures, no ward or town has.
    _statistics(_communes())

    figures = {p.code: p for p in kon_tum.overview(2020).indicators}

    assert (figures["ROAD"].status, str(figures["ROAD"].coverage)) == (Status.ACHIEVED, "85/85 xã")
    # HEALTH counts wards and towns: 85 of 102 is above the threshold but not complete.
    assert figures["HEALTH"].status == Status.PROVISIONAL
    assert str(figures["HEALTH"].coverage) == "85/102 xã, phường, thị trấn"


def test_a_figure_below_the_threshold_leaves_the_trend_too(kon_tum):
    _four_communes_of_dak_glei()
    _statistics(_communes(), year=2019, paved_road=False)

    road = kon_tum.figure("ROAD", 2020)

    assert [(point.year, point.value) for point in road.trend] == [(2019, 0.0), (2020, None)]


def test_a_district_breakdown_withholds_districts_below_the_threshold(kon_tum):
    _four_communes_of_dak_glei()

    rows = {
        row.code: row
        for row in progress.progress_by_child(
            indicator=kon_tum.indicators["ROAD"], scope=kon_tum.province, year=2020
        )
    }

    dak_glei = rows[DAK_GLEI]
    assert (dak_glei.value, dak_glei.not_enough_data, str(dak_glei.coverage)) == (
        None,
        True,
        "4/11 xã",
    )
    Campaign.objects.filter(pk=kon_tum.campaign.pk).update(coverage_threshold=30)
    rows = progress.progress_by_child(
        indicator=kon_tum.indicators["ROAD"], scope=kon_tum.province, year=2020
    )
    assert next(r for r in rows if r.code == DAK_GLEI).value == 100.0


# --- Targets as they are written ----------------------------------------------------------------


def _labour_reports(kon_tum: KonTum, trained: dict[str, int], year: int = 2020) -> None:
    period = ReportingPeriod.objects.get(campaign=kon_tum.campaign, year=year)
    for district in Unit.objects.filter(level=UnitLevel.DISTRICT).order_by("code"):
        submission = SubmissionFactory(period=period, unit=district, accepted=True)
        ReportedValue.objects.create(
            submission=submission,
            indicator=kon_tum.indicators["LABOUR"],
            numerator=trained.get(district.code, 52),
            denominator=100,
        )


def test_more_than_52_percent_is_not_met_at_exactly_52(kon_tum):
    _labour_reports(kon_tum, {})

    labour = kon_tum.figure("LABOUR", 2020)

    assert (labour.value, str(labour.coverage)) == (52.0, "10/10 huyện, thành phố")
    assert str(labour.target) == "> 52"
    assert labour.status == Status.OFF_TRACK
    assert "trên 52%" in labour.wording


def test_more_than_52_percent_is_met_just_above(kon_tum):
    _labour_reports(kon_tum, {"610": 53})

    assert kon_tum.figure("LABOUR", 2020).status == Status.ACHIEVED


def _escape(kon_tum: KonTum, escaped: dict[int, int]) -> None:
    """One district's model of 100 households, with the households escaping each year."""
    district = Unit.objects.get(code=DAK_GLEI)
    model = PovertyModelFactory(unit=district, start_year=min(escaped))
    for year, count in escaped.items():
        period = ReportingPeriod.objects.get(campaign=kon_tum.campaign, year=year)
        ModelResult.objects.create(
            model=model,
            year=year,
            participating_households=100,
            escaped_households=count,
            submission=SubmissionFactory(period=period, unit=district, accepted=True),
        )


def test_escape_is_judged_on_the_average_of_the_years_so_far(kon_tum):
    _escape(kon_tum, {2018: 8, 2019: 13})

    escape = kon_tum.figure("ESCAPE", 2019)

    assert [(point.year, point.value) for point in escape.trend] == [(2018, 8.0), (2019, 13.0)]
    assert (escape.value, escape.year_value, escape.averaged) == (10.5, 13.0, True)
    assert str(escape.coverage) == "1/1 đơn vị có mô hình"
    assert escape.status == Status.ACHIEVED


def test_escape_shows_each_year_beside_the_average_on_the_card_and_in_the_pdf(client, kon_tum):
    _escape(kon_tum, {2018: 8, 2019: 13})

    html = _page(client, reverse("public-progress"), year=2019)
    with translation.override("vi"):
        pdf = pdf_text(
            pdf_render(ProvinceReport.build(year=2019, on=date(2020, 2, 5)).main_html()).content
        )

    card = html[html.index('data-indicator="ESCAPE"') :]
    assert "bình quân các năm đến nay: 2018: 8,0 % · 2019: 13,0 %" in card
    assert "Bình quân các năm đến nay: 10,5% (2018: 8,0%; 2019: 13,0%), đã đạt" in pdf


def test_escape_at_exactly_10_percent_on_average_is_not_more_than_10(kon_tum):
    _escape(kon_tum, {2018: 12, 2019: 8})

    escape = kon_tum.figure("ESCAPE", 2019)

    assert escape.value == 10.0
    assert escape.status != Status.ACHIEVED


# --- Pages --------------------------------------------------------------------------------------


def _page(client, url: str, user=None, **params) -> str:
    if user is not None:
        client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("where", ["dashboard:home", "public-progress"])
def test_after_four_communes_no_page_claims_more_or_achieves(client, kon_tum, where):
    _four_communes_of_dak_glei()
    leader = UserFactory(leader=True)

    html = _page(
        client, reverse(where), leader if where.startswith("dashboard") else None, year=2020
    )

    assert "Chưa đủ số liệu (4/85 xã)" in html
    assert "Chưa đủ số liệu (4/102 xã, phường, thị trấn)" in html  # the poverty rate
    assert 'data-status="achieved"' not in html
    assert "Đã đạt" not in html
    assert "102 xã có số liệu" not in html


def test_a_card_shows_the_targets_own_words_and_a_strict_sign(client, kon_tum):
    html = _page(client, reverse("public-progress"), year=2020)

    assert "Đến năm 2020: tỷ lệ lao động qua đào tạo đạt trên 52%." in html
    assert "&gt; 52 %" in html


def test_the_board_sets_the_minimum_coverage_and_the_figures_follow(client, kon_tum):
    _four_communes_of_dak_glei()
    period = ReportingPeriod.objects.get(campaign=kon_tum.campaign, year=2020)
    url = reverse("board:coverage", args=[period.pk])
    board = UserFactory(board=True)

    html = _page(client, url, board)
    assert "4/85 xã" in html
    assert "chỉ các xã" in html  # what ROAD's denominator counts

    refused = client.post(url, {"threshold": "101"})
    assert refused.status_code == 422
    assert Campaign.objects.get(pk=kon_tum.campaign.pk).coverage_threshold == 50

    response = client.post(url, {"threshold": "0"})
    assert response.status_code == 302
    assert Campaign.objects.get(pk=kon_tum.campaign.pk).coverage_threshold == 0
    public = _page(client, reverse("public-progress"), year=2020)
    assert "Tạm tính" in public
    assert "Chưa đủ số liệu (4/85 xã)" not in public


@pytest.mark.parametrize("role", ["leader", "officer"])
def test_only_the_board_sets_the_minimum_coverage(client, kon_tum, role):
    period = ReportingPeriod.objects.get(campaign=kon_tum.campaign, year=2020)
    user = (
        UserFactory(leader=True)
        if role == "leader"
        else UserFactory(unit=Unit.objects.get(code=DAK_GLEI))
    )
    client.force_login(user)

    response = client.post(reverse("board:coverage", args=[period.pk]), {"threshold": "0"})

    assert response.status_code == 403
    assert Campaign.objects.get(pk=kon_tum.campaign.pk).coverage_threshold == 50


def test_unaccepted_reports_do_not_count_towards_coverage(kon_tum):
    period = ReportingPeriod.objects.get(campaign=kon_tum.campaign, year=2020)
    for district in Unit.objects.filter(level=UnitLevel.DISTRICT).order_by("code")[:6]:
        submission = SubmissionFactory(period=period, unit=district, submitted=True)
        ReportedValue.objects.create(
            submission=submission,
            indicator=kon_tum.indicators["LABOUR"],
            numerator=60,
            denominator=100,
        )

    labour = kon_tum.figure("LABOUR", 2020)

    assert (labour.value, labour.status, labour.coverage.reported) == (
        None,
        Status.NO_DATA,
        0,
    )
