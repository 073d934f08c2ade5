"""Deprivation by dimension: households lacking each basic social service (QĐ 59/2015/QĐ-TTg).

Stored per commune and year, imported from the template and from the province's published
table, and summed by the progress engine over the communes that gave each count.
"""

import io

import pytest
import tablib
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from indicators import progress
from indicators.imports import services
from indicators.imports.layout import find_layout
from indicators.imports.problems import message
from indicators.imports.template import HEADER_ROW, build_template
from indicators.models import CommuneStatistics, Deprivation, HouseholdGroup, ImportState
from indicators.resources import CommuneStatisticsResource
from reports import selectors
from tests.factories import (
    CampaignFactory,
    CommuneFactory,
    CommuneStatisticsFactory,
    DistrictFactory,
    PeriodFactory,
)
from tests.fixtures.import_files import (
    PUBLISHED_SERVICES,
    SILENT_INDEX,
    ZERO_INDEX,
    kon_tum_communes,
    province_published_table,
    published_deprivations,
    reference_units_csv,
    simple_file,
    template_row,
    upload,
    workbook_bytes,
)
from units.models import Unit, UnitLevel
from units.services import units_load_reference

pytestmark = pytest.mark.django_db

TEN = len(Deprivation.values)


def previewed(content: bytes, user, year: int = 2019):
    batch = services.batch_create(upload=upload(content), year=year, by=user)
    return services.batch_preview(batch=batch)


def confirmed(content: bytes, user, year: int = 2019):
    batch = previewed(content, user, year)
    assert batch.state == ImportState.PREVIEWED, (batch.refusal, batch.errors)
    assert batch.errors == []
    services.batch_confirm(batch=batch, by=user, token=batch.confirm_token)
    return batch


# --- The template -----------------------------------------------------------------------------


def test_the_2020_template_has_ten_deprivation_columns_for_poor_and_for_near_poor():
    kon_tum_communes()
    sheet = load_workbook(io.BytesIO(build_template(year=2020))).active
    headers = [cell.value for cell in sheet[HEADER_ROW]]

    poor = [h for h in headers if h and h.startswith("Hộ nghèo thiếu hụt: ")]
    near_poor = [h for h in headers if h and h.startswith("Hộ cận nghèo thiếu hụt: ")]
    assert len(poor) == len(near_poor) == TEN
    assert "Hộ nghèo thiếu hụt: Bảo hiểm y tế" in poor
    assert "Hộ cận nghèo thiếu hụt: Hố xí/nhà tiêu hợp vệ sinh" in near_poor
    # Older columns keep their places: files filled by position still line up.
    assert headers[:5] == [
        "Mã xã",
        "Huyện/thành phố",
        "Tên xã",
        "Tổng số hộ",
        "Số hộ đồng bào DTTS",
    ]


def test_a_filled_template_stores_the_counts_and_keeps_a_blank_blank(admin_user):
    communes = kon_tum_communes()
    content = simple_file(
        [
            template_row(
                "23287",
                "",
                total_households=900,
                poor_households=120,
                near_poor_households=60,
                poor_lacking_clean_water=48,
                poor_lacking_latrine=0,
                near_poor_lacking_clean_water=12,
            )
        ]
    )
    confirmed(content, admin_user)

    stats = CommuneStatistics.objects.get(commune=communes["dak_choong"])
    assert stats.poor_lacking_clean_water == 48
    assert stats.near_poor_lacking_clean_water == 12
    assert stats.poor_lacking_latrine == 0
    assert stats.poor_lacking_telecom is None
    assert stats.near_poor_lacking_latrine is None


def test_more_poor_households_lacking_a_service_than_poor_households_is_a_row_error(admin_user):
    kon_tum_communes()
    content = simple_file(
        [
            template_row(
                "23287", "", total_households=900, poor_households=50, poor_lacking_latrine=51
            )
        ]
    )
    batch = previewed(content, admin_user)

    (error,) = batch.errors
    assert (error["code"], error["field"]) == ("above_group", "poor_lacking_latrine")
    assert not batch.confirm_token
    with translation.override("vi"):
        assert message(error["code"], error["params"]) == (
            "Hộ nghèo thiếu hụt: Hố xí/nhà tiêu hợp vệ sinh (51) không được lớn hơn "
            "Số hộ nghèo (50)."
        )
    with translation.override("en"):
        assert message(error["code"], error["params"]).endswith(
            "cannot be more than Số hộ nghèo (50)."
        )
    assert not CommuneStatistics.objects.exists()


def test_near_poor_households_lacking_a_service_are_checked_against_the_stored_near_poor(
    admin_user,
):
    communes = kon_tum_communes()
    CommuneStatisticsFactory(commune=communes["dak_choong"], near_poor_households=30)
    # No near-poor column: the stored 30 near-poor households stay, and bound the new count.
    content = workbook_bytes(
        [
            [
                "Mã xã",
                "Tổng số hộ",
                "Số hộ nghèo",
                "Hộ cận nghèo thiếu hụt: Sử dụng dịch vụ viễn thông",
            ],
            ["23287", 900, 50, 31],
        ]
    )
    (error,) = previewed(content, admin_user).errors

    assert (error["code"], error["field"]) == ("above_group", "near_poor_lacking_telecom")
    assert error["params"]["whole"] == 30


def test_a_file_without_deprivation_columns_warns_once_and_keeps_the_stored_counts(admin_user):
    communes = kon_tum_communes()
    CommuneStatisticsFactory(commune=communes["dak_choong"], poor_lacking_clean_water=40)
    content = workbook_bytes([["Mã xã", "Tổng số hộ", "Số hộ nghèo"], ["23287", 1000, 210]])
    batch = confirmed(content, admin_user)

    codes = [w["code"] for w in batch.warnings]
    assert codes.count("deprivations_absent") == 1
    assert not any(
        w["params"].get("column", "").startswith("Hộ nghèo thiếu hụt") for w in batch.warnings
    )
    stats = CommuneStatistics.objects.get(commune=communes["dak_choong"])
    assert (stats.poor_households, stats.poor_lacking_clean_water) == (210, 40)


# --- The province's published table -----------------------------------------------------------


def test_the_three_row_header_of_the_published_table_names_every_deprivation_column():
    group_row = ["TT", "Tên đơn vị", "Hộ nghèo", None, "Số hộ nghèo thiếu hụt các chỉ số"]
    group_row += [None] * 9 + ["Số hộ cận nghèo thiếu hụt các chỉ số"] + [None] * 9
    service_row = [None, None, "Tổng số", "Tỷ lệ (%)"]
    indicator_row = [None, None, None, None]
    for _twice in range(2):
        for service, indicators in PUBLISHED_SERVICES:
            service_row += [service, None]
            indicator_row += indicators
    layout = find_layout([(6, group_row), (7, service_row), (8, indicator_row)])

    assert layout.header_row == 8
    assert layout.columns["name"] == 1
    assert layout.columns["poor_households"] == 2
    assert layout.columns["poor_lacking_health_services"] == 4
    assert layout.columns["poor_lacking_information_assets"] == 13
    assert layout.columns["near_poor_lacking_health_services"] == 14
    assert layout.columns["near_poor_lacking_latrine"] == 21
    assert len([name for name in layout.columns if "_lacking_" in name]) == 2 * TEN


def test_one_cell_naming_the_group_and_the_indicator_is_read_too():
    rows = [(1, ["Tên xã", "Số hộ nghèo", "Số hộ nghèo thiếu hụt về bảo hiểm y tế", "BHYT"])]
    layout = find_layout(rows)

    assert layout.columns["poor_lacking_health_insurance"] == 2
    # Without its group, an indicator's name alone is not a column.
    assert 3 not in layout.columns.values()


def test_the_published_table_with_deprivation_columns_imports_every_commune(admin_user):
    units_load_reference()
    batch = confirmed(province_published_table(with_deprivation=True), admin_user)

    assert (batch.new_count, batch.total_rows) == (102, 102)
    assert "deprivations_absent" not in [w["code"] for w in batch.warnings]
    codes = [u["code"] for u in reference_units_csv() if u["level"] == "commune"]
    for index, code in enumerate(codes):
        stats = CommuneStatistics.objects.get(commune__code=code, year=2019)
        stored = {name: getattr(stats, name) for name in published_deprivations(index)}
        assert stored == published_deprivations(index), code
    silent = CommuneStatistics.objects.get(commune__code=codes[SILENT_INDEX])
    assert silent.poor_lacking_clean_water is None  # blank in the table: not reported
    zero = CommuneStatistics.objects.get(commune__code=codes[ZERO_INDEX])
    assert zero.poor_lacking_health_services == 0


# --- Figures ----------------------------------------------------------------------------------


@pytest.fixture
def campaign():
    return CampaignFactory(coverage_threshold=0)


def test_a_blank_count_is_in_neither_sum_so_the_rate_is_not_diluted(campaign):
    district = DistrictFactory()
    CommuneStatisticsFactory(
        commune=CommuneFactory(parent=district), poor_households=100, poor_lacking_clean_water=40
    )
    CommuneStatisticsFactory(commune=CommuneFactory(parent=district), poor_households=300)
    CommuneFactory(parent=district)  # no figures at all

    (year,) = progress.deprivation_by_year(campaign=campaign, scope=district, year=2019)
    water = next(f for f in year.poor if f.deprivation == Deprivation.CLEAN_WATER)

    assert (water.lacking, water.households, water.rate) == (40, 100, 40.0)
    with translation.override("en"):
        assert str(water.coverage) == "1/3 communes, wards and towns"
    latrine = next(f for f in year.poor if f.deprivation == Deprivation.LATRINE)
    assert (latrine.communes, latrine.rate) == (0, None)


def test_a_zero_count_is_data(campaign):
    district = DistrictFactory()
    CommuneStatisticsFactory(
        commune=CommuneFactory(parent=district), poor_households=100, poor_lacking_clean_water=0
    )
    (year,) = progress.deprivation_by_year(campaign=campaign, scope=district, year=2019)
    water = next(f for f in year.poor if f.deprivation == Deprivation.CLEAN_WATER)

    assert (water.communes, water.rate) == (1, 0.0)


def test_the_province_sums_its_districts_year_by_year_and_ranks_what_weighs_most(campaign):
    north, south = DistrictFactory(), DistrictFactory()
    for year, (north_latrine, south_latrine) in ((2018, (60, 90)), (2019, (50, 30))):
        CommuneStatisticsFactory(
            commune=CommuneFactory(parent=north, code=f"9{year}1"),
            year=year,
            poor_households=200,
            near_poor_households=100,
            poor_lacking_latrine=north_latrine,
            poor_lacking_telecom=20,
            near_poor_lacking_latrine=25,
        )
        CommuneStatisticsFactory(
            commune=CommuneFactory(parent=south, code=f"9{year}2"),
            year=year,
            poor_households=200,
            poor_lacking_latrine=south_latrine,
            poor_lacking_telecom=20,
        )
    province = north.parent

    years = progress.deprivation_by_year(campaign=campaign, scope=province, year=2019)
    assert [y.year for y in years] == [2018, 2019]
    latrine = [next(f for f in y.poor if f.deprivation == Deprivation.LATRINE) for y in years]
    assert [f.rate for f in latrine] == [37.5, 20.0]  # 150 / 400, then 80 / 400
    near = next(f for f in years[1].near_poor if f.deprivation == Deprivation.LATRINE)
    assert (near.lacking, near.households, near.rate) == (25, 100, 25.0)
    assert [f.deprivation for f in years[1].ranked()] == [Deprivation.LATRINE, Deprivation.TELECOM]
    water = next(s for s in years[1].services() if s.service == "water")
    assert (water.lacking, water.share) == (80, 66.67)  # 80 of the 120 deprivations counted

    by_district = progress.deprivation_by_child(campaign=campaign, scope=province, year=2019)
    rates = {
        row.unit_id: next(f.rate for f in row.poor if f.deprivation == Deprivation.LATRINE)
        for row in by_district
    }
    assert rates == {north.pk: 25.0, south.pk: 15.0}

    section = selectors.deprivation_section(campaign=campaign, scope=province, year=2019)
    trend = next(row for row in section.trend if row.deprivation == Deprivation.LATRINE)
    assert (trend.rates, trend.change) == ([37.5, 20.0], -17.5)


def test_below_the_minimum_coverage_the_rate_is_withheld():
    campaign = CampaignFactory(coverage_threshold=60)
    district = DistrictFactory()
    CommuneStatisticsFactory(
        commune=CommuneFactory(parent=district), poor_households=100, poor_lacking_latrine=40
    )
    CommuneFactory(parent=district)

    (year,) = progress.deprivation_by_year(campaign=campaign, scope=district, year=2019)
    latrine = next(f for f in year.poor if f.deprivation == Deprivation.LATRINE)
    assert latrine.not_enough_data
    assert latrine.rate is None


# --- Where people read them -------------------------------------------------------------------


def test_the_leader_dashboard_shows_deprivation_by_dimension(client, leader):
    cache.clear()
    period = PeriodFactory(year=2019, campaign=CampaignFactory(coverage_threshold=0))
    district = DistrictFactory(name="Huyện Đắk Glei")
    CommuneStatisticsFactory(
        commune=CommuneFactory(parent=district),
        year=period.year,
        poor_households=200,
        poor_lacking_clean_water=90,
        poor_lacking_latrine=30,
    )
    client.force_login(leader)
    with translation.override("vi"):
        html = client.get(reverse("dashboard:home"), {"year": 2019}).content.decode()

    section = html[html.index('id="deprivation"') :]
    assert "Thiếu hụt dịch vụ xã hội cơ bản" in section
    ranked = section[section.index('id="deprivation-ranked"') :]
    assert ranked.index("Nguồn nước sinh hoạt") < ranked.index("Hố xí")
    assert "45,0 %" in ranked
    assert "Huyện Đắk Glei" in section[section.index('id="deprivation-children"') :]


def test_the_dashboard_export_lists_every_indicator_for_both_groups(client, leader):
    cache.clear()
    PeriodFactory(year=2019, campaign=CampaignFactory(coverage_threshold=0))
    commune = CommuneFactory()
    CommuneStatisticsFactory(commune=commune, poor_households=200, poor_lacking_clean_water=90)
    province = Unit.objects.get(level=UnitLevel.PROVINCE)
    client.force_login(leader)
    response = client.get(
        reverse("dashboard:export", args=[province.pk, "deprivation"]), {"year": 2019}
    )

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    lines = [r for r in rows if r[0] == 2019]
    assert len(lines) == 2 * TEN
    groups = {r[1] for r in lines}
    with translation.override("vi"):
        assert groups == {str(HouseholdGroup.POOR.label), str(HouseholdGroup.NEAR_POOR.label)}
    water = next(r for r in lines if r[3] == "Nguồn nước sinh hoạt" and r[1] == "Hộ nghèo")
    assert water[4:7] == (90, 200, 45)


def test_an_officer_reads_the_deprivations_of_the_own_district_by_commune_and_no_other(
    client, unit_officer, outsider
):
    cache.clear()
    PeriodFactory(year=2019, campaign=CampaignFactory(coverage_threshold=0))
    district = unit_officer.unit
    commune = CommuneFactory(parent=district, name="Xã Đắk Choong")
    CommuneStatisticsFactory(commune=commune, poor_households=200, poor_lacking_telecom=50)
    client.force_login(unit_officer)

    own = client.get(reverse("dashboard:scope", args=[district.pk]), {"year": 2019})
    commune_page = client.get(reverse("dashboard:scope", args=[commune.pk]), {"year": 2019})
    client.force_login(outsider)
    other = client.get(
        reverse("dashboard:export", args=[district.pk, "deprivation"]), {"year": 2019}
    )

    html = own.content.decode()
    children = html[html.index('id="deprivation-children"') :]
    assert "Xã Đắk Choong" in children
    assert "25,0" in children
    assert 'id="deprivation-table"' in commune_page.content.decode()
    assert other.status_code == 404


def test_the_admin_import_reads_the_deprivation_columns_with_the_same_rules():
    kon_tum_communes()
    headers = ["Mã xã", "Năm", "Tổng số hộ", "Số hộ nghèo", "Hộ nghèo thiếu hụt: Bảo hiểm y tế"]

    def run(*rows):
        dataset = tablib.Dataset(*rows, headers=headers)
        return CommuneStatisticsResource().import_data(dataset, rollback_on_validation_errors=True)

    refused = run(["23287", 2019, 900, 40, 41])
    assert refused.has_validation_errors()
    assert not CommuneStatistics.objects.exists()
    accepted = run(["23287", 2019, 900, 40, 12], ["23290", 2019, 800, 30, None])
    assert not accepted.has_errors() and not accepted.has_validation_errors()
    stored = dict(
        CommuneStatistics.objects.values_list("commune__code", "poor_lacking_health_insurance")
    )
    assert stored == {"23287": 12, "23290": None}
