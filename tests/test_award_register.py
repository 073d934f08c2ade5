"""The award dossier and the decision register: nominees named properly, the forms the Board
sets up with their quotas, decisions with their signer, each unit's award history, and the
rules eligibility reads from it (the law's and the Board's)."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from campaigns.models import (
    AwardForm,
    AwardKind,
    AwardLevel,
    AwardProposal,
    AwardRecord,
    AwardStage,
    Nominee,
    NomineeKind,
    PeriodState,
    ProposalStatus,
)
from campaigns.services import awards, register
from reports.documents import document_for
from reports.pdf import render_with_annex
from tests.factories import (
    AwardFormFactory,
    AwardRecordFactory,
    DepartmentFactory,
    PeriodFactory,
    SubmissionFactory,
    UserFactory,
)
from tests.pdf_tools import pdf_text
from tests.test_board_awards import CERTIFICATE, FLAG, Year
from tests.test_board_ranking import bloc_build, member, report

pytestmark = pytest.mark.django_db

SIGNER = "Nguyễn Văn Hòa"


@pytest.fixture
def year() -> Year:
    """A closed year of the district bloc: two Excellent units, one Good, one not reporting."""
    b = bloc_build()
    y = Year(
        b=b,
        first=member(b, "Thành phố Kon Tum"),
        second=member(b, "Huyện Đắk Hà"),
        good=member(b, "Huyện Sa Thầy"),
        excused=member(b, "Huyện Ia H'Drai"),
    )
    report(b, y.first, main=58, other=37)
    report(b, y.second, main=55, other=37)
    report(b, y.good, main=45, other=30)
    SubmissionFactory(period=b.period, unit=y.excused, not_reporting=True)
    b.period.state = PeriodState.CLOSED
    b.period.save()
    return y


def form_of(y: Year, kind: str) -> AwardForm:
    return register.award_form(period=y.b.period, kind=kind)


def propose(y: Year, unit, *, board, award=CERTIFICATE, **extra) -> AwardProposal:
    return awards.proposal_add(
        period=y.b.period, unit=unit, award=award, reason=extra.pop("reason", ""), by=board, **extra
    )


def decide(y: Year, proposals, *, board, number="15/QĐ-UBND", on=date(2020, 4, 15), form=None):
    return register.decision_record(
        period=y.b.period,
        form=form or proposals[0].form,
        number=number,
        signed_on=on,
        signer_name=SIGNER,
        signer_title="KT. CHỦ TỊCH – PHÓ CHỦ TỊCH",
        proposals=proposals,
        by=board,
    )


def codes(excinfo) -> set[str]:
    return {e.code for e in excinfo.value.error_list}


# --- Nominees ---------------------------------------------------------------------------------


def test_a_territorys_collective_is_its_people_and_officials(year):
    assert register.collective_name(year.second) == "Nhân dân và cán bộ huyện Đắk Hà"
    assert register.collective_name(year.first) == "Nhân dân và cán bộ thành phố Kon Tum"


def test_an_agencys_collective_is_the_agency(db):
    department = DepartmentFactory(name="Sở Lao động – Thương binh và Xã hội")
    assert register.collective_name(department) == "Sở Lao động – Thương binh và Xã hội"


def test_derived_proposals_name_the_collective_not_the_peoples_committee(year, board_staff):
    awards.proposals_derive(period=year.b.period, by=board_staff)

    names = set(AwardProposal.objects.values_list("nominee__name", flat=True))
    assert names == {"Nhân dân và cán bộ thành phố Kon Tum", "Nhân dân và cán bộ huyện Đắk Hà"}


def test_a_collective_named_as_the_peoples_committee_is_refused(year):
    with pytest.raises(ValidationError) as excinfo:
        register.nominee_get_or_add(
            unit=year.second, kind=NomineeKind.COLLECTIVE, name="UBND huyện Đắk Hà"
        )
    assert excinfo.value.error_dict["name"][0].code == "committee_name"


def test_a_person_is_proposed_with_a_summary_of_achievements(year, board_staff):
    proposal = propose(
        year,
        year.good,
        board=board_staff,
        nominee_kind=NomineeKind.INDIVIDUAL,
        nominee_name="Bà Y Hlen",
        nominee_details="Chủ tịch Hội Phụ nữ xã Đăk Ui",
        summary="Vận động 40 hộ tham gia mô hình nuôi bò, 12 hộ thoát nghèo.",
    )

    assert proposal.nominee.kind == NomineeKind.INDIVIDUAL
    assert proposal.nominee.unit == year.good
    assert proposal.summary.startswith("Vận động 40 hộ")
    assert proposal.form.name == "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"


def test_a_household_without_a_summary_is_refused_and_leaves_no_nominee(year, board_staff):
    with pytest.raises(ValidationError) as excinfo:
        propose(
            year,
            year.good,
            board=board_staff,
            nominee_kind=NomineeKind.HOUSEHOLD,
            nominee_name="Hộ ông A Blong",
        )

    assert excinfo.value.error_dict["summary"][0].code == "needs_summary"
    assert not Nominee.objects.filter(name="Hộ ông A Blong").exists()


def test_a_giay_khen_is_recorded_not_proposed(year, board_staff):
    with pytest.raises(ValidationError) as excinfo:
        propose(year, year.good, board=board_staff, award=AwardKind.COMMENDATION, reason="x")
    assert excinfo.value.error_dict["award"][0].code == "recorded_not_proposed"


# --- Quotas -----------------------------------------------------------------------------------


def test_a_full_quota_refuses_one_more_proposal(year, board_staff):
    form = form_of(year, CERTIFICATE)
    form.quota = 1
    form.save()
    propose(year, year.second, board=board_staff)

    with pytest.raises(ValidationError) as excinfo:
        propose(year, year.good, board=board_staff, reason="Đề nghị đặc cách")

    assert excinfo.value.code == "quota_full"
    assert AwardProposal.objects.filter(form=form).count() == 1


def test_proposing_from_the_ranking_stops_at_the_quota(year, board_staff):
    form = form_of(year, CERTIFICATE)
    AwardProposal.objects.create(
        period=year.b.period,
        unit=year.good,
        nominee=register.collective_nominee(unit=year.good),
        form=form,
        award=CERTIFICATE,
        reason="Đề nghị đặc cách",
    )
    form.quota = 1
    form.save()

    awards.proposals_derive(period=year.b.period, by=board_staff)

    # The flag has no quota; the certificate's one place is already taken.
    assert set(AwardProposal.objects.values_list("unit", "award")) == {
        (year.good.pk, CERTIFICATE),
        (year.first.pk, FLAG),
    }


def test_a_decision_past_the_quota_is_refused_whole(year, board_staff):
    one = propose(year, year.second, board=board_staff)
    two = propose(year, year.good, board=board_staff, reason="Đề nghị đặc cách")
    form = one.form
    form.quota = 1
    form.save()

    with pytest.raises(ValidationError) as excinfo:
        decide(year, [one, two], board=board_staff)

    assert "quota_full" in codes(excinfo)
    assert not AwardRecord.objects.exists()
    assert set(AwardProposal.objects.values_list("status", flat=True)) == {"proposed"}


# --- The decision register --------------------------------------------------------------------


def test_a_decision_approves_its_nominees_and_enters_their_history(year, board_staff):
    one = propose(year, year.second, board=board_staff)
    two = propose(
        year,
        year.good,
        board=board_staff,
        nominee_kind=NomineeKind.INDIVIDUAL,
        nominee_name="Ông A Thuân",
        summary="Hiến 2.000 m² đất làm đường.",
    )

    decision = decide(year, [one, two], board=board_staff)

    assert (decision.number, decision.signed_on, decision.signer_name) == (
        "15/QĐ-UBND",
        date(2020, 4, 15),
        SIGNER,
    )
    one.refresh_from_db()
    assert (one.status, one.decision_number, one.decision_date) == (
        ProposalStatus.APPROVED,
        "15/QĐ-UBND",
        date(2020, 4, 15),
    )
    history = AwardRecord.objects.filter(decision=decision).order_by("nominee__name")
    assert [(r.nominee.name, r.granted_by, r.period) for r in history] == [
        ("Nhân dân và cán bộ huyện Đắk Hà", "Chủ tịch Ủy ban nhân dân tỉnh", year.b.period),
        ("Ông A Thuân", "Chủ tịch Ủy ban nhân dân tỉnh", year.b.period),
    ]


def test_a_decision_number_is_recorded_once_a_year(year, board_staff):
    decide(year, [propose(year, year.second, board=board_staff)], board=board_staff)
    other = propose(year, year.good, board=board_staff, reason="Đề nghị đặc cách")

    with pytest.raises(ValidationError) as excinfo:
        decide(year, [other], board=board_staff)

    assert excinfo.value.error_dict["number"][0].code == "unique_number"
    other.refresh_from_db()
    assert other.status == ProposalStatus.PROPOSED


def test_a_decision_needs_its_signer(year, board_staff):
    proposal = propose(year, year.second, board=board_staff)
    with pytest.raises(ValidationError) as excinfo:
        register.decision_record(
            period=year.b.period,
            form=proposal.form,
            number="15/QĐ-UBND",
            signed_on=date(2020, 4, 15),
            signer_name=" ",
            proposals=[proposal],
            by=board_staff,
        )
    assert excinfo.value.error_dict["signer_name"][0].code == "required"


def test_approving_a_row_joins_the_decision_already_registered(year, board_staff):
    first = propose(year, year.second, board=board_staff)
    decide(year, [first], board=board_staff)
    second = propose(year, year.good, board=board_staff, reason="Đề nghị đặc cách")

    awards.proposal_decide(
        proposal=second,
        by=board_staff,
        status=ProposalStatus.APPROVED,
        decision_number="15/QĐ-UBND",
        decision_date=date(2020, 4, 15),
    )

    assert AwardRecord.objects.filter(decision__number="15/QĐ-UBND").count() == 2


def test_taking_an_approval_back_removes_the_award_from_the_history(year, board_staff):
    proposal = propose(year, year.second, board=board_staff)
    decide(year, [proposal], board=board_staff)

    awards.proposal_decide(proposal=proposal, by=board_staff, status=ProposalStatus.PROPOSED)

    assert not AwardRecord.objects.exists()


def test_only_the_board_records_a_decision(year, board_staff, leader):
    proposal = propose(year, year.second, board=board_staff)
    with pytest.raises(PermissionDenied):
        decide(year, [proposal], board=leader)
    assert not AwardRecord.objects.exists()


# --- The law's rules and the Board's ----------------------------------------------------------


def test_one_achievement_earns_one_form_a_giay_khen_for_it_stops_the_certificate(year, board_staff):
    register.record_add(
        unit=year.second,
        form=form_of(year, AwardKind.COMMENDATION),
        decision_number="45/QĐ-UBND",
        decided_on=date(2020, 1, 20),
        granted_by="Chủ tịch UBND huyện Đắk Hà",
        period=year.b.period,
        by=board_staff,
    )

    with pytest.raises(ValidationError) as excinfo:
        propose(year, year.second, board=board_staff)

    assert codes(excinfo) == {"one_form_per_achievement"}


def test_one_achievement_earns_one_form_a_flag_proposal_stops_the_certificate(year, board_staff):
    propose(year, year.first, board=board_staff, award=FLAG)

    with pytest.raises(ValidationError) as excinfo:
        propose(year, year.first, board=board_staff, reason="Đề nghị thêm Bằng khen")

    assert codes(excinfo) == {"one_form_per_achievement"}


def test_proposing_from_the_ranking_leaves_out_a_unit_already_awarded_for_the_year(
    year, board_staff
):
    register.record_add(
        unit=year.second,
        form=form_of(year, AwardKind.COMMENDATION),
        decision_number="45/QĐ-UBND",
        decided_on=date(2020, 1, 20),
        period=year.b.period,
        by=board_staff,
    )

    awards.proposals_derive(period=year.b.period, by=board_staff)

    assert set(AwardProposal.objects.values_list("unit", flat=True)) == {year.first.pk}


def test_no_two_state_level_awards_to_one_nominee_in_one_year(year, board_staff, time_machine):
    time_machine.move_to(date(2020, 3, 1))
    campaign = year.b.period.campaign
    state = AwardFormFactory(
        campaign=campaign,
        kind=AwardKind.PM_CERTIFICATE,
        stage=AwardStage.YEAR,
        level=AwardLevel.STATE,
        name="Bằng khen của Thủ tướng Chính phủ",
        authority="Thủ tướng Chính phủ",
    )
    nominee = register.collective_nominee(unit=year.second)
    AwardRecordFactory(
        nominee=nominee,
        form=AwardFormFactory(
            campaign=campaign,
            kind=AwardKind.FLAG,
            stage=AwardStage.FINAL,
            level=AwardLevel.STATE,
            name="Cờ thi đua của Chính phủ",
        ),
        decided_on=date(2020, 2, 1),
    )
    proposal = AwardProposal.objects.create(
        period=year.b.period,
        unit=year.second,
        nominee=nominee,
        form=state,
        award=AwardKind.PM_CERTIFICATE,
        summary="Dẫn đầu khối các huyện.",
    )

    with pytest.raises(ValidationError) as excinfo:
        decide(year, [proposal], board=board_staff, on=date(2020, 9, 1))
    assert codes(excinfo) == {"one_state_award_a_year"}

    # The year after, the same award may be given.
    decide(year, [proposal], board=board_staff, number="7/QĐ-TTg", on=date(2021, 3, 1))
    assert nominee.awards.filter(form=state).exists()


def test_the_boards_rule_of_years_between_two_awards_of_one_form(year, board_staff, time_machine):
    time_machine.move_to(date(2020, 3, 1))
    form = form_of(year, CERTIFICATE)
    form.min_years_between = 3
    form.save()
    AwardRecordFactory(
        nominee=register.collective_nominee(unit=year.second),
        form=form,
        decided_on=date(2018, 5, 1),
    )

    with pytest.raises(ValidationError) as excinfo:
        propose(year, year.second, board=board_staff)

    assert codes(excinfo) == {"too_soon"}


def test_the_boards_rule_of_a_form_the_nominee_must_already_hold(year, board_staff):
    flag = form_of(year, FLAG)
    flag.requires = form_of(year, CERTIFICATE)
    flag.save()

    with pytest.raises(ValidationError) as excinfo:
        propose(year, year.first, board=board_staff, award=FLAG)

    assert codes(excinfo) == {"needs_prior_award"}


def test_the_board_sets_a_quota_and_rules_on_a_form(year, board_staff):
    form = form_of(year, CERTIFICATE)

    register.form_update(
        form=form,
        data=register.FormInput(
            name=form.name,
            authority=form.authority,
            level=form.level,
            quota=5,
            min_years_between=2,
            requires=None,
            board_proposes=True,
        ),
        by=board_staff,
    )

    form.refresh_from_db()
    assert (form.quota, form.min_years_between) == (5, 2)


def test_a_giay_khen_form_cannot_be_set_to_be_proposed_by_the_board(year, board_staff):
    form = form_of(year, AwardKind.COMMENDATION)
    with pytest.raises(ValidationError):
        register.form_update(
            form=form,
            data=register.FormInput(
                name=form.name,
                authority=form.authority,
                level=form.level,
                quota=None,
                min_years_between=0,
                requires=None,
                board_proposes=True,
            ),
            by=board_staff,
        )
    form.refresh_from_db()
    assert form.board_proposes is False


# --- Pages ------------------------------------------------------------------------------------


def register_url(y: Year) -> str:
    return reverse("board:award-register", kwargs={"period_pk": y.b.period.pk})


def test_the_board_records_a_decision_on_the_register_page(client, year, board_staff):
    proposal = propose(year, year.second, board=board_staff)
    client.force_login(board_staff)

    response = client.post(
        register_url(year),
        {
            "action": "decide",
            "form": proposal.form.pk,
            "number": "15/QĐ-UBND",
            "signed_on": "15/04/2020",
            "signer_name": SIGNER,
            "signer_title": "KT. CHỦ TỊCH – PHÓ CHỦ TỊCH",
            "proposals": [proposal.pk],
        },
    )

    assert response.status_code == 302
    page = client.get(register_url(year)).content.decode()
    assert "15/QĐ-UBND" in page and SIGNER in page and "Nhân dân và cán bộ huyện Đắk Hà" in page


def test_the_register_links_to_the_registers_of_the_campaigns_other_years(
    client, year, board_staff
):
    period = year.b.period
    other = PeriodFactory(campaign=period.campaign, year=period.year + 1)
    client.force_login(board_staff)

    response = client.get(register_url(year))

    assert response.status_code == 200
    other_url = reverse("board:award-register", kwargs={"period_pk": other.pk})
    assert f'href="{other_url}"' in response.content.decode()


def test_a_refused_decision_comes_back_with_the_reason(client, year, board_staff):
    proposal = propose(year, year.second, board=board_staff)
    client.force_login(board_staff)

    response = client.post(
        register_url(year),
        {
            "action": "decide",
            "form": proposal.form.pk,
            "number": "15/QĐ-UBND",
            "signed_on": "15/04/2020",
            "signer_name": "",
            "proposals": [proposal.pk],
        },
    )

    assert response.status_code == 422
    assert response.context["error_form"].has_error("signer_name")
    assert not AwardRecord.objects.exists()


def test_a_leader_reads_the_register_but_cannot_record(client, year, leader, board_staff):
    proposal = propose(year, year.second, board=board_staff)
    client.force_login(leader)

    assert client.get(register_url(year)).status_code == 200
    response = client.post(
        register_url(year),
        {"action": "decide", "form": proposal.form.pk, "proposals": [proposal.pk]},
    )
    assert response.status_code == 403


def test_an_officer_cannot_open_the_register(client, year, unit_officer):
    client.force_login(unit_officer)
    assert client.get(register_url(year)).status_code == 403


def test_the_units_page_shows_its_award_history(client, year, board_staff):
    decide(year, [propose(year, year.second, board=board_staff)], board=board_staff)
    register.record_add(
        unit=year.second,
        nominee_kind=NomineeKind.HOUSEHOLD,
        nominee_name="Hộ ông A Blong",
        nominee_details="Thôn Kon Stiu, xã Ngọk Wang",
        form=form_of(year, AwardKind.COMMENDATION),
        decision_number="45/QĐ-UBND",
        decided_on=date(2020, 1, 20),
        granted_by="Chủ tịch UBND huyện Đắk Hà",
        by=board_staff,
    )
    client.force_login(board_staff)

    page = client.get(reverse("board:unit-awards", args=[year.second.pk])).content.decode()

    assert "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh" in page and "15/QĐ-UBND" in page
    assert "Hộ ông A Blong" in page and "45/QĐ-UBND" in page


def test_the_board_records_a_giay_khen_on_the_units_page(client, year, board_staff):
    client.force_login(board_staff)

    response = client.post(
        reverse("board:unit-awards", args=[year.second.pk]),
        {
            "nominee_kind": NomineeKind.INDIVIDUAL,
            "nominee_name": "Ông A Thuân",
            "nominee_details": "Trưởng thôn Kon Stiu",
            "form": form_of(year, AwardKind.COMMENDATION).pk,
            "decision_number": "45/QĐ-UBND",
            "decided_on": "20/01/2020",
            "granted_by": "Chủ tịch UBND huyện Đắk Hà",
            "period": year.b.period.pk,
            "summary": "Vận động nhân dân hiến đất làm đường.",
        },
    )

    assert response.status_code == 302
    record = AwardRecord.objects.get()
    assert (record.nominee.name, record.nominee.unit, record.period) == (
        "Ông A Thuân",
        year.second,
        year.b.period,
    )


def test_a_units_officer_reads_its_own_history_only(client, year):
    own = UserFactory(unit=year.second)
    client.force_login(own)

    assert client.get(reverse("board:unit-awards", args=[year.second.pk])).status_code == 200
    assert client.get(reverse("board:unit-awards", args=[year.good.pk])).status_code == 403
    response = client.post(reverse("board:unit-awards", args=[year.second.pk]), {})
    assert response.status_code == 403


def test_a_leader_reads_a_units_history_but_cannot_record(client, year, leader):
    client.force_login(leader)
    url = reverse("board:unit-awards", args=[year.second.pk])

    assert client.get(url).status_code == 200
    assert client.post(url, {"nominee_kind": "collective"}).status_code == 403
    assert not AwardRecord.objects.exists()


# --- On paper ---------------------------------------------------------------------------------


def test_the_award_list_names_a_person_with_their_summary(year, board_staff):
    propose(year, year.second, board=board_staff)
    propose(
        year,
        year.good,
        board=board_staff,
        nominee_kind=NomineeKind.INDIVIDUAL,
        nominee_name="Bà Y Hlen",
        nominee_details="Chủ tịch Hội Phụ nữ xã Đăk Ui",
        summary="Vận động 40 hộ tham gia mô hình nuôi bò.",
    )

    with translation.override("vi"):
        doc = document_for(kind="awards", params={"year": year.b.period.year, "date": "2026-11-27"})
        text = " ".join(pdf_text(render_with_annex(doc.main_html(), doc.annex()).content).split())

    assert "Nhân dân và cán bộ huyện Đắk Hà" in text  # the collective, as the award names it
    assert "Cá nhân: Bà Y Hlen (Chủ tịch Hội Phụ nữ xã Đăk Ui)" in text
    assert "Bà Y Hlen" in text and "Vận động 40 hộ tham gia mô hình nuôi bò." in text


def test_a_row_approved_under_a_registered_number_must_match_its_date(year, board_staff):
    decide(year, [propose(year, year.second, board=board_staff)], board=board_staff)
    other = propose(year, year.good, board=board_staff, reason="Đề nghị đặc cách")

    with pytest.raises(ValidationError) as excinfo:
        awards.proposal_decide(
            proposal=other,
            by=board_staff,
            status=ProposalStatus.APPROVED,
            decision_number="15/QĐ-UBND",
            decision_date=date(2020, 4, 16),
        )

    assert excinfo.value.error_dict["decision_number"][0].code == "decision_mismatch"
    other.refresh_from_db()
    assert other.status == ProposalStatus.PROPOSED
