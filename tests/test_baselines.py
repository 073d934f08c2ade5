"""Baselines: the Board enters them with their source document, and INCOME's first reporting
year is measured against them."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from indicators import progress
from indicators.models import Baseline, BaselineChange, Measure
from indicators.progress.baselines import BaselineInput, baseline_set
from tests.factories import (
    DistrictFactory,
    IndicatorFactory,
    ModelResultFactory,
    PeriodFactory,
    PovertyModelFactory,
    ProvinceFactory,
    SubmissionFactory,
)

pytestmark = pytest.mark.django_db

SOURCE = "Báo cáo số 12/BC-UBND ngày 15/01/2018 của UBND tỉnh"


@pytest.fixture
def period():
    return PeriodFactory(year=2019)


@pytest.fixture
def road(period):
    return IndicatorFactory(
        campaign=period.campaign, code="ROAD", commune_field="paved_road", target_low=100
    )


@pytest.fixture
def income(period):
    return IndicatorFactory(
        campaign=period.campaign,
        code="INCOME",
        measure=Measure.GROWTH,
        target_low=15,
        target_high=20,
    )


def _url(period):
    return reverse("board:roadmap", args=[period.pk])


def _post(road, **fields):
    data = {
        f"i{road.pk}-value": "",
        f"i{road.pk}-year": "2017",
        f"i{road.pk}-source": "",
        f"i{road.pk}-note": "",
        **{f"i{road.pk}-m{year}": "" for year in (2018, 2019, 2020)},
    }
    data.update({f"i{road.pk}-{key}": value for key, value in fields.items()})
    return data


# --- The Board's page ---------------------------------------------------------------------------


def test_the_board_enters_a_baseline_with_its_source_document(client, board_staff, period, road):
    client.force_login(board_staff)

    response = client.post(_url(period), _post(road, value="70,5", source=SOURCE))

    assert response.status_code == 302
    baseline = Baseline.objects.get(indicator=road, scope__isnull=True)
    assert (baseline.year, baseline.value, baseline.source_document) == (
        2017,
        Decimal("70.5"),
        SOURCE,
    )
    assert baseline.set_by == board_staff
    page = client.get(_url(period)).content.decode()
    assert SOURCE in page
    assert "70,5" in page


def test_a_baseline_without_its_source_document_is_refused(client, board_staff, period, road):
    client.force_login(board_staff)

    response = client.post(_url(period), _post(road, value="70"))

    assert response.status_code == 422
    assert not Baseline.objects.exists()
    errors = response.context["form"].errors.as_data()
    assert [e.code for e in errors[f"i{road.pk}-source"]] == ["source_required"]


def test_the_database_refuses_a_baseline_without_a_source(road, board_staff):
    with pytest.raises(IntegrityError), transaction.atomic():
        Baseline.objects.create(
            indicator=road,
            year=2017,
            value=70,
            source_document="",
            set_by=board_staff,
            set_at=timezone.now(),
        )


def test_a_leader_reads_the_page_but_cannot_change_it(client, leader, period, road):
    client.force_login(leader)

    page = client.get(_url(period))
    response = client.post(_url(period), _post(road, value="70", source=SOURCE))

    assert page.status_code == 200
    assert f'name="i{road.pk}-value"' in page.content.decode()
    assert "disabled" in page.content.decode()
    assert response.status_code == 403
    assert not Baseline.objects.exists()


def test_an_officer_can_neither_read_nor_post(client, unit_officer, period, road):
    client.force_login(unit_officer)

    assert client.get(_url(period)).status_code == 403
    assert client.post(_url(period), _post(road, value="70", source=SOURCE)).status_code == 403
    assert not Baseline.objects.exists()


def test_every_change_is_kept_with_who_and_when(client, board_staff, period, road):
    other = type(board_staff).objects.create(username="board-2", role=board_staff.role)
    client.force_login(board_staff)
    client.post(_url(period), _post(road, value="70", source=SOURCE))
    client.force_login(other)
    client.post(_url(period), _post(road, value="72", source=SOURCE + " (đính chính)"))
    client.post(_url(period), _post(road, value="72", source=SOURCE + " (đính chính)"))  # no change

    changes = list(BaselineChange.objects.filter(indicator=road).order_by("set_at", "pk"))
    assert [(c.value, c.set_by) for c in changes] == [
        (Decimal(70), board_staff),
        (Decimal(72), other),
    ]
    assert all(c.set_at is not None for c in changes)
    assert Baseline.objects.get(indicator=road).set_by == other
    page = client.get(_url(period)).content.decode()
    assert SOURCE + " (đính chính)" in page and "board-2" in page


def test_removing_a_baseline_is_kept_in_the_history(road, board_staff):
    baseline_set(
        indicator=road,
        scope=None,
        data=BaselineInput(year=2017, value=Decimal(70), source_document=SOURCE),
        by=board_staff,
    )
    baseline_set(
        indicator=road, scope=None, data=BaselineInput(year=2017, value=None), by=board_staff
    )

    assert not Baseline.objects.exists()
    assert [c.value for c in BaselineChange.objects.order_by("set_at", "pk")] == [Decimal(70), None]


# --- INCOME's first reporting year --------------------------------------------------------------


def _result(district, year, households, income):
    submission = SubmissionFactory(unit=district, period=PeriodFactory(year=year), accepted=True)
    model = PovertyModelFactory(unit=district, participating_households=households)
    return ModelResultFactory(
        model=model,
        year=year,
        submission=submission,
        participating_households=households,
        average_income_vnd=income,
    )


@pytest.fixture
def models_2018(income):
    province = ProvinceFactory()
    north, south = DistrictFactory(parent=province), DistrictFactory(parent=province)
    a = _result(north, 2018, 10, 22_000_000)
    b = _result(south, 2018, 30, 20_000_000)
    return province, north, a, b


def _baseline(indicator, value, scope=None, by=None):
    return Baseline.objects.create(
        indicator=indicator,
        scope=scope,
        year=2017,
        value=value,
        source_document=SOURCE,
        set_by=by,
        set_at=timezone.now(),
    )


def test_without_a_baseline_2018_income_growth_cannot_be_computed(income, models_2018):
    province, *_ = models_2018

    assert progress.indicator_progress(indicator=income, scope=province, year=2018).value is None


def test_2018_income_growth_is_measured_against_the_baseline(income, models_2018, board_staff):
    province, *_ = models_2018
    _baseline(income, 18_000_000, by=board_staff)

    result = progress.indicator_progress(indicator=income, scope=province, year=2018)

    # Weighted average income: (10 × 22.000.000 + 30 × 20.000.000) / 40 = 20.500.000 VND;
    # against 18.000.000 VND in 2017: 20,5 / 18 − 1 = 13,888…% → 13,89%.
    assert result.value == 13.89
    assert result.denominator == 40


def test_the_years_after_keep_the_model_on_model_rule(income, models_2018, board_staff):
    province, north, a, b = models_2018
    _baseline(income, 18_000_000, by=board_staff)
    for result, income_2019 in ((a, 24_200_000), (b, 23_000_000)):  # +10% and +15%
        ModelResultFactory(
            model=result.model,
            year=2019,
            submission=SubmissionFactory(
                unit=result.model.unit, period=PeriodFactory(year=2019), accepted=True
            ),
            participating_households=result.participating_households,
            average_income_vnd=income_2019,
        )

    result = progress.indicator_progress(indicator=income, scope=province, year=2019)

    # (10 × 10% + 30 × 15%) / 40 = 13,75%; 2018 still against the baseline.
    assert result.value == 13.75
    assert [(t.year, t.value) for t in result.trend] == [(2018, 13.89), (2019, 13.75)]


def test_a_province_baseline_does_not_measure_a_district(income, models_2018, board_staff):
    province, north, *_ = models_2018
    _baseline(income, 18_000_000, by=board_staff)

    assert progress.indicator_progress(indicator=income, scope=north, year=2018).value is None

    _baseline(income, 20_000_000, scope=north, by=board_staff)
    # The district's own baseline: 22.000.000 / 20.000.000 − 1 = 10%.
    assert progress.indicator_progress(indicator=income, scope=north, year=2018).value == 10.0


def test_the_data_behind_the_figure_names_the_baseline(income, models_2018, board_staff):
    province, *_ = models_2018
    _baseline(income, 18_000_000, by=board_staff)

    rows = progress.progress_sources(indicator=income, scope=province, year=2018)

    assert {r.previous for r in rows} == {18_000_000.0}
    assert sorted(r.value for r in rows) == [11.11, 22.22]
    assert all("2017" in r.label and SOURCE in r.label for r in rows)


# --- Import from Excel --------------------------------------------------------------------------


def _xlsx(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Mã chỉ tiêu", "Giá trị cơ sở", "Năm gốc", "Văn bản nguồn"])
    for row in rows:
        sheet.append(row)
    content = io.BytesIO()
    book.save(content)
    content.seek(0)
    content.name = "baselines.xlsx"
    return content


def test_the_board_imports_baselines_from_excel(client, board_staff, period, road, income):
    client.force_login(board_staff)

    response = client.post(
        _url(period),
        {
            "action": "import",
            "file": _xlsx([["ROAD", 70, 2017, SOURCE], ["income", "18.500.000", 2017, SOURCE]]),
        },
    )

    assert response.status_code == 302
    assert {(b.indicator.code, b.value, b.year) for b in Baseline.objects.all()} == {
        ("ROAD", Decimal(70), 2017),
        ("INCOME", Decimal(18_500_000), 2017),
    }
    assert BaselineChange.objects.filter(set_by=board_staff).count() == 2


def test_an_import_with_a_bad_row_changes_nothing(client, board_staff, period, road, income):
    client.force_login(board_staff)

    response = client.post(
        _url(period),
        {
            "action": "import",
            "file": _xlsx([["ROAD", 70, 2017, SOURCE], ["INCOME", 18_500_000, 2017, ""]]),
        },
    )

    assert response.status_code == 422
    assert not Baseline.objects.exists()
    errors = response.context["import_form"].errors.as_data()["file"]
    assert [e.code for e in errors] == ["source_required"]
    assert "3" in response.content.decode()  # the row number
