"""The progress engine against figures worked out by hand from small fixtures."""

import pytest

from campaigns.models import Submission
from indicators import progress
from indicators.models import Direction, Measure, Milestone, ModelResult, PovertyModel
from indicators.models import ReportedValue as RV
from indicators.progress import Status, Target
from tests.factories import (
    CampaignFactory,
    CommuneFactory,
    CommuneStatisticsFactory,
    DepartmentFactory,
    DistrictFactory,
    IndicatorFactory,
    PeriodFactory,
    ProvinceFactory,
    SubmissionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def province():
    return ProvinceFactory()


@pytest.fixture
def road(province):
    return IndicatorFactory(
        code="ROAD", measure=Measure.SHARE_OF_COMMUNES, commune_field="paved_road", target_low=100
    )


@pytest.fixture
def labour():
    return IndicatorFactory(code="LABOUR", measure=Measure.RATE, target_low=52)


@pytest.fixture
def income():
    return IndicatorFactory(code="INCOME", measure=Measure.GROWTH, target_low=15, target_high=20)


@pytest.fixture
def escape():
    return IndicatorFactory(code="ESCAPE", measure=Measure.RATE, target_low=10)


def _communes(district, flags, year=2019, field="paved_road"):
    communes = []
    for flag in flags:
        commune = CommuneFactory(parent=district)
        if flag != "missing":
            CommuneStatisticsFactory(commune=commune, year=year, **{field: flag})
        communes.append(commune)
    return communes


def _report(unit, indicator, numerator, denominator, year=2019, status="accepted"):
    traits = {"accepted": {"accepted": True}, "submitted": {"submitted": True}, "draft": {}}
    submission = SubmissionFactory(unit=unit, period=PeriodFactory(year=year), **traits[status])
    RV.objects.create(
        submission=submission, indicator=indicator, numerator=numerator, denominator=denominator
    )
    return submission


def _submission(unit, year, status="accepted"):
    existing = Submission.objects.filter(unit=unit, period__year=year).first()
    if existing:
        return existing
    trait = {"accepted": True} if status == "accepted" else {"submitted": True}
    return SubmissionFactory(unit=unit, period=PeriodFactory(year=year), **trait)


def _model(unit, households, incomes, status="accepted", escaped=None):
    model = PovertyModel.objects.create(
        unit=unit,
        name=f"Mô hình {PovertyModel.objects.count()}",
        start_year=2017,
        participating_households=households,
    )
    for year, income in incomes.items():
        ModelResult.objects.create(
            model=model,
            year=year,
            submission=_submission(unit, year, status),
            participating_households=households,
            average_income_vnd=income,
            escaped_households=(escaped or {}).get(year, 0),
        )
    return model


# --- Share of communes ------------------------------------------------------------------------


def test_share_counts_communes_meeting_among_communes_with_data(province, road):
    district = DistrictFactory(parent=province)
    _communes(district, [True, True, False, None, "missing"])

    result = progress.indicator_progress(indicator=road, scope=district, year=2019)

    # 2 paved out of 3 with data; one null value and one absent row are missing, not failing.
    assert result.value == pytest.approx(66.67)
    assert (result.numerator, result.denominator) == (2, 3)
    assert (result.coverage.reported, result.coverage.expected) == (3, 5)
    assert result.status == Status.PROVISIONAL
    assert result.communes_missing == 2


def test_province_share_is_over_all_its_communes_not_an_average_of_districts(province, road):
    _communes(DistrictFactory(parent=province), [True])
    _communes(DistrictFactory(parent=province), [False, False, True])

    result = progress.indicator_progress(indicator=road, scope=province, year=2019)

    # 2 of 4 communes = 50%, whereas averaging the districts' 100% and 33% would give 66.7%.
    assert result.value == 50.0


def test_share_ignores_communes_of_other_districts_and_years(province, road):
    mine, other = DistrictFactory(parent=province), DistrictFactory(parent=province)
    _communes(mine, [True, False])
    _communes(other, [True, True, True])
    _communes(mine, [True, True], year=2018)

    result = progress.indicator_progress(indicator=road, scope=mine, year=2019)

    assert (result.numerator, result.denominator) == (1, 2)


def test_breakdown_gives_each_district_its_share_and_missing_communes(province, road):
    first, second = DistrictFactory(parent=province), DistrictFactory(parent=province)
    _communes(first, [True, False, "missing"])
    _communes(second, ["missing"])

    rows = progress.progress_by_child(indicator=road, scope=province, year=2019)

    by_id = {row.unit_id: row for row in rows}
    assert by_id[first.pk].value == 50.0
    assert by_id[first.pk].communes_missing == 1
    assert by_id[first.pk].met is False
    assert by_id[second.pk].value is None
    assert by_id[second.pk].met is None  # no data is missing, never failing
    assert by_id[second.pk].communes_missing == 1


def test_sources_list_every_commune_with_its_status(province, road):
    district = DistrictFactory(parent=province)
    communes = _communes(district, [True, "missing"])

    rows = progress.progress_sources(indicator=road, scope=district, year=2019)

    assert [(r.unit_id, r.met) for r in rows] == [(communes[0].pk, True), (communes[1].pk, None)]


def test_an_organisation_has_no_commune_share(province, road):
    department = DepartmentFactory(parent=province)

    result = progress.indicator_progress(indicator=road, scope=department, year=2019)

    assert result.value is None
    assert result.status == Status.NO_DATA


# --- Rates reported by districts ----------------------------------------------------------------


def test_province_rate_is_the_ratio_of_summed_counts(province, labour):
    _report(DistrictFactory(parent=province), labour, 90, 100)
    _report(DistrictFactory(parent=province), labour, 10, 100)
    _report(DistrictFactory(parent=province), labour, 300, 800)

    result = progress.indicator_progress(indicator=labour, scope=province, year=2019)

    # (90 + 10 + 300) / (100 + 100 + 800) = 40%, not the mean of 90%, 10% and 37.5%.
    assert result.value == 40.0


def test_only_accepted_reports_count_unless_board_includes_submitted(province, labour):
    _report(DistrictFactory(parent=province), labour, 60, 100)
    _report(DistrictFactory(parent=province), labour, 20, 100, status="submitted")
    _report(DistrictFactory(parent=province), labour, 0, 100, status="draft")

    accepted = progress.indicator_progress(indicator=labour, scope=province, year=2019)
    with_submitted = progress.indicator_progress(
        indicator=labour, scope=province, year=2019, include_submitted=True
    )

    # One accepted report of three districts is below the Board's 50 % threshold: no figure.
    assert accepted.value is None
    assert accepted.status == Status.NOT_ENOUGH_DATA
    assert str(accepted.coverage) == "1/3 huyện, thành phố"
    assert accepted.unaccepted_reports == 0
    assert with_submitted.value == 40.0
    assert with_submitted.status == Status.PROVISIONAL
    assert with_submitted.unaccepted_reports == 1


def test_rate_breakdown_shows_each_district_report(province, labour):
    district = DistrictFactory(parent=province)
    silent = DistrictFactory(parent=province)
    _report(district, labour, 30, 60)

    rows = {
        r.unit_id: r
        for r in progress.progress_by_child(indicator=labour, scope=province, year=2019)
    }

    assert rows[district.pk].value == 50.0
    assert rows[silent.pk].value is None


# --- Model results ------------------------------------------------------------------------------


def test_income_growth_weights_models_by_households(province, income):
    district = DistrictFactory(parent=province)
    _model(district, 10, {2018: 1_000_000, 2019: 1_200_000})  # +20%
    _model(district, 30, {2018: 2_000_000, 2019: 2_200_000})  # +10%

    result = progress.indicator_progress(indicator=income, scope=province, year=2019)

    # (10 × 20% + 30 × 10%) / 40 = 12.5%
    assert result.value == 12.5


def test_income_growth_needs_an_accepted_previous_year(province, income):
    district = DistrictFactory(parent=province)
    model = _model(district, 10, {2019: 1_200_000})
    unaccepted = SubmissionFactory(unit=district, period=PeriodFactory(year=2018), submitted=True)
    ModelResult.objects.create(
        model=model,
        year=2018,
        submission=unaccepted,
        participating_households=10,
        average_income_vnd=1_000_000,
    )

    accepted_only = progress.indicator_progress(indicator=income, scope=province, year=2019)
    with_submitted = progress.indicator_progress(
        indicator=income, scope=province, year=2019, include_submitted=True
    )

    assert accepted_only.value is None
    assert with_submitted.value == 20.0


def test_escape_rate_is_escaped_over_participating_households(province, escape):
    district = DistrictFactory(parent=province)
    commune = CommuneFactory(parent=district)
    _model(district, 40, {2019: 1}, escaped={2019: 2})
    _model(commune, 60, {2019: 1}, escaped={2019: 8})

    result = progress.indicator_progress(indicator=escape, scope=province, year=2019)
    at_commune = progress.indicator_progress(indicator=escape, scope=commune, year=2019)

    assert result.value == 10.0  # (2 + 8) / (40 + 60)
    assert at_commune.value == pytest.approx(13.33)


def test_an_agency_counts_only_the_models_it_runs(province, escape):
    agency = DepartmentFactory(parent=province)
    district = DistrictFactory(parent=province)
    _model(agency, 20, {2019: 1}, escaped={2019: 5})
    _model(district, 80, {2019: 1}, escaped={2019: 0})

    result = progress.indicator_progress(indicator=escape, scope=agency, year=2019)

    assert result.value == 25.0  # 5 / 20, the district's model left out


def test_model_breakdown_places_a_commune_unit_model_in_its_district(province, escape):
    district = DistrictFactory(parent=province)
    commune = CommuneFactory(parent=district)
    _model(commune, 50, {2019: 1}, escaped={2019: 5})

    rows = {
        r.unit_id: r
        for r in progress.progress_by_child(indicator=escape, scope=province, year=2019)
    }

    assert rows[district.pk].value == 10.0


# --- Targets and status -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "met", "beyond"),
    [
        (14.9, False, False),
        (15, True, False),
        (18, True, False),
        (20, True, False),
        (25, True, True),
    ],
)
def test_a_range_target_is_met_inside_and_above_the_range(value, met, beyond):
    target = Target(low=15, high=20)

    assert target.is_met(value) is met
    assert target.is_beyond_range(value) is beyond


def test_a_lower_is_better_target_is_met_below_its_line():
    target = Target(low=None, high=5, direction=Direction.LOWER_IS_BETTER)

    assert target.is_met(4)
    assert not target.is_met(6)


@pytest.mark.parametrize(
    ("value", "year", "milestone", "projection", "expected"),
    [
        (None, 2019, None, None, Status.NO_DATA),
        (100, 2019, None, None, Status.ACHIEVED),
        (90, 2020, 80, 100, Status.OFF_TRACK),  # target year reached, target missed
        (85, 2019, 80, 100, Status.ON_TRACK),  # milestone met and projection reaches target
        (85, 2019, 90, 100, Status.BEHIND),  # milestone missed, projection fine
        (85, 2019, 80, 95, Status.AT_RISK),  # milestone met, projection short
        (70, 2019, 80, 90, Status.BEHIND),  # both missed: behind the roadmap, not yet failed
        (70, 2019, None, 100, Status.ON_TRACK),  # no roadmap: the trend reaches the target
        (70, 2019, None, 90, Status.AT_RISK),  # no roadmap: the trend falls short
        (70, 2019, None, None, Status.AT_RISK),  # nothing to judge by
    ],
)
def test_status_rules(value, year, milestone, projection, expected):
    status = progress.progress_status(
        value=value,
        year=year,
        target_year=2020,
        target=Target(low=100, high=None),
        milestone=None if milestone is None else Target(low=milestone, high=None),
        projection=projection,
    )

    assert status == expected


def test_projection_follows_the_trend_to_the_target_year(province, road):
    district = DistrictFactory(parent=province)
    communes = [CommuneFactory(parent=district) for _ in range(4)]
    for year, flags in {
        2017: [True, False, False, False],
        2018: [True, True, False, False],
        2019: [True, True, True, False],
    }.items():
        for commune, flag in zip(communes, flags, strict=True):
            CommuneStatisticsFactory(commune=commune, year=year, paved_road=flag)
    Milestone.objects.create(indicator=road, year=2019, target_low=70)

    result = progress.indicator_progress(indicator=road, scope=district, year=2019)

    assert [p.value for p in result.trend] == [25.0, 50.0, 75.0]
    assert result.projection == 100.0
    assert result.milestone == Target(low=70, high=None)
    assert result.status == Status.ON_TRACK


def test_a_scope_milestone_wins_over_the_province_one(province, road):
    district = DistrictFactory(parent=province)
    Milestone.objects.create(indicator=road, year=2019, target_low=70)
    Milestone.objects.create(indicator=road, year=2019, scope=district, target_low=40)

    assert (
        progress.indicator_progress(indicator=road, scope=district, year=2019).milestone.low == 40
    )
    assert (
        progress.indicator_progress(indicator=road, scope=province, year=2019).milestone.low == 70
    )


def test_overview_gives_every_indicator_and_the_poverty_rate(province, road, labour):
    district = DistrictFactory(parent=province)
    commune = CommuneFactory(parent=district)
    CommuneStatisticsFactory(
        commune=commune, total_households=400, poor_households=100, paved_road=True
    )
    CommuneStatisticsFactory(
        commune__parent=district, total_households=600, poor_households=50, paved_road=False
    )
    _report(district, labour, 52, 100)

    overview = progress.progress_overview(campaign=CampaignFactory(), scope=province, year=2019)

    assert [p.code for p in overview.indicators] == ["LABOUR", "ROAD"]
    values = {p.code: (p.value, p.status) for p in overview.indicators}
    assert values["ROAD"][0] == 50.0
    assert values["LABOUR"] == (52.0, Status.ACHIEVED)
    assert overview.poverty_this_year.poverty_rate == 15.0  # 150 / 1000


def test_figures_key_changes_when_figures_change(settings, province):
    settings.PROGRESS_CACHE_CHECK_SECONDS = 0
    before = progress.figures_key()
    progress.figures_changed()
    after_hook = progress.figures_key()
    CommuneStatisticsFactory(commune__parent=DistrictFactory(parent=province))

    assert after_hook != before
    assert progress.figures_key() != after_hook


@pytest.fixture
def receivers(settings):
    # Only the version bump can move the key: the database fingerprint is not re-read.
    settings.PROGRESS_CACHE_CHECK_SECONDS = 3600
    progress.connect_receivers()
    progress.figures_key()


def test_accepting_a_report_changes_the_figures_key(receivers, province):
    submission = SubmissionFactory(unit=DistrictFactory(parent=province), submitted=True)
    before = progress.figures_key()

    submission.status = "accepted"
    submission.accepted_at = submission.submitted_at
    submission.save(update_fields=["status", "accepted_at"])

    assert progress.figures_key() != before


def test_editing_a_draft_keeps_the_figures_key(receivers, province):
    submission = SubmissionFactory(unit=DistrictFactory(parent=province))
    before = progress.figures_key()

    submission.narrative = "Đang soạn"
    submission.save()

    assert progress.figures_key() == before


def test_an_admin_edit_of_commune_figures_changes_the_figures_key(receivers, province):
    stats = CommuneStatisticsFactory(commune__parent=DistrictFactory(parent=province))
    before = progress.figures_key()

    stats.paved_road = True
    stats.save()

    assert progress.figures_key() != before


def test_a_models_growth_is_no_integer_division_on_sqlite():
    """`make run` serves the demo on SQLite, which divides two whole numbers as integers: the
    engine's quotient of incomes must still be 26,8 M ÷ 21,8 M = 1,229…, not 1."""
    from django.db import connections
    from django.db.backends.sqlite3.base import DatabaseWrapper
    from django.db.models import IntegerField, Value
    from django.db.models.sql import Query

    from indicators.progress.engine import Quotient

    settings_dict = {**connections["default"].settings_dict, "NAME": ":memory:", "OPTIONS": {}}
    sqlite = DatabaseWrapper(settings_dict, alias="sqlite-check")
    quotient = Quotient(
        Value(26_800_000, output_field=IntegerField()),
        Value(21_800_000, output_field=IntegerField()),
    )
    try:
        sql, params = quotient.as_sqlite(Query(None).get_compiler(connection=sqlite), sqlite)
        with sqlite.cursor() as cursor:
            cursor.execute(f"SELECT {sql}", params)
            (value,) = cursor.fetchone()
    finally:
        sqlite.close()

    assert float(value) == pytest.approx(26.8 / 21.8)
