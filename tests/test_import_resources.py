"""The admin's django-import-export mappings keep the portal's row rules."""

import pytest
import tablib

from campaigns.models import PeriodState
from indicators.models import CommuneStatistics
from indicators.resources import CommuneStatisticsResource, MilestoneResource, UnitResource
from kontum_poverty.spreadsheets import escape_formula
from tests.factories import IndicatorFactory, PeriodFactory
from tests.fixtures.import_files import kon_tum_communes
from units.models import Unit

pytestmark = pytest.mark.django_db

HEADERS = ["Mã xã", "Năm", "Tổng số hộ", "Số hộ nghèo", "Có nhà văn hóa"]


@pytest.fixture
def communes():
    return kon_tum_communes()


def run(rows, headers=HEADERS, resource=None, dry_run=False):
    dataset = tablib.Dataset(*rows, headers=headers)
    return (resource or CommuneStatisticsResource()).import_data(
        dataset, dry_run=dry_run, rollback_on_validation_errors=True
    )


def row_messages(result):
    messages = []
    for row in result.invalid_rows:
        messages.extend((row.number, str(e)) for errors in row.error_dict.values() for e in errors)
    for row in result.rows:
        messages.extend((row.number, str(error.error)) for error in row.errors)
    return messages


def test_good_rows_are_imported_with_the_shared_rules(communes):
    result = run([["23287", 2019, "1.234", "12", "có"]])
    assert not result.has_errors() and not result.has_validation_errors()
    stats = CommuneStatistics.objects.get()
    assert (stats.total_households, stats.poor_households, stats.cultural_house) == (1234, 12, True)


def test_a_bad_number_gives_a_clear_message_and_nothing_is_written(communes):
    result = run([["23287", 2019, 10, 1, "có"], ["23290", 2019, "1,5", 1, "có"]])
    assert result.has_validation_errors()
    ((number, text),) = row_messages(result)
    assert number == 2 and "1,5" in text and "InvalidOperation" not in text
    assert not CommuneStatistics.objects.exists()


def test_a_duplicate_commune_is_an_error_not_an_update(communes):
    result = run([["23287", 2019, 10, 1, None], ["23287", 2019, 20, 2, None]])
    assert result.has_errors() or result.has_validation_errors()
    assert not CommuneStatistics.objects.exists()


def test_a_missing_required_column_refuses_the_file(communes):
    result = run([["23287", 2019, 10]], headers=["Mã xã", "Năm", "Tổng số hộ"])
    assert result.has_errors()
    assert not CommuneStatistics.objects.exists()


def test_a_locked_year_is_refused(communes):
    PeriodFactory(year=2019, state=PeriodState.LOCKED)
    result = run([["23287", 2019, 10, 1, None]])
    assert result.has_errors() or result.has_validation_errors()
    assert not CommuneStatistics.objects.exists()


def test_poor_above_total_is_a_row_error(communes):
    result = run([["23287", 2019, 10, 11, None]])
    assert result.has_validation_errors()
    assert not CommuneStatistics.objects.exists()


def test_export_escapes_formulas(communes):
    CommuneStatistics.objects.create(
        commune=communes["dak_choong"], year=2019, note="=1+1", source="+cmd"
    )
    dataset = CommuneStatisticsResource().export()
    assert "'=1+1" in dataset["Ghi chú"]
    assert "'+cmd" in dataset["Nguồn số liệu"]
    assert escape_formula("-2") == "'-2" and escape_formula(-2) == -2


def test_units_import_by_code_with_a_parent(communes):
    dataset = tablib.Dataset(
        ["23999", "Xã Mới", "commune", "commune", "610", True],
        headers=["code", "name", "level", "kind", "parent", "is_active"],
    )
    result = UnitResource().import_data(dataset, rollback_on_validation_errors=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Unit.objects.get(code="23999").parent.code == "610"


def test_milestones_import_by_campaign_and_indicator_code():
    indicator = IndicatorFactory(code="ROAD")
    dataset = tablib.Dataset(
        [indicator.campaign.number, "ROAD", 2019, None, "80", "abc"],
        headers=["campaign", "indicator", "year", "scope", "target_low", "target_high"],
    )
    result = MilestoneResource().import_data(dataset, rollback_on_validation_errors=True)
    assert result.has_validation_errors() or result.has_errors()
    dataset = tablib.Dataset(
        [indicator.campaign.number, "ROAD", 2019, None, "80", "90"],
        headers=["campaign", "indicator", "year", "scope", "target_low", "target_high"],
    )
    result = MilestoneResource().import_data(dataset, rollback_on_validation_errors=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert indicator.milestones.get().target_high == 90
