"""The successor campaign (2021–2025) started from 3198/UBND-TH: what it copies, the baselines it
carries with their standard, and the earlier campaign left read-only with its documents."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from campaigns.models import (
    AwardForm,
    BlocMembership,
    Campaign,
    Criterion,
    EmulationBloc,
    ReportingPeriod,
)
from campaigns.services import awards, periods, register, submissions
from campaigns.services.review import ensure_reviewable
from indicators.models import Baseline, Denominator, Indicator, Measure
from indicators.progress.baselines import BaselineInput, baseline_set
from indicators.successor import SuccessorInput, campaign_successor_start
from tests.factories import (
    BlocFactory,
    BlocMembershipFactory,
    CampaignFactory,
    CriterionFactory,
    DistrictFactory,
    IndicatorFactory,
    ModelResultFactory,
    PeriodFactory,
    PovertyModelFactory,
    ProvinceFactory,
    ReportedValueFactory,
    SubmissionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NEXT = SuccessorInput(
    number="1234/UBND-KGVX",
    title="Cả nước chung tay vì người nghèo – Không để ai bị bỏ lại phía sau, giai đoạn 2021–2025",
    issued_on=date(2021, 5, 10),
    first_year=2021,
    last_year=2025,
    poverty_standard="NĐ 07/2021/NĐ-CP",
)


@pytest.fixture
def old():
    """3198/UBND-TH with one district bloc, a two-level rubric, LABOUR and ESCAPE accepted for
    2020, and a district that no longer takes part."""
    province = ProvinceFactory()
    campaign = CampaignFactory(poverty_standard="QĐ 59/2015/QĐ-TTg")
    period = PeriodFactory(campaign=campaign, year=2020, opens_on=date(2020, 1, 1))
    district = DistrictFactory(parent=province, name="Huyện Đắk Hà")
    gone = DistrictFactory(parent=province, is_active=False)
    bloc = BlocFactory(campaign=campaign, code="districts", name="Khối các huyện, thành phố")
    BlocMembershipFactory(bloc=bloc, unit=district)
    BlocMembershipFactory(bloc=bloc, unit=gone)
    parent = CriterionFactory(bloc=bloc, code="I", max_points=40)
    CriterionFactory(bloc=bloc, code="I.1", parent=parent, max_points=40)
    labour = IndicatorFactory(
        campaign=campaign,
        code="LABOUR",
        measure=Measure.RATE,
        denominator=Denominator.DISTRICTS,
        target_low=52,
    )
    IndicatorFactory(campaign=campaign, code="ESCAPE", measure=Measure.RATE, target_low=10)
    report = SubmissionFactory(period=period, unit=district, accepted=True)
    ReportedValueFactory(submission=report, indicator=labour, numerator=5800, denominator=10000)
    model = PovertyModelFactory(unit=district, participating_households=40)
    ModelResultFactory(
        model=model, year=2020, submission=report, participating_households=40, escaped_households=6
    )
    register.award_forms_ensure(campaign=campaign)
    return campaign


def start(old, **changes):
    board = UserFactory(board=True)
    data = SuccessorInput(**{**NEXT.__dict__, **changes})
    return campaign_successor_start(campaign=old, data=data, by=board)


def test_the_successor_copies_blocs_active_members_criteria_and_indicators(old):
    result = start(old)

    new = result.campaign
    assert (new.first_year, new.last_year, new.poverty_standard) == (2021, 2025, "NĐ 07/2021/NĐ-CP")
    bloc = EmulationBloc.objects.get(campaign=new)
    assert bloc.name == "Khối các huyện, thành phố"
    # A unit that no longer takes part is not carried over.
    assert [m.unit.name for m in BlocMembership.objects.filter(bloc=bloc)] == ["Huyện Đắk Hà"]
    child = Criterion.objects.get(campaign=new, code="I.1")
    assert child.parent.code == "I" and child.parent.campaign == new
    assert sorted(Indicator.objects.filter(campaign=new).values_list("code", "target_year")) == [
        ("ESCAPE", 2025),
        ("LABOUR", 2025),
    ]
    assert list(
        ReportingPeriod.objects.filter(campaign=new).values_list("year", flat=True)
    ) == list(range(2021, 2026))
    assert AwardForm.objects.filter(campaign=new).count() == 4
    assert (result.blocs, result.memberships, result.criteria, result.indicators) == (1, 1, 2, 2)


def test_the_two_campaigns_are_linked(old):
    new = start(old).campaign

    old.refresh_from_db()
    assert old.successor == new
    assert list(new.predecessors.all()) == [old]


def test_accepted_2020_values_become_baselines_marked_with_their_standard(old):
    new = start(old).campaign

    labour = Baseline.objects.get(indicator__campaign=new, indicator__code="LABOUR")
    assert (labour.year, labour.value, labour.standard, labour.needs_reentry) == (
        2020,
        Decimal("58.00"),
        "3198/UBND-TH",
        False,
    )
    assert "2020" in labour.source_document and "3198/UBND-TH" in labour.source_document
    escape = Baseline.objects.get(indicator__campaign=new, indicator__code="ESCAPE")
    assert (escape.value, escape.standard) == (Decimal("15.00"), "QĐ 59/2015/QĐ-TTg")


def test_poverty_baselines_are_flagged_to_be_entered_again_under_the_new_standard(old):
    result = start(old)

    flagged = Baseline.objects.filter(indicator__campaign=result.campaign, needs_reentry=True)
    assert [b.indicator.code for b in flagged] == ["ESCAPE"]
    assert result.to_reenter == 1
    assert "NĐ 07/2021/NĐ-CP" in flagged.get().note


def test_entering_a_flagged_baseline_again_clears_the_flag_and_takes_the_new_standard(old):
    new = start(old).campaign
    escape = Indicator.objects.get(campaign=new, code="ESCAPE")

    baseline_set(
        indicator=escape,
        scope=None,
        data=BaselineInput(year=2020, value=Decimal(12), source_document="Báo cáo rà soát 2021"),
        by=UserFactory(board=True),
    )

    baseline = Baseline.objects.get(indicator=escape)
    assert (baseline.value, baseline.standard, baseline.needs_reentry) == (
        Decimal(12),
        "NĐ 07/2021/NĐ-CP",
        False,
    )


def test_a_campaign_has_one_successor(old):
    start(old)

    with pytest.raises(ValidationError) as excinfo:
        start(old, number="999/UBND-KGVX")
    assert excinfo.value.code == "has_successor"
    assert Campaign.objects.count() == 2


def test_the_successor_must_start_after_the_last_year(old):
    with pytest.raises(ValidationError) as excinfo:
        start(old, first_year=2020)

    assert excinfo.value.error_dict["first_year"][0].code == "overlapping_years"
    old.refresh_from_db()
    assert old.successor is None
    assert Campaign.objects.count() == 1


def test_only_the_board_starts_a_successor(old):
    with pytest.raises(PermissionDenied):
        campaign_successor_start(campaign=old, data=NEXT, by=UserFactory(leader=True))
    assert Campaign.objects.count() == 1


def test_the_command_starts_the_successor_and_is_safe_to_rerun(old, capsys):
    UserFactory(board=True, username="ban-tdkt")
    args = [
        "start_successor_campaign",
        "--number",
        NEXT.number,
        "--title",
        NEXT.title,
        "--issued-on",
        "10/05/2021",
        "--by",
        "ban-tdkt",
    ]

    call_command(*args)
    call_command(*args)

    old.refresh_from_db()
    assert old.successor.number == NEXT.number
    assert old.successor.issued_on == date(2021, 5, 10)
    assert Campaign.objects.count() == 2
    out = capsys.readouterr().out
    assert "already has its successor" in out or "đã có phong trào kế tiếp" in out


# --- The earlier campaign is read-only -------------------------------------------------------


def test_an_earlier_campaigns_report_refuses_every_write(old):
    start(old)
    period = ReportingPeriod.objects.get(campaign=old, year=2020)
    with pytest.raises(ValidationError) as excinfo:
        submissions.submission_get_or_create_draft(period=period, unit=DistrictFactory())
    assert excinfo.value.code == "campaign_read_only"
    with pytest.raises(ValidationError) as excinfo:
        ensure_reviewable(period)
    assert excinfo.value.code == "campaign_read_only"
    with pytest.raises(ValidationError) as excinfo:
        periods.period_close(period=period, by=UserFactory(board=True))
    assert excinfo.value.code == "campaign_read_only"


def test_an_earlier_campaigns_awards_refuse_new_proposals(old):
    start(old)
    period = ReportingPeriod.objects.get(campaign=old, year=2020)
    period.state = "closed"
    period.save()
    district = BlocMembership.objects.filter(bloc__campaign=old).first().unit

    with pytest.raises(ValidationError) as excinfo:
        awards.proposal_add(
            period=period,
            unit=district,
            award="certificate",
            reason="Lý do",
            by=UserFactory(board=True),
        )
    assert excinfo.value.code == "campaign_read_only"


def test_the_board_pages_of_an_earlier_campaign_say_it_is_read_only(client, old):
    start(old)
    period = ReportingPeriod.objects.get(campaign=old, year=2020)
    client.force_login(UserFactory(board=True))

    queue = client.get(reverse("board:queue", args=[period.pk]))
    proposals = client.get(reverse("board:awards", args=[period.pk]))

    assert queue.status_code == proposals.status_code == 200
    assert queue.context["can_act"] is False
    assert proposals.context["can_act"] is False
    assert 'id="campaign-read-only"' in proposals.content.decode()
    assert NEXT.number in proposals.content.decode()


def test_an_officer_cannot_open_an_earlier_campaigns_year_for_writing(client, old):
    start(old)
    district = BlocMembership.objects.filter(bloc__campaign=old).first().unit
    officer = UserFactory(unit=district)
    client.force_login(officer)
    period = ReportingPeriod.objects.get(campaign=old, year=2020)

    response = client.post(
        reverse("report:registration", args=[period.pk]), {"other_commitments": "Cam kết"}
    )

    assert response.status_code != 302
    assert not district.registrations.filter(period=period).exists()


def test_an_earlier_campaigns_documents_can_still_be_rendered(old, tmp_path):
    start(old)
    out = tmp_path / "danh-sach.pdf"

    call_command("render_report", "awards", "--year", "2020", "--out", str(out))

    assert out.read_bytes().startswith(b"%PDF")


# --- The Board's page -------------------------------------------------------------------------


def test_the_board_starts_the_successor_from_its_page(client, old):
    client.force_login(UserFactory(board=True))
    url = reverse("board:successor", args=[old.pk])

    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "number": NEXT.number,
            "title": NEXT.title,
            "issued_on": "10/05/2021",
            "first_year": 2021,
            "last_year": 2025,
            "poverty_standard": "NĐ 07/2021/NĐ-CP",
        },
    )

    assert response.status_code == 302
    old.refresh_from_db()
    assert old.successor.number == NEXT.number
    assert old.successor.periods.count() == 5


def test_a_refused_successor_says_why_and_starts_nothing(client, old):
    client.force_login(UserFactory(board=True))

    response = client.post(
        reverse("board:successor", args=[old.pk]),
        {
            "number": old.number,
            "title": NEXT.title,
            "issued_on": "10/05/2021",
            "first_year": 2021,
            "last_year": 2025,
            "poverty_standard": "NĐ 07/2021/NĐ-CP",
        },
    )

    assert response.status_code == 422
    assert response.context["form"].has_error("number", "unique_number")
    assert Campaign.objects.count() == 1


def test_a_leader_reads_the_successor_page_but_cannot_start_it(client, old):
    client.force_login(UserFactory(leader=True))
    url = reverse("board:successor", args=[old.pk])

    assert client.get(url).status_code == 200
    assert client.post(url, {"number": "x"}).status_code == 403
    assert Campaign.objects.count() == 1


def test_the_new_campaigns_roadmap_flags_the_baselines_to_enter_again(client, old):
    new = start(old).campaign
    client.force_login(UserFactory(board=True))

    page = client.get(
        reverse("board:roadmap", args=[new.periods.order_by("year").first().pk])
    ).content.decode()

    assert 'id="reenter-ESCAPE"' in page
    assert 'id="reenter-LABOUR"' not in page
    assert "QĐ 59/2015/QĐ-TTg" in page
