"""The roadmap: yearly milestones derived from the baseline or set by the Board, on every chart
and in the province PDF's "Lộ trình" column."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from bench.national import generate
from indicators import progress
from indicators.models import Baseline, Indicator, Measure, Milestone
from indicators.progress import Target
from indicators.progress.roadmap import milestones_for, roadmap
from reports import charts
from reports.documents.province import ProvinceReport
from reports.pdf.render import pdf_render
from tests.factories import IndicatorFactory, PeriodFactory, ProvinceFactory
from tests.pdf_tools import pdf_text
from units.models import Unit

pytestmark = pytest.mark.django_db

SOURCE = "Báo cáo số 12/BC-UBND"


@pytest.fixture
def period():
    return PeriodFactory(year=2019)


@pytest.fixture
def road(period):
    return IndicatorFactory(
        campaign=period.campaign, code="ROAD", commune_field="paved_road", target_low=100
    )


def _baseline(indicator, value, by, year=2017):
    return Baseline.objects.create(
        indicator=indicator,
        year=year,
        value=value,
        source_document=SOURCE,
        set_by=by,
        set_at=timezone.now(),
    )


# --- Derived and set milestones -----------------------------------------------------------------


def test_derived_milestones_run_in_a_straight_line_from_the_baseline(road, board_staff):
    _baseline(road, 70, board_staff)
    province = ProvinceFactory()

    years = roadmap(road, province)

    assert [(y.year, y.line, y.is_set) for y in years] == [
        (2018, 80.0, False),
        (2019, 90.0, False),
        (2020, 100.0, False),
    ]
    assert milestones_for([road], province, 2019) == {road.pk: Target(low=90.0, high=None)}
    assert progress.indicator_progress(indicator=road, scope=province, year=2019).milestone == (
        Target(low=90.0, high=None)
    )


def test_the_last_milestone_is_the_target_itself_strictness_included(period, board_staff):
    labour = IndicatorFactory(
        campaign=period.campaign,
        code="LABOUR",
        measure=Measure.RATE,
        target_low=52,
        target_strict=True,
    )
    _baseline(labour, 40, board_staff)

    years = {y.year: y.milestone for y in roadmap(labour, None)}

    assert years[2019] == Target(low=48.0, high=None)  # 40 + 2 × 4
    assert years[2020].strict and years[2020].low == 52.0
    assert not years[2020].is_met(52.0)


def test_without_a_baseline_nothing_is_derived(road):
    assert milestones_for([road], ProvinceFactory(), 2019) == {}
    assert roadmap(road, None) == []


def test_a_yearly_target_is_its_own_milestone_every_year(period, board_staff):
    income = IndicatorFactory(
        campaign=period.campaign,
        code="INCOME",
        measure=Measure.GROWTH,
        target_low=15,
        target_high=20,
    )
    escape = IndicatorFactory(
        campaign=period.campaign, code="ESCAPE", measure=Measure.RATE, target_low=10
    )
    _baseline(income, 18_000_000, board_staff)
    _baseline(escape, 8, board_staff)

    found = milestones_for([income, escape], ProvinceFactory(), 2018)

    assert found == {income.pk: Target(low=15.0, high=20.0), escape.pk: Target(low=10.0, high=None)}
    assert [y.line for y in roadmap(escape, None)] == [10.0, 10.0, 10.0]


def _post(road, **milestones):
    data = {
        f"i{road.pk}-value": "70",
        f"i{road.pk}-year": "2017",
        f"i{road.pk}-source": SOURCE,
        f"i{road.pk}-note": "",
        **{f"i{road.pk}-m{year}": "" for year in (2018, 2019, 2020)},
    }
    data.update({f"i{road.pk}-m{year}": value for year, value in milestones.items()})
    return data


def test_a_board_milestone_wins_and_records_who_and_when(client, board_staff, period, road):
    client.force_login(board_staff)
    url = reverse("board:roadmap", args=[period.pk])

    response = client.post(url, _post(road, **{"2019": "85,5"}))

    assert response.status_code == 302
    milestone = Milestone.objects.get(indicator=road, year=2019, scope__isnull=True)
    assert milestone.target_low == Decimal("85.5")
    assert milestone.set_by == board_staff
    assert milestone.set_at is not None
    province = ProvinceFactory()
    assert milestones_for([road], province, 2019)[road.pk] == Target(low=85.5, high=None)
    assert milestones_for([road], province, 2018)[road.pk] == Target(low=80.0, high=None)
    plan = {y.year: y for y in roadmap(road, province)}
    assert plan[2019].is_set and plan[2019].set_by == board_staff
    assert plan[2019].derived == Target(low=90.0, high=None)  # shown beside
    page = client.get(url).content.decode()
    assert "85,5" in page and board_staff.username in page


def test_a_blank_milestone_goes_back_to_the_derived_one(client, board_staff, period, road):
    client.force_login(board_staff)
    url = reverse("board:roadmap", args=[period.pk])
    client.post(url, _post(road, **{"2019": "85"}))

    client.post(url, _post(road))

    assert not Milestone.objects.exists()
    assert milestones_for([road], ProvinceFactory(), 2019)[road.pk] == Target(low=90.0, high=None)


def test_a_leader_cannot_set_a_milestone(client, leader, period, road):
    client.force_login(leader)

    response = client.post(
        reverse("board:roadmap", args=[period.pk]), _post(road, **{"2019": "85"})
    )

    assert response.status_code == 403
    assert not Milestone.objects.exists()


# --- Charts -------------------------------------------------------------------------------------


def test_a_trend_chart_draws_each_milestone_with_a_legend():
    with translation.override("vi"):
        chart = charts.line_chart(
            title="ROAD",
            points=[(2018, 82.0), (2019, 88.0)],
            target=100,
            milestones=[(2017, 70.0), (2018, 80.0), (2019, 90.0), (2020, 100.0)],
        )

    svg = str(chart.svg)
    for year in (2017, 2018, 2019, 2020):
        assert f'data-milestone="{year}"' in svg
    assert 'data-legend="roadmap"' in svg
    assert "Lộ trình" in svg
    assert ">2020</text>" in svg  # the axis runs on to the target year


def test_a_chart_without_a_roadmap_has_no_milestone_marks():
    chart = charts.line_chart(title="ROAD", points=[(2018, 82.0)], target=100)

    assert "data-milestone" not in str(chart.svg)
    assert "data-legend" not in str(chart.svg)


def test_the_dashboard_charts_show_the_roadmap(client, leader, road, board_staff):
    province = ProvinceFactory(code="62")
    _baseline(road, 70, board_staff)
    client.force_login(leader)

    page = client.get(
        reverse("dashboard:scope", args=[province.pk]), {"year": "2019", "indicator": "ROAD"}
    ).content.decode()

    # The card's sparkline and the selected indicator's trend chart, and the list beside it.
    assert page.count('data-milestone="2019"') >= 2
    assert 'data-legend="roadmap"' in page
    assert "2019: ≥ 90" in page and "2020: ≥ 100" in page


def test_a_breakdown_chart_draws_the_years_milestone_beside_the_target():
    with translation.override("vi"):
        chart = charts.bar_chart(
            title="ROAD",
            rows=[charts.ChartRow("Huyện Đắk Glei", 85.0), charts.ChartRow("Huyện Đắk Tô", 95.0)],
            target=100,
            milestone=90,
        )

    svg = str(chart.svg)
    assert 'data-milestone="90,0"' in svg
    assert "lộ trình 90,0" in svg
    assert "lộ trình" not in str(
        charts.bar_chart(
            title="ROAD", rows=[charts.ChartRow("Huyện Đắk Glei", 85.0)], target=100
        ).svg
    )


def test_the_dashboard_breakdown_chart_shows_the_years_milestone(client, leader, road, board_staff):
    province = ProvinceFactory(code="62")
    _baseline(road, 70, board_staff)
    client.force_login(leader)

    response = client.get(
        reverse("dashboard:scope", args=[province.pk]), {"year": "2019", "indicator": "ROAD"}
    )

    assert 'data-milestone="90,0"' in str(response.context["page"].breakdown_chart.svg)


# --- The province PDF ---------------------------------------------------------------------------


def test_the_pdf_roadmap_column_has_the_year_milestones(board_staff):
    generate(
        provinces=1,
        districts_per_province=2,
        communes_per_district=2,
        organisations_per_province=1,
        years=(2018, 2019),
        extra_commune_every=0,
    )
    assert Unit.objects.filter(code="62").exists()
    Milestone.objects.all().delete()  # the generator's own, set province-wide

    def main_text() -> str:
        with translation.override("vi"):
            html = ProvinceReport.build(year=2019, on=date(2020, 2, 5)).main_html()
            return pdf_text(pdf_render(html).content)

    before = main_text()
    road = Indicator.objects.get(code="ROAD")
    culture = Indicator.objects.get(code="CULTURE")
    _baseline(road, 70, board_staff)  # 2019: 70 + 2 × 10 = 90
    _baseline(culture, 20, board_staff)  # 2019: 20 + 2 × (50 − 20) / 3 = 40
    Milestone.objects.create(indicator=Indicator.objects.get(code="EDU"), year=2019, target_low=73)
    after = main_text()

    assert "Lộ trình năm 2019" in before
    assert "≥ 90%" not in before and "≥ 40%" not in before
    assert "≥ 90%" in after
    assert "≥ 40%" in after
    assert "≥ 73%" in after
    # ROAD's chart of the districts draws the year's milestone beside the target.
    assert "lộ trình 90,0" not in before
    assert "lộ trình 90,0" in after
