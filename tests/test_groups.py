"""The groups the campaign names, against the rest, and falling back into poverty, from small
fixtures worked out by hand."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from campaigns.services import figures
from indicators.progress.groups import (
    Group,
    districts_above_falling_back_threshold,
    falling_back_by_district,
    poverty_by_group,
)
from tests.factories import (
    BlocFactory,
    BlocMembershipFactory,
    CampaignFactory,
    CommuneFactory,
    CommuneStatisticsFactory,
    DistrictFactory,
    PeriodFactory,
    ProvinceFactory,
    SubmissionFactory,
    UnitFlagFactory,
    UserFactory,
)
from units import services as unit_services
from units.models import FlagSource, UnitFlag, UnitFlagKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return CampaignFactory(coverage_threshold=0)


@pytest.fixture
def place():
    """Two districts: A with a border commune and a Program 135 commune, B with one commune."""
    province = ProvinceFactory()
    a = DistrictFactory(parent=province, name="Huyện A")
    b = DistrictFactory(parent=province, name="Huyện B")
    border = CommuneFactory(parent=a)
    p135 = CommuneFactory(parent=a)
    other = CommuneFactory(parent=b)
    UnitFlagFactory(unit=border, flag=UnitFlagKind.BORDER, decision="QĐ biên giới")
    UnitFlagFactory(unit=p135, flag=UnitFlagKind.ESPECIALLY_DIFFICULT)
    CommuneStatisticsFactory(
        commune=border,
        total_households=1000,
        poor_households=300,
        near_poor_households=100,
        ethnic_minority_households=800,
        poor_ethnic_minority_households=280,
        near_poor_ethnic_minority_households=60,
        escaped_poverty=50,
        newly_poor=20,
        fell_back=10,
    )
    CommuneStatisticsFactory(
        commune=p135,
        total_households=500,
        poor_households=100,
        near_poor_households=50,
        ethnic_minority_households=200,
        poor_ethnic_minority_households=70,
        near_poor_ethnic_minority_households=20,
        escaped_poverty=30,
        newly_poor=5,
        fell_back=0,
    )
    CommuneStatisticsFactory(
        commune=other,
        total_households=2000,
        poor_households=100,
        near_poor_households=200,
        escaped_poverty=40,
        newly_poor=2,
        fell_back=2,
    )
    return {"province": province, "a": a, "b": b, "border": border, "p135": p135}


def test_ethnic_minority_households_against_all_households(campaign, place):
    groups = poverty_by_group(campaign=campaign, scope=place["province"], year=2019)

    em, everyone = groups.scope.pair(Group.ETHNIC_MINORITY, Group.ALL)
    # Ethnic minorities: 350 poor of 1 000 households (the third commune gave no EM counts).
    assert em.poverty_rate == 35.0
    assert em.near_poverty_rate == 8.0
    assert em.coverage.reported == 2 and em.coverage.expected == 3
    assert em.escaped is None  # not collected for the group: shown as such, never as 0
    # All households: 500 poor of 3 500.
    assert everyone.poverty_rate == 14.29
    assert everyone.near_poverty_rate == 10.0
    assert (everyone.escaped, everyone.newly_poor, everyone.fell_back) == (120, 27, 12)
    assert everyone.re_poverty_rate == 0.34


def test_border_and_program_135_communes_against_the_rest(campaign, place):
    groups = poverty_by_group(campaign=campaign, scope=place["province"], year=2019)

    border, rest = groups.scope.pair(Group.BORDER, Group.NOT_BORDER)
    assert (border.poverty_rate, border.escaped, border.fell_back) == (30.0, 50, 10)
    assert (border.coverage.reported, border.coverage.expected) == (1, 1)
    assert rest.poverty_rate == 8.0  # 200 of 2 500
    p135, not_p135 = groups.scope.pair(Group.P135, Group.NOT_P135)
    assert (p135.poverty_rate, p135.newly_poor) == (20.0, 5)
    assert not_p135.poverty_rate == 13.33  # 400 of 3 000
    assert not_p135.coverage.expected == 2


def test_groups_by_district(campaign, place):
    groups = poverty_by_group(campaign=campaign, scope=place["province"], year=2019)

    a, b = groups.districts
    assert a.figures[Group.BORDER].poverty_rate == 30.0
    assert a.figures[Group.NOT_BORDER].poverty_rate == 20.0
    assert b.figures[Group.BORDER].coverage.expected == 0
    assert b.figures[Group.BORDER].poverty_rate is None
    assert b.figures[Group.ALL].poverty_rate == 5.0


def test_a_flag_counts_only_in_the_years_it_is_in_force(campaign, place):
    later = CommuneFactory(parent=place["b"])
    UnitFlagFactory(unit=later, flag=UnitFlagKind.BORDER, valid_from=date(2020, 1, 1))
    CommuneStatisticsFactory(commune=later, total_households=100, poor_households=50)

    in_2019 = poverty_by_group(campaign=campaign, scope=place["province"], year=2019)

    assert in_2019.scope.figures[Group.BORDER].poverty_rate == 30.0
    assert in_2019.scope.figures[Group.BORDER].coverage.expected == 1


def test_a_group_below_the_minimum_coverage_is_withheld(place):
    campaign = CampaignFactory(coverage_threshold=100)

    groups = poverty_by_group(campaign=campaign, scope=place["province"], year=2019)

    assert groups.scope.figures[Group.ETHNIC_MINORITY].poverty_rate is None  # 2 of 3 communes
    assert groups.scope.figures[Group.BORDER].poverty_rate == 30.0


def test_lists_say_when_the_board_completed_them(campaign, place):
    before = poverty_by_group(campaign=campaign, scope=place["province"], year=2019)
    assert not before.lists[UnitFlagKind.BORDER].completed_by_board

    board = UserFactory(board=True)
    UnitFlagFactory(
        unit=CommuneFactory(parent=place["b"]),
        flag=UnitFlagKind.BORDER,
        decision="QĐ 123/QĐ-UBND",
        source=FlagSource.BOARD,
        added_by=board,
        added_at=timezone.now(),
    )

    after = poverty_by_group(campaign=campaign, scope=place["province"], year=2019)
    lists = after.lists[UnitFlagKind.BORDER]
    assert lists.completed_by_board
    assert lists.communes == 2
    assert lists.decisions == ["QĐ 123/QĐ-UBND", "QĐ biên giới"]


def test_re_poverty_and_new_poverty_per_district_and_year(place):
    campaign = CampaignFactory(coverage_threshold=0, falling_back_threshold="0.5")
    CommuneStatisticsFactory(
        commune=place["border"], year=2018, total_households=1000, poor_households=350, fell_back=3
    )

    rows = falling_back_by_district(campaign=campaign, scope=place["province"], year=2019)

    a, b = rows
    assert [y.year for y in a.years] == [2018, 2019]
    assert a.years[0].re_poverty_rate == 0.3  # 3 of 1 000 (the other commune gave no 2018 data)
    assert a.this_year.re_poverty_rate == 0.67  # 10 of 1 500
    assert a.this_year.new_poverty_rate == 1.67  # 25 of 1 500
    assert a.above_threshold
    assert b.this_year.new_poverty_rate == 0.1
    assert not b.above_threshold
    assert districts_above_falling_back_threshold(
        campaign=campaign, scope=place["province"], year=2019
    ) == {place["a"].pk}


def test_no_threshold_flags_no_district(campaign, place):
    assert not districts_above_falling_back_threshold(
        campaign=campaign, scope=place["province"], year=2019
    )


@pytest.fixture
def _fresh_cache(settings):
    settings.PROGRESS_CACHE_CHECK_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


@pytest.mark.usefixtures("_fresh_cache")
def test_the_leader_dashboard_shows_the_groups_and_flags_districts_falling_back(
    client, leader, place
):
    CampaignFactory(coverage_threshold=0, falling_back_threshold="0.5")
    UnitFlagFactory(
        unit=CommuneFactory(parent=place["b"]),
        flag=UnitFlagKind.BORDER,
        decision="QĐ 123/QĐ-UBND",
        source=FlagSource.BOARD,
        added_by=UserFactory(board=True),
        added_at=timezone.now(),
    )
    client.force_login(leader)

    response = client.get(reverse("dashboard:home"), {"year": 2019})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-group="ethnic_minority"' in html
    assert 'data-group="border"' in html and 'data-group="p135"' in html
    # The border list names its documents and says the Board completed it; Program 135's does not.
    assert "QĐ 123/QĐ-UBND" in html
    assert html.count("data-completed-by-board") == 1
    assert "35,00 %" in html  # ethnic-minority poverty rate of the province
    assert html.count('data-flag="falling-back"') == 1
    # Huyện A in 2019: re-poverty 0,67 % and new poverty 1,67 %, above the 0,5 % line.
    assert f'<tr data-district="{place["a"].code}" data-above="1">' in html
    assert re.search(r"0,67 %\s*/\s*1,67 %", html)


@pytest.mark.usefixtures("_fresh_cache")
def test_the_dashboard_shows_a_new_flag_and_new_statistics_though_reports_did_not_change(
    client, leader, place, settings
):
    settings.LEADERS_DASHBOARD_REFRESH_SECONDS = 0  # recomputed at once, as the Board's is
    CampaignFactory(coverage_threshold=0)
    client.force_login(leader)
    before = client.get(reverse("dashboard:home"), {"year": 2019}).content.decode()
    assert "QĐ 77/QĐ-UBND" not in before and "35,00 %" in before

    UnitFlagFactory(
        unit=CommuneFactory(parent=place["b"]),
        flag=UnitFlagKind.BORDER,
        decision="QĐ 77/QĐ-UBND",
        source=FlagSource.BOARD,
        added_by=UserFactory(board=True),
        added_at=timezone.now(),
    )
    flagged = client.get(reverse("dashboard:home"), {"year": 2019}).content.decode()
    assert "QĐ 77/QĐ-UBND" in flagged

    statistics = place["border"].statistics.get()
    statistics.poor_ethnic_minority_households = 200
    statistics.save()

    after = client.get(reverse("dashboard:home"), {"year": 2019}).content.decode()
    assert "35,00 %" not in after and "27,00 %" in after


# --- The Board completes the lists; the queue flags districts falling back ----------------------


@pytest.fixture
def period():
    return PeriodFactory(year=2019, campaign=CampaignFactory(coverage_threshold=0))


def test_the_board_completes_a_list_with_the_deciding_document(client, board_staff, period, place):
    commune = CommuneFactory(parent=place["b"], name="Xã Biên Thùy")
    client.force_login(board_staff)
    url = reverse("board:groups", args=[period.pk])

    response = client.post(
        url,
        {
            "action": "flag",
            "unit": commune.pk,
            "flag": UnitFlagKind.BORDER,
            "valid_from": "01/01/2019",
            "valid_to": "",
            "decision": "QĐ 45/QĐ-UBND ngày 10/01/2019",
        },
    )

    assert response.status_code == 302
    flag = UnitFlag.objects.get(unit=commune)
    assert (flag.source, flag.added_by, flag.decision) == (
        FlagSource.BOARD,
        board_staff,
        "QĐ 45/QĐ-UBND ngày 10/01/2019",
    )
    assert flag.added_at is not None
    groups = poverty_by_group(campaign=period.campaign, scope=place["province"], year=2019)
    assert groups.lists[UnitFlagKind.BORDER].completed_by_board
    assert groups.scope.figures[Group.BORDER].coverage.expected == 2


def test_a_flag_without_its_document_is_refused_and_nothing_is_saved(
    client, board_staff, period, place
):
    client.force_login(board_staff)

    response = client.post(
        reverse("board:groups", args=[period.pk]),
        {
            "action": "flag",
            "unit": place["p135"].pk,
            "flag": UnitFlagKind.BORDER,
            "valid_from": "01/01/2019",
            "decision": "   ",
        },
    )

    assert response.status_code == 422
    assert not UnitFlag.objects.filter(unit=place["p135"], flag=UnitFlagKind.BORDER).exists()


def test_the_database_refuses_a_board_flag_nobody_can_trace(place):
    with transaction.atomic(), pytest.raises(IntegrityError):
        UnitFlagFactory(unit=place["p135"], flag=UnitFlagKind.BORDER, source=FlagSource.BOARD)


def test_only_board_flags_can_be_removed_and_only_by_the_board(board_staff, leader, place):
    official = UnitFlag.objects.get(unit=place["p135"])
    with pytest.raises(ValidationError) as refused:
        unit_services.unit_flag_remove(flag=official, by=board_staff)
    assert refused.value.code == "official_flag"
    with pytest.raises(PermissionDenied):
        unit_services.unit_flag_add(
            unit=place["p135"],
            flag=UnitFlagKind.BORDER,
            valid_from=date(2019, 1, 1),
            valid_to=None,
            decision="QĐ 1",
            by=leader,
        )


@pytest.mark.usefixtures("_fresh_cache")
def test_the_queue_flags_districts_above_the_warning_threshold(client, board_staff, period, place):
    figures.falling_back_threshold_set(
        campaign=period.campaign, threshold=Decimal("0.5"), by=board_staff
    )
    bloc = BlocFactory(campaign=period.campaign)
    for district in (place["a"], place["b"]):
        BlocMembershipFactory(bloc=bloc, unit=district)
        SubmissionFactory(period=period, unit=district, submitted=True)
    client.force_login(board_staff)

    html = client.get(reverse("board:queue", args=[period.pk])).content.decode()

    rows = html.split("<tr data-unit=")
    row_a = next(r for r in rows if r.startswith(f'"{place["a"].code}"'))
    row_b = next(r for r in rows if r.startswith(f'"{place["b"].code}"'))
    assert 'data-flag="falling-back"' in row_a
    assert 'data-flag="falling-back"' not in row_b


def test_the_board_sets_the_warning_threshold_on_its_page(client, board_staff, period):
    client.force_login(board_staff)
    url = reverse("board:groups", args=[period.pk])

    assert client.post(url, {"action": "threshold", "threshold": "150"}).status_code == 422
    assert client.post(url, {"action": "threshold", "threshold": "0,75"}).status_code == 302

    period.campaign.refresh_from_db()
    assert period.campaign.falling_back_threshold == Decimal("0.75")
