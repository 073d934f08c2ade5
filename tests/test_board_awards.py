"""Award proposals: eligibility that explains itself, derive from the ranking, edit, decide."""

from dataclasses import dataclass
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.forms import Form
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from campaigns.models import AwardKind, AwardProposal, PeriodState, ProposalStatus
from campaigns.services import awards
from tests.factories import AwardProposalFactory, DistrictFactory, PeriodFactory, SubmissionFactory
from tests.test_board_ranking import Bloc, bloc_build, member, report
from units.models import Unit

pytestmark = pytest.mark.django_db

FLAG = AwardKind.FLAG.value
CERTIFICATE = AwardKind.CERTIFICATE.value


@dataclass
class Year:
    b: Bloc
    first: Unit  # 95 points: Excellent, ranked first
    second: Unit  # 92 points: Excellent, ranked second
    good: Unit  # 75 points: Good
    excused: Unit  # marked as not reporting

    @property
    def url(self) -> str:
        return reverse("board:awards", kwargs={"period_pk": self.b.period.pk})


@pytest.fixture
def year() -> Year:
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
    # Awards are proposed once the year is closed: every unit above is settled.
    b.period.state = PeriodState.CLOSED
    b.period.save()
    return y


def post(client, y: Year, **data: object):
    return client.post(y.url, {k: str(v) for k, v in data.items()})


def error_form(response) -> Form:
    assert response.status_code == 422
    form = response.context["error_form"]
    assert form is not None and form.errors
    return form


# --- Eligibility ------------------------------------------------------------------------------


def test_every_units_eligibility_is_explained_on_request(client, board_staff, year):
    client.force_login(board_staff)

    response = client.get(year.url, {"all": "1"})

    assert response.status_code == 200
    checks = {
        (item.row.unit, check.award): check
        for item in response.context["everyone"]
        for check in item.checks
    }
    assert len(checks) == 8  # four units, two awards each
    expected = {
        (year.first, FLAG): True,
        (year.first, CERTIFICATE): False,  # goes for the flag instead
        (year.second, FLAG): False,  # ranked second
        (year.second, CERTIFICATE): True,
        (year.good, FLAG): False,
        (year.good, CERTIFICATE): False,  # Good, not Excellent
        (year.excused, FLAG): False,
        (year.excused, CERTIFICATE): False,
    }
    assert {key: check.eligible for key, check in checks.items()} == expected
    # Each explanation names what decided: the bloc and rank, or the points.
    assert year.b.bloc.name in checks[(year.first, FLAG)].explanation
    assert "95" in checks[(year.first, FLAG)].explanation
    assert year.b.bloc.name in checks[(year.second, FLAG)].explanation
    assert "75" in checks[(year.good, CERTIFICATE)].explanation
    explanations = {check.explanation for check in checks.values()}
    assert len(explanations) >= 6  # not one canned sentence for every case
    content = response.content.decode()
    for check in checks.values():
        assert escape(check.explanation) in content


def test_the_full_eligibility_list_is_only_built_on_request(client, board_staff, year):
    client.force_login(board_staff)

    response = client.get(year.url)

    assert response.context["everyone"] == []
    assert "?all=1" in response.content.decode()


def test_eligible_units_not_yet_proposed_are_listed(client, board_staff, year):
    AwardProposalFactory(period=year.b.period, unit=year.first, award=FLAG)
    client.force_login(board_staff)

    response = client.get(year.url)

    assert [(c.unit, c.award) for c in response.context["not_proposed"]] == [
        (year.second, CERTIFICATE)
    ]


def test_each_proposal_shows_its_eligibility_beside_it(client, board_staff, year):
    outside = AwardProposalFactory(
        period=year.b.period, unit=year.good, award=FLAG, reason="Đột phá về giảm nghèo"
    )
    client.force_login(board_staff)

    response = client.get(year.url)

    (row,) = response.context["rows"]
    assert row.proposal == outside
    assert row.eligibility.eligible is False
    assert escape(row.eligibility.explanation) in response.content.decode()


# --- Derive, add, edit, withdraw --------------------------------------------------------------


def test_proposing_from_the_ranking_adds_every_eligible_unit_once(client, board_staff, year):
    client.force_login(board_staff)

    response = post(client, year, action="derive")

    assert response.status_code == 302
    assert response["Location"] == year.url
    proposals = AwardProposal.objects.filter(period=year.b.period)
    assert {(p.unit, p.award, p.status) for p in proposals} == {
        (year.first, FLAG, ProposalStatus.PROPOSED),
        (year.second, CERTIFICATE, ProposalStatus.PROPOSED),
    }
    assert all(p.reason and p.proposed_by == board_staff for p in proposals)
    page = client.get(year.url)
    assert [str(m) for m in page.context["messages"]]
    assert page.context["not_proposed"] == []

    post(client, year, action="derive")

    assert AwardProposal.objects.filter(period=year.b.period).count() == 2


def test_proposing_by_hand_outside_the_rule_needs_a_reason(client, board_staff, year):
    client.force_login(board_staff)

    refused = post(client, year, action="add", unit=year.good.pk, award=FLAG, reason="  ")

    form = error_form(refused)
    assert form.has_error("reason", "needs_reason")
    assert not AwardProposal.objects.exists()

    accepted = post(
        client, year, action="add", unit=year.good.pk, award=FLAG, reason="Mô hình điểm của tỉnh"
    )

    assert accepted.status_code == 302
    proposal = AwardProposal.objects.get()
    assert (proposal.unit, proposal.award, proposal.reason, proposal.proposed_by) == (
        year.good,
        FLAG,
        "Mô hình điểm của tỉnh",
        board_staff,
    )


def test_proposing_an_eligible_unit_by_hand_takes_the_explanation_as_reason(
    client, board_staff, year
):
    client.force_login(board_staff)

    response = post(client, year, action="add", unit=year.second.pk, award=CERTIFICATE, reason="")

    assert response.status_code == 302
    proposal = AwardProposal.objects.get()
    assert year.b.bloc.name in proposal.reason


def test_a_unit_in_no_bloc_of_the_campaign_cannot_be_proposed(client, board_staff, year):
    lone = DistrictFactory(name="Đơn vị ngoài khối")
    client.force_login(board_staff)

    response = post(client, year, action="add", unit=lone.pk, award=CERTIFICATE, reason="x")

    assert error_form(response).has_error("unit")
    assert not AwardProposal.objects.filter(unit=lone).exists()


def test_proposing_the_same_unit_twice_for_one_award_is_refused(client, board_staff, year):
    AwardProposalFactory(period=year.b.period, unit=year.second, award=CERTIFICATE)
    client.force_login(board_staff)

    response = post(client, year, action="add", unit=year.second.pk, award=CERTIFICATE)

    assert error_form(response).has_error("__all__", "one_per_award")
    assert AwardProposal.objects.count() == 1


def test_the_board_edits_a_proposals_reason(client, board_staff, year):
    proposal = AwardProposalFactory(period=year.b.period, unit=year.first, award=FLAG)
    client.force_login(board_staff)

    response = post(client, year, action="update", proposal=proposal.pk, reason="Dẫn đầu khối")

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.reason == "Dẫn đầu khối"

    emptied = post(client, year, action="update", proposal=proposal.pk, reason=" ")

    row = next(r for r in emptied.context["rows"] if r.proposal == proposal)
    assert emptied.status_code == 422
    assert row.reason_form.has_error("reason", "needs_reason")
    proposal.refresh_from_db()
    assert proposal.reason == "Dẫn đầu khối"


def test_the_board_withdraws_a_proposal_not_yet_decided(client, board_staff, year):
    proposal = AwardProposalFactory(period=year.b.period, unit=year.first, award=FLAG)
    client.force_login(board_staff)

    response = post(client, year, action="remove", proposal=proposal.pk)

    assert response.status_code == 302
    assert not AwardProposal.objects.filter(pk=proposal.pk).exists()


def test_a_decided_proposal_cannot_be_withdrawn(client, board_staff, year):
    proposal = AwardProposalFactory(
        period=year.b.period, unit=year.first, award=FLAG, status=ProposalStatus.REJECTED
    )
    client.force_login(board_staff)

    response = post(client, year, action="remove", proposal=proposal.pk)

    assert error_form(response).has_error("__all__", "decided")
    assert AwardProposal.objects.filter(pk=proposal.pk).exists()


def test_a_proposal_of_another_year_is_not_found_here(client, board_staff, year):
    other_year = PeriodFactory(campaign=year.b.campaign, year=2018)
    theirs = AwardProposalFactory(period=other_year, unit=year.first, award=FLAG)
    client.force_login(board_staff)

    response = post(client, year, action="remove", proposal=theirs.pk)

    assert response.status_code == 404
    assert AwardProposal.objects.filter(pk=theirs.pk).exists()


# --- Decisions --------------------------------------------------------------------------------


def test_approving_needs_the_decisions_number_and_date(client, board_staff, year):
    proposal = AwardProposalFactory(period=year.b.period, unit=year.first, award=FLAG)
    client.force_login(board_staff)

    response = post(
        client,
        year,
        action="decide",
        proposal=proposal.pk,
        status="approved",
        decision_number="",
        decision_date="",
    )

    assert response.status_code == 422
    row = next(r for r in response.context["rows"] if r.proposal == proposal)
    assert row.decide_form.has_error("decision_number", "required")
    assert row.decide_form.has_error("decision_date", "required")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED


def test_approving_records_the_decision_written_the_vietnamese_way(client, board_staff, year):
    proposal = AwardProposalFactory(period=year.b.period, unit=year.first, award=FLAG)
    client.force_login(board_staff)

    response = post(
        client,
        year,
        action="decide",
        proposal=proposal.pk,
        status="approved",
        decision_number="456/QĐ-UBND",
        decision_date="05/03/2020",
        signer_name="Nguyễn Văn Hòa",
    )

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_number, proposal.decision_date) == (
        ProposalStatus.APPROVED,
        "456/QĐ-UBND",
        date(2020, 3, 5),
    )
    page = client.get(year.url).content.decode()
    assert "456/QĐ-UBND" in page and "05/03/2020" in page


def test_a_date_not_written_dd_mm_yyyy_is_refused(client, board_staff, year):
    proposal = AwardProposalFactory(period=year.b.period, unit=year.first, award=FLAG)
    client.force_login(board_staff)

    response = post(
        client,
        year,
        action="decide",
        proposal=proposal.pk,
        status="approved",
        decision_number="456/QĐ-UBND",
        decision_date="03/15/2020",
    )

    row = next(r for r in response.context["rows"] if r.proposal == proposal)
    assert response.status_code == 422
    assert row.decide_form.has_error("decision_date", "invalid")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED


def test_the_board_rejects_a_proposal_and_can_put_it_back_to_proposed(client, board_staff, year):
    proposal = AwardProposalFactory(
        period=year.b.period,
        unit=year.first,
        award=FLAG,
        status=ProposalStatus.APPROVED,
        decision_number="12/QĐ-UBND",
        decision_date=date(2020, 2, 1),
    )
    client.force_login(board_staff)

    rejected = post(client, year, action="decide", proposal=proposal.pk, status="rejected")

    assert rejected.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REJECTED

    back = post(client, year, action="decide", proposal=proposal.pk, status="proposed")

    assert back.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_number, proposal.decision_date) == (
        ProposalStatus.PROPOSED,
        "",
        None,
    )


# --- An open year, a locked year --------------------------------------------------------------


def open_again(y: Year) -> None:
    y.b.period.state = PeriodState.OPEN
    y.b.period.save()


@pytest.mark.parametrize("service", ["derive", "add"])
def test_proposing_is_refused_while_the_year_is_open(board_staff, year, service):
    open_again(year)

    with pytest.raises(ValidationError) as excinfo:
        if service == "derive":
            awards.proposals_derive(period=year.b.period, by=board_staff)
        else:
            awards.proposal_add(
                period=year.b.period,
                unit=year.second,
                award=CERTIFICATE,
                reason="Xuất sắc",
                by=board_staff,
            )

    assert excinfo.value.code == "year_open"
    assert not AwardProposal.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"action": "derive"},
        {"action": "add", "unit": "second", "award": CERTIFICATE, "reason": "Xuất sắc"},
    ],
    ids=["derive", "add"],
)
def test_an_open_years_page_refuses_proposing(client, board_staff, year, data):
    open_again(year)
    client.force_login(board_staff)
    if "unit" in data:
        data = {**data, "unit": getattr(year, data["unit"]).pk}

    response = post(client, year, **data)

    assert error_form(response).has_error("__all__", "year_open")
    assert not AwardProposal.objects.exists()


def test_an_open_years_page_says_why_proposing_waits(client, board_staff, year):
    open_again(year)
    waiting = member(year.b, "Huyện Kon Rẫy")  # in the bloc, no report yet
    client.force_login(board_staff)

    response = client.get(year.url)

    content = response.content.decode()
    assert response.status_code == 200
    assert 'value="derive"' not in content and 'value="add"' not in content
    notice = content[content.index('id="proposing-not-yet"') :]
    notice = " ".join(notice[: notice.index("</div>")].split())
    assert "Chỉ có thể đề nghị khen thưởng năm 2019 sau khi Ban đã đóng kỳ báo cáo năm" in notice
    # Four units are settled; the one just added to the bloc has not reported.
    assert "Còn 1/5 đơn vị chưa được chấp nhận báo cáo" in notice
    assert reverse("board:year", kwargs={"period_pk": year.b.period.pk}) in notice
    assert waiting.name not in notice


@pytest.mark.parametrize(
    "action",
    ["derive", "add", "update", "remove", "approve", "reject"],
)
def test_a_locked_year_still_takes_proposals_and_decisions(client, board_staff, year, action):
    proposal = AwardProposalFactory(
        period=year.b.period, unit=year.first, award=FLAG, reason="Dẫn đầu khối"
    )
    year.b.period.state = PeriodState.LOCKED
    year.b.period.save()
    data = {
        "derive": {"action": "derive"},
        "add": {"action": "add", "unit": year.good.pk, "award": CERTIFICATE, "reason": "Lý do"},
        "update": {"action": "update", "proposal": proposal.pk, "reason": "Sửa"},
        "remove": {"action": "remove", "proposal": proposal.pk},
        "approve": {
            "action": "decide",
            "proposal": proposal.pk,
            "status": "approved",
            "decision_number": "1/QĐ-UBND",
            "decision_date": "01/03/2020",
            "signer_name": "Nguyễn Văn Hòa",
        },
        "reject": {"action": "decide", "proposal": proposal.pk, "status": "rejected"},
    }[action]
    client.force_login(board_staff)

    response = client.post(year.url, {k: str(v) for k, v in data.items()})

    assert response.status_code == 302
    after = set(AwardProposal.objects.values_list("unit", "award", "status"))
    first = (year.first.pk, FLAG, ProposalStatus.PROPOSED)
    expected = {
        "derive": {first, (year.second.pk, CERTIFICATE, ProposalStatus.PROPOSED)},
        "add": {first, (year.good.pk, CERTIFICATE, ProposalStatus.PROPOSED)},
        "update": {first},
        "remove": set(),
        "approve": {(year.first.pk, FLAG, ProposalStatus.APPROVED)},
        "reject": {(year.first.pk, FLAG, ProposalStatus.REJECTED)},
    }[action]
    assert after == expected
    if action == "update":
        assert AwardProposal.objects.get().reason == "Sửa"


def test_a_locked_years_page_offers_proposals_and_decisions(client, board_staff, year):
    AwardProposalFactory(period=year.b.period, unit=year.first, award=FLAG)
    year.b.period.state = PeriodState.LOCKED
    year.b.period.save()
    client.force_login(board_staff)

    content = client.get(year.url).content.decode()

    for action in ("derive", "add", "update", "decide", "remove"):
        assert f'name="action" value="{action}"' in content, action
    assert 'id="locked-note"' in content


# --- Access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["unit_officer", "outsider", "admin_user"])
def test_only_the_board_and_leaders_open_the_proposals(client, request, persona, year):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(year.url).status_code == 403
    assert post(client, year, action="derive").status_code == 403
    assert not AwardProposal.objects.exists()


def test_a_leader_reads_the_proposals_but_every_post_is_refused(client, leader, year):
    proposal = AwardProposalFactory(period=year.b.period, unit=year.first, award=FLAG)
    client.force_login(leader)

    page = client.get(year.url)

    assert page.status_code == 200
    assert 'name="action"' not in page.content.decode()
    for data in (
        {"action": "derive"},
        {"action": "add", "unit": year.good.pk, "award": CERTIFICATE, "reason": "x"},
        {"action": "update", "proposal": proposal.pk, "reason": "x"},
        {"action": "remove", "proposal": proposal.pk},
        {
            "action": "decide",
            "proposal": proposal.pk,
            "status": "approved",
            "decision_number": "1",
            "decision_date": "01/03/2020",
        },
    ):
        assert post(client, year, **data).status_code == 403
    proposal.refresh_from_db()
    assert (proposal.status, proposal.reason) == (ProposalStatus.PROPOSED, "")
    assert AwardProposal.objects.count() == 1


def test_the_proposals_page_makes_as_many_queries_for_many_proposals_as_for_few(
    client, board_staff, year
):
    AwardProposalFactory(period=year.b.period, unit=year.first, award=FLAG)
    client.force_login(board_staff)
    with CaptureQueriesContext(connection) as few:
        client.get(year.url, {"all": "1"})
    for n in range(5):
        unit = member(year.b, f"Huyện Thử thêm {n}")
        report(year.b, unit, main=50, other=35)
        AwardProposalFactory(period=year.b.period, unit=unit, award=CERTIFICATE, reason="x")

    with CaptureQueriesContext(connection) as many:
        client.get(year.url, {"all": "1"})

    assert len(many) == len(few)
