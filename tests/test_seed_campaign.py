import csv
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from campaigns.models import (
    BlocMembership,
    Campaign,
    Criterion,
    EmulationBloc,
    PeriodState,
    ReportingPeriod,
)
from indicators.models import Indicator, Measure
from indicators.services import reference_data_seed
from tests.factories import DepartmentFactory
from units.models import Unit, UnitChange, UnitFlag, UnitFlagKind, UnitKind, UnitLevel
from units.services import REFERENCE_DIR, UNITS_FILE, units_load_reference

pytestmark = pytest.mark.django_db

SEEDED_MODELS = (
    Unit,
    UnitChange,
    UnitFlag,
    Campaign,
    ReportingPeriod,
    EmulationBloc,
    BlocMembership,
    Criterion,
    Indicator,
)


def snapshot(models=SEEDED_MODELS):
    """Every row of every model, to prove a rerun changed nothing at all."""
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}


@pytest.fixture
def seeded(db):
    call_command("seed_campaign", stdout=StringIO())


def test_seed_loads_the_province_its_10_districts_and_102_communes(seeded):
    with (REFERENCE_DIR / UNITS_FILE).open(encoding="utf-8") as handle:
        expected = {row["code"]: row for row in csv.DictReader(handle)}

    administrative = Unit.objects.exclude(level=UnitLevel.ORGANISATION)

    assert Unit.objects.filter(level=UnitLevel.PROVINCE).count() == 1
    assert Unit.objects.filter(level=UnitLevel.DISTRICT).count() == 10
    assert Unit.objects.filter(level=UnitLevel.COMMUNE).count() == 102
    assert {
        unit.code: (unit.name, unit.parent.code if unit.parent else "")
        for unit in administrative.select_related("parent")
    } == {code: (row["name"], row["parent_code"]) for code, row in expected.items()}


def test_seed_puts_units_under_their_parents_with_their_kinds(seeded):
    city = Unit.objects.get(code="608")
    mang_den = Unit.objects.get(code="23473")

    assert (city.name, city.kind, city.parent.code) == ("Thành phố Kon Tum", UnitKind.CITY, "62")
    assert (mang_den.name, mang_den.kind) == ("Thị trấn Măng Đen", UnitKind.TOWNSHIP)
    assert mang_den.parent.code == "613"
    assert Unit.objects.get(code="62").kind == UnitKind.PROVINCE
    assert Unit.objects.filter(kind=UnitKind.WARD).count() == 10
    assert Unit.objects.filter(kind=UnitKind.TOWNSHIP).count() == 7


def test_mang_den_is_named_xa_dak_long_before_september_2019(seeded):
    mang_den = Unit.objects.get(code="23473")
    change = mang_den.changes.get()

    assert mang_den.name_on(date(2019, 1, 1)) == "Xã Đắk Long"
    assert mang_den.name_on(date(2019, 9, 1)) == "Thị trấn Măng Đen"
    assert (change.kind_before, change.kind_after) == (UnitKind.COMMUNE, UnitKind.TOWNSHIP)
    assert change.effective_on == date(2019, 9, 1)
    assert "16/07/2019" in change.decision
    assert UnitChange.objects.count() == 1


def test_seed_flags_the_39_known_program_135_communes_as_a_partial_list(seeded):
    flags = UnitFlag.objects.select_related("unit")

    assert flags.count() == 39
    for flag in flags:
        assert flag.flag == UnitFlagKind.ESPECIALLY_DIFFICULT
        assert flag.unit.level == UnitLevel.COMMUNE
        assert (flag.valid_from, flag.valid_to) == (date(2017, 6, 20), date(2020, 12, 31))
        assert flag.decision == "900/QĐ-TTg"
        assert "39/54" in flag.note
        assert "KHÔNG có nghĩa" in flag.note
    assert flags.filter(unit__code="23458").exists()  # "Măng Bút" in the source


def test_seed_adds_departments_and_mass_organisations_but_no_enterprise(seeded):
    organisations = Unit.objects.filter(level=UnitLevel.ORGANISATION)

    home_affairs = organisations.get(code="snv")
    assert (home_affairs.name, home_affairs.kind) == ("Sở Nội vụ", UnitKind.DEPARTMENT)
    assert home_affairs.parent.code == "62"
    assert organisations.get(code="sldtbxh").name == "Sở Lao động – Thương binh và Xã hội"
    assert organisations.filter(kind=UnitKind.DEPARTMENT).count() == 10
    assert organisations.filter(kind=UnitKind.MASS_ORGANISATION).count() == 5
    assert not organisations.filter(kind=UnitKind.ENTERPRISE).exists()
    assert not Unit.objects.filter(is_demo=True).exists()


def test_seed_creates_campaign_3198_with_three_open_years(seeded):
    campaign = Campaign.objects.get()

    assert campaign.number == "3198/UBND-TH"
    assert campaign.title == "Cả nước chung tay vì người nghèo – Không để ai bị bỏ lại phía sau"
    assert campaign.issuing_body == "Ủy ban nhân dân tỉnh Kon Tum"
    assert campaign.issued_on == date(2017, 11, 28)
    assert (campaign.first_year, campaign.last_year) == (2018, 2020)
    assert [
        (p.year, p.opens_on, p.deadline, p.state) for p in campaign.periods.order_by("year")
    ] == [
        (year, date(year, 1, 1), date(year, 12, 15), PeriodState.OPEN)
        for year in (2018, 2019, 2020)
    ]


def test_seed_creates_the_eight_indicators_with_their_2020_targets(seeded):
    indicators = {i.code: i for i in Indicator.objects.order_by("order")}

    assert list(indicators) == [
        "ROAD", "SCHOOL", "HEALTH", "INCOME", "ESCAPE", "LABOUR", "EDU", "CULTURE"
    ]  # fmt: skip
    assert {code: i.target_low for code, i in indicators.items()} == {
        "ROAD": 100, "SCHOOL": 100, "HEALTH": 100, "INCOME": 15,
        "ESCAPE": 10, "LABOUR": 52, "EDU": 80, "CULTURE": 50,
    }  # fmt: skip
    assert indicators["INCOME"].measure == Measure.GROWTH
    assert indicators["INCOME"].target_high == 20
    assert indicators["INCOME"].is_range
    assert [code for code, i in indicators.items() if i.target_high is not None] == ["INCOME"]
    assert {
        code: i.commune_field
        for code, i in indicators.items()
        if i.measure == Measure.SHARE_OF_COMMUNES
    } == {
        "ROAD": "paved_road",
        "SCHOOL": "adequate_schools",
        "HEALTH": "health_criteria_met",
        "CULTURE": "cultural_house",
    }
    assert {indicators[c].measure for c in ("ESCAPE", "LABOUR", "EDU")} == {Measure.RATE}
    assert "10%" in indicators["ESCAPE"].description
    assert all(i.target_year == 2020 and i.name and i.description for i in indicators.values())


def test_seed_creates_the_four_blocs_with_their_members(seeded):
    members = {
        bloc.code: set(bloc.units.values_list("code", flat=True))
        for bloc in EmulationBloc.objects.all()
    }

    assert members["districts"] == {
        "608", "610", "611", "612", "613", "614", "615", "616", "617", "618"
    }  # fmt: skip
    assert "snv" in members["departments"]
    assert len(members["departments"]) == 10
    assert len(members["mass-organisations"]) == 5
    assert members["enterprises"] == set()


def test_each_bloc_rubric_adds_up_to_100_with_parents_equal_to_their_children(seeded):
    indicator_codes = set(Indicator.objects.values_list("code", flat=True))

    for bloc in EmulationBloc.objects.all():
        criteria = list(bloc.criteria.prefetch_related("children"))
        top = [c for c in criteria if c.parent_id is None]
        assert sum(c.max_points for c in top) == Decimal(100), bloc.code
        for criterion in criteria:
            children = list(criterion.children.all())
            if children:
                assert criterion.max_points == sum(c.max_points for c in children)
                assert not criterion.indicator_code
        leaves = [c for c in criteria if not c.children.all()]
        assert any(c.requires_evidence for c in leaves), bloc.code
        assert {c.indicator_code for c in leaves} - {""} <= indicator_codes


def test_the_district_rubric_scores_all_eight_targets(seeded):
    districts = EmulationBloc.objects.get(code="districts")
    scored = districts.criteria.exclude(indicator_code="").values_list("indicator_code", flat=True)

    assert set(scored) == set(Indicator.objects.values_list("code", flat=True))


def test_rerunning_the_seed_creates_and_changes_nothing(seeded):
    before = snapshot()

    counts = reference_data_seed()
    call_command("seed_campaign", stdout=StringIO())

    assert all(done["created"] == 0 and done["updated"] == 0 for done in counts.values())
    assert snapshot() == before


def test_seed_restores_a_reference_name_and_reports_the_update(seeded):
    Unit.objects.filter(code="608").update(name="TP Kon Tum")

    counts = reference_data_seed()

    assert Unit.objects.get(code="608").name == "Thành phố Kon Tum"
    assert counts["units.unit"]["updated"] == 1


def test_seed_leaves_a_locked_year_and_an_edited_rubric_alone(seeded):
    ReportingPeriod.objects.filter(year=2018).update(state=PeriodState.LOCKED)
    Criterion.objects.filter(bloc__code="enterprises", code="1").update(name="Đăng ký")

    reference_data_seed()

    assert ReportingPeriod.objects.get(year=2018).state == PeriodState.LOCKED
    assert Criterion.objects.get(bloc__code="enterprises", code="1").name == "Đăng ký"


def test_seed_refuses_a_reference_code_taken_by_a_unit_of_another_level(db):
    DepartmentFactory(code="608", name="Sở Thử")

    with pytest.raises(ValidationError) as excinfo:
        units_load_reference()

    assert excinfo.value.code == "unit_level_conflict"
    with pytest.raises(CommandError):
        call_command("seed_campaign", stdout=StringIO())
    assert not Campaign.objects.exists()
    assert Unit.objects.count() == 2  # the province and the department, nothing more


def test_seed_refuses_a_missing_reference_file(tmp_path):
    with pytest.raises(ValidationError) as excinfo:
        units_load_reference(directory=tmp_path)

    assert excinfo.value.code == "reference_file_missing"
    assert not Unit.objects.exists()
