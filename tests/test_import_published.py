"""The province's published table: names only, local spellings, its own two-row headers."""

import pytest
from django.db import IntegrityError, transaction

from indicators.imports import services
from indicators.imports.layout import find_layout
from indicators.models import CommuneStatistics, ImportState
from tests.factories import CommuneStatisticsFactory
from tests.fixtures.import_files import (
    province_published_table,
    published_figures,
    reference_units_csv,
    upload,
    workbook_bytes,
)
from units.models import Unit, UnitLevel
from units.services import units_load_reference

pytestmark = pytest.mark.django_db


@pytest.fixture
def kon_tum():
    units_load_reference()
    return {unit.code: unit for unit in Unit.objects.filter(level=UnitLevel.COMMUNE)}


def previewed(content: bytes, user, year: int = 2019):
    batch = services.batch_create(upload=upload(content), year=year, by=user)
    return services.batch_preview(batch=batch)


def commune_codes_in_table_order() -> list[str]:
    return [u["code"] for u in reference_units_csv() if u["level"] == "commune"]


def test_the_published_table_imports_all_102_communes_by_name(kon_tum, admin_user):
    batch = previewed(province_published_table(), admin_user)

    assert batch.state == ImportState.PREVIEWED, batch.refusal
    assert batch.errors == []
    assert (batch.new_count, batch.total_rows, batch.blank_count) == (102, 102, 0)
    services.batch_confirm(batch=batch, by=admin_user, token=batch.confirm_token)

    assert CommuneStatistics.objects.filter(year=2019).count() == 102
    for index, code in enumerate(commune_codes_in_table_order()):
        expected = published_figures(index)
        stats = CommuneStatistics.objects.get(commune__code=code, year=2019)
        assert (
            stats.total_households,
            stats.ethnic_minority_households,
            stats.poor_households,
            stats.poor_ethnic_minority_households,
            stats.near_poor_households,
            stats.near_poor_ethnic_minority_households,
            stats.escaped_poverty,
        ) == (
            expected["total"],
            expected["ethnic"],
            expected["poor"],
            expected["poor_ethnic"],
            expected["near_poor"],
            expected["near_poor_ethnic"],
            expected["escaped"],
        ), code


def test_names_spelled_alike_go_to_the_commune_of_the_subtotal_above(kon_tum, admin_user):
    batch = previewed(province_published_table(), admin_user)
    services.batch_confirm(batch=batch, by=admin_user, token=batch.confirm_token)
    order = commune_codes_in_table_order()

    # "Xã Đắk Long" is written under Huyện Đắk Hà for Xã Đăk Long (23504), and "Xã Đăk Hà"
    # under Huyện Tu Mơ Rông for Xã Đắk Hà (23425), not the town of Đắk Hà (23500).
    for code in ("23504", "23425", "23500", "23368"):
        stats = CommuneStatistics.objects.get(commune__code=code)
        assert stats.total_households == published_figures(order.index(code))["total"]


def test_dtts_under_poor_households_is_not_all_ethnic_minority_households(kon_tum, admin_user):
    order = commune_codes_in_table_order()
    # Stored last time: 5.000 ethnic-minority households in Đắk Pék, more than the new total.
    CommuneStatisticsFactory(
        commune=kon_tum["23353"], year=2019, total_households=6000, ethnic_minority_households=5000
    )
    batch = previewed(province_published_table(with_ethnic_total=False), admin_user)

    assert "ethnic_minority_households" not in batch.columns
    assert "poor_ethnic_minority_households" in batch.columns
    (error,) = batch.errors
    assert (error["code"], error["field"]) == ("kept_above_total", "ethnic_minority_households")
    assert error["params"]["value"] == 5000
    assert error["params"]["total"] == published_figures(order.index("23353"))["total"]
    assert batch.error_count == 1
    assert not batch.confirm_token
    assert CommuneStatistics.objects.get().total_households == 6000


def test_sub_headers_are_read_with_their_merged_parent():
    rows = [
        (1, ["TT", "Tên đơn vị", "Tổng số hộ", "Hộ nghèo", None, "Hộ cận nghèo", None, "Hộ DTTS"]),
        (2, [None, None, None, "Tổng số", "Trong đó hộ DTTS", "Số hộ", "Trong đó hộ DTTS", None]),
    ]
    layout = find_layout(rows)

    assert layout.columns == {
        "name": 1,
        "total_households": 2,
        "poor_households": 3,
        "poor_ethnic_minority_households": 4,
        "near_poor_households": 5,
        "near_poor_ethnic_minority_households": 6,
        "ethnic_minority_households": 7,
    }


def test_a_column_after_a_merged_group_is_read_on_its_own():
    rows = [
        (1, ["Tên đơn vị", "Tổng số hộ", "Hộ nghèo", None, None]),
        (2, [None, None, "Số hộ", "Tỷ lệ (%)", "Ghi chú"]),
    ]
    layout = find_layout(rows)
    assert layout.columns == {"name": 0, "total_households": 1, "poor_households": 2, "note": 4}


def test_of_which_without_a_known_parent_is_not_read_as_a_column():
    rows = [(1, ["Tên xã", "Tổng số hộ", "Số hộ nghèo", "Trong đó hộ DTTS"])]
    assert "ethnic_minority_households" not in find_layout(rows).columns


def test_a_name_shared_by_two_districts_without_a_subtotal_is_ambiguous(kon_tum, admin_user):
    content = workbook_bytes(
        [["Tên xã", "Tổng số hộ", "Số hộ nghèo"], ["Xã Đắk Long", 500, 50], ["Xã Xốp", 300, 30]]
    )
    batch = previewed(content, admin_user)

    (error,) = batch.errors
    assert (error["code"], error["row"]) == ("ambiguous_name", 2)
    assert not CommuneStatistics.objects.exists()


def test_a_loose_spelling_never_matches_outside_the_district_above(kon_tum, admin_user):
    # "Ia Ly" is Sa Thầy's Ya Ly; listed under Huyện Đắk Glei it is not accepted.
    content = workbook_bytes(
        [
            ["TT", "Tên đơn vị", "Tổng số hộ", "Số hộ nghèo"],
            ["I", "Huyện Đắk Glei", 900, 90],
            [1, "Xã Ia Ly", 500, 50],
        ]
    )
    batch = previewed(content, admin_user)

    (error,) = batch.errors
    assert error["code"] == "unknown_name"


def test_a_former_name_matches_the_renamed_commune_in_its_district(kon_tum, admin_user):
    content = workbook_bytes(
        [
            ["TT", "Tên đơn vị", "Tổng số hộ", "Số hộ nghèo"],
            ["IV", "Huyện Kon Plông", 900, 90],
            [1, "Xã Đắk Long", 500, 50],
        ]
    )
    batch = previewed(content, admin_user, year=2018)
    services.batch_confirm(batch=batch, by=admin_user, token=batch.confirm_token)

    assert CommuneStatistics.objects.get().commune.name == "Thị trấn Măng Đen"


@pytest.mark.parametrize(
    ("field", "group"),
    [
        ("poor_ethnic_minority_households", "poor_households"),
        ("near_poor_ethnic_minority_households", "near_poor_households"),
    ],
)
def test_the_database_refuses_more_ethnic_minority_poor_than_poor(field, group):
    stats = CommuneStatisticsFactory(**{group: 10, field: 10})
    setattr(stats, field, 11)
    with pytest.raises(IntegrityError), transaction.atomic():
        stats.save()
