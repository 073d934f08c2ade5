"""Closing, locking, reopening and unlocking a year from the Board's year page."""

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.urls import reverse
from django.utils.html import escape

from campaigns.models import (
    AwardKind,
    AwardProposal,
    PeriodEvent,
    PeriodEventKind,
    PeriodState,
    Submission,
    SubmissionStatus,
)
from campaigns.services import review
from campaigns.services.submissions import ScoreInput
from tests.factories import AwardProposalFactory, PeriodFactory, SubmissionFactory
from tests.report_setup import IN_2019, post_data, year_build
from tests.test_board_ranking import bloc_build, member, report

pytestmark = pytest.mark.django_db


def url(period) -> str:
    return reverse("board:year", kwargs={"period_pk": period.pk})


def errors_of(response) -> list[str]:
    assert response.status_code == 422
    return list(response.context["error_form"].errors.get(NON_FIELD_ERRORS, [])) + [
        error
        for name, errors in response.context["error_form"].errors.items()
        if name != NON_FIELD_ERRORS
        for error in errors
    ]


@pytest.fixture
def settled():
    """A year whose units are all settled: one accepted (Excellent, first of its bloc), one
    marked as not reporting."""
    b = bloc_build()
    report(b, member(b, "Thành phố Kon Tum"), main=58, other=37)
    SubmissionFactory(period=b.period, unit=member(b, "Huyện Ia H'Drai"), not_reporting=True)
    return b


def locked(period):
    period.state = PeriodState.LOCKED
    period.save(update_fields=["state"])
    return period


# --- Closing ----------------------------------------------------------------------------------


def test_closing_is_refused_while_a_unit_is_unsettled_and_the_message_names_it(
    client, board_staff, settled
):
    waiting = member(settled, "Huyện Sa Thầy")
    report(settled, waiting, status=SubmissionStatus.SUBMITTED)
    client.force_login(board_staff)

    response = client.post(url(settled.period), {"action": "close"})

    form = response.context["error_form"]
    assert form.has_error(NON_FIELD_ERRORS, "not_settled")
    assert any("Huyện Sa Thầy" in message for message in errors_of(response))
    settled.period.refresh_from_db()
    assert settled.period.state == PeriodState.OPEN
    assert not PeriodEvent.objects.exists()


def test_the_year_page_lists_the_units_still_blocking_the_close_with_links(
    client, board_staff, settled
):
    waiting = member(settled, "Huyện Sa Thầy")
    submission = report(settled, waiting, status=SubmissionStatus.SUBMITTED)
    silent = member(settled, "Huyện Đắk Hà")
    client.force_login(board_staff)

    response = client.get(url(settled.period))

    assert [row.unit for row in response.context["blocking"]] == sorted(
        [waiting, silent], key=lambda unit: unit.code
    )
    content = response.content.decode()
    # The Board goes straight to the review page of a report still waiting.
    assert reverse("board:review", kwargs={"pk": submission.pk}) in content
    assert escape(silent.name) in content
    assert "Thành phố Kon Tum" not in content  # accepted: not blocking


def test_the_board_closes_a_settled_year(client, board_staff, settled):
    client.force_login(board_staff)

    response = client.post(url(settled.period), {"action": "close"})

    assert response.status_code == 302
    settled.period.refresh_from_db()
    assert settled.period.state == PeriodState.CLOSED
    event = PeriodEvent.objects.get()
    assert (event.kind, event.by) == (PeriodEventKind.CLOSED, board_staff)


def test_the_board_closes_and_locks_in_one_step(client, board_staff, settled):
    client.force_login(board_staff)

    response = client.post(url(settled.period), {"action": "close_lock"})

    assert response.status_code == 302
    settled.period.refresh_from_db()
    assert settled.period.state == PeriodState.LOCKED
    assert list(PeriodEvent.objects.order_by("pk").values_list("kind", "by")) == [
        (PeriodEventKind.CLOSED, board_staff.pk),
        (PeriodEventKind.LOCKED, board_staff.pk),
    ]
    page = client.get(url(settled.period))
    assert len(page.context["events"]) == 2


def test_the_board_locks_a_closed_year(client, board_staff, settled):
    settled.period.state = PeriodState.CLOSED
    settled.period.save()
    client.force_login(board_staff)

    response = client.post(url(settled.period), {"action": "lock"})

    assert response.status_code == 302
    settled.period.refresh_from_db()
    assert settled.period.state == PeriodState.LOCKED


def test_an_open_year_cannot_be_locked_without_closing(client, board_staff, settled):
    client.force_login(board_staff)

    response = client.post(url(settled.period), {"action": "lock"})

    assert response.context["error_form"].has_error(NON_FIELD_ERRORS, "not_closed")
    settled.period.refresh_from_db()
    assert settled.period.state == PeriodState.OPEN


# --- A locked year refuses every change -------------------------------------------------------


def test_a_locked_year_refuses_the_boards_review_actions(client, board_staff, settled):
    client.force_login(board_staff)
    client.post(url(settled.period), {"action": "close_lock"})
    accepted = Submission.objects.get(status=SubmissionStatus.ACCEPTED)
    excused = Submission.objects.get(not_reporting=True)

    with pytest.raises(ValidationError) as rescore:
        review.board_scores_save(
            submission=accepted,
            by=board_staff,
            expected_version=accepted.version,
            scores={settled.other.pk: ScoreInput(points=None, justification="")},
        )
    with pytest.raises(ValidationError) as unexcuse:
        review.submission_mark_not_reporting(
            period=settled.period,
            unit=excused.unit,
            by=board_staff,
            reason="Đơn vị đã nộp",
            not_reporting=False,
        )

    assert rescore.value.code == unexcuse.value.code == "period_closed"
    excused.refresh_from_db()
    assert excused.not_reporting is True


def test_a_locked_year_refuses_a_report_awaiting_review(board_staff, settled):
    waiting = report(settled, member(settled, "Huyện Kon Rẫy"), status=SubmissionStatus.SUBMITTED)
    locked(settled.period)

    for act in (
        lambda: review.submission_accept(
            submission=waiting, by=board_staff, expected_version=waiting.version
        ),
        lambda: review.submission_return(
            submission=waiting, by=board_staff, expected_version=waiting.version, reason="Bổ sung"
        ),
    ):
        with pytest.raises(ValidationError) as excinfo:
            act()
        assert excinfo.value.code == "period_closed"
    waiting.refresh_from_db()
    assert waiting.status == SubmissionStatus.SUBMITTED


def test_a_locked_year_refuses_the_officers_report_form(
    client, unit_officer, board_staff, time_machine
):
    time_machine.move_to(IN_2019, tick=False)
    y = year_build(unit_officer)
    excused = review.submission_mark_not_reporting(
        period=y.period, unit=unit_officer.unit, by=board_staff, reason="Đơn vị mới chia tách"
    )
    client.force_login(board_staff)
    assert client.post(url(y.period), {"action": "close_lock"}).status_code == 302
    client.force_login(unit_officer)

    response = client.post(
        reverse("report:form", kwargs={"period_pk": y.period.pk}),
        post_data(y, excused, narrative="Sửa sau khi khóa sổ"),
    )

    assert response.status_code == 422
    excused.refresh_from_db()
    assert excused.narrative == ""
    assert excused.version == 2


def test_a_locked_year_still_takes_award_proposals(client, board_staff, settled):
    # Awards and their decisions stay outside the year lock: the Council decides afterwards.
    accepted = Submission.objects.get(status=SubmissionStatus.ACCEPTED)
    client.force_login(board_staff)
    client.post(url(settled.period), {"action": "close_lock"})
    settled.period.refresh_from_db()
    assert settled.period.state == PeriodState.LOCKED
    awards_url = reverse("board:awards", kwargs={"period_pk": settled.period.pk})

    response = client.post(awards_url, {"action": "derive"})

    assert response.status_code == 302
    assert AwardProposal.objects.get().unit == accepted.unit


# --- Unlock and reopen ------------------------------------------------------------------------


def test_an_admin_unlocks_a_locked_year_with_a_reason_recorded(client, admin_user, settled):
    locked(settled.period)
    client.force_login(admin_user)

    response = client.post(
        url(settled.period), {"action": "unlock", "reason": "Sai sót điểm của Huyện Sa Thầy"}
    )

    assert response.status_code == 302
    settled.period.refresh_from_db()
    assert settled.period.state == PeriodState.CLOSED
    event = PeriodEvent.objects.get()
    assert (event.kind, event.by, event.reason) == (
        PeriodEventKind.UNLOCKED,
        admin_user,
        "Sai sót điểm của Huyện Sa Thầy",
    )
    page = client.get(url(settled.period))
    assert page.status_code == 200
    assert "Sai sót điểm của Huyện Sa Thầy" in page.content.decode()


def test_unlocking_without_a_reason_is_refused(client, admin_user, settled):
    locked(settled.period)
    client.force_login(admin_user)

    response = client.post(url(settled.period), {"action": "unlock", "reason": "   "})

    assert response.context["error_form"].has_error("reason", "needs_reason")
    assert response.context["unlock_form"].has_error("reason", "needs_reason")
    settled.period.refresh_from_db()
    assert settled.period.state == PeriodState.LOCKED
    assert not PeriodEvent.objects.exists()


@pytest.mark.parametrize("persona", ["board_staff", "leader", "unit_officer"])
def test_only_an_admin_may_unlock(client, request, persona, settled):
    locked(settled.period)
    client.force_login(request.getfixturevalue(persona))

    response = client.post(url(settled.period), {"action": "unlock", "reason": "Xin mở khóa"})

    assert response.status_code == 403
    settled.period.refresh_from_db()
    assert settled.period.state == PeriodState.LOCKED


def test_the_admin_sees_the_unlock_form_only_on_a_locked_year(client, admin_user, settled):
    client.force_login(admin_user)

    open_page = client.get(url(settled.period)).content.decode()
    locked(settled.period)
    locked_page = client.get(url(settled.period)).content.decode()

    assert 'value="unlock"' not in open_page
    assert 'value="unlock"' in locked_page
    assert 'value="close"' not in locked_page and 'value="close"' not in open_page


@pytest.mark.parametrize("action", ["close", "close_lock", "lock", "reopen"])
def test_an_admin_does_nothing_on_the_year_but_unlock(client, admin_user, settled, action):
    client.force_login(admin_user)

    response = client.post(url(settled.period), {"action": action, "reason": "x"})

    assert response.status_code == 403
    settled.period.refresh_from_db()
    assert settled.period.state == PeriodState.OPEN


def test_the_board_reopens_a_closed_year_with_a_reason(client, board_staff, settled):
    settled.period.state = PeriodState.CLOSED
    settled.period.save()
    client.force_login(board_staff)

    refused = client.post(url(settled.period), {"action": "reopen", "reason": ""})
    assert refused.context["reopen_form"].has_error("reason", "needs_reason")

    response = client.post(
        url(settled.period), {"action": "reopen", "reason": "Thẩm định lại Huyện Đắk Tô"}
    )

    assert response.status_code == 302
    settled.period.refresh_from_db()
    assert settled.period.state == PeriodState.OPEN
    event = PeriodEvent.objects.get()
    assert (event.kind, event.by, event.reason) == (
        PeriodEventKind.REOPENED,
        board_staff,
        "Thẩm định lại Huyện Đắk Tô",
    )


def test_a_locked_year_cannot_be_reopened_by_the_board(client, board_staff, settled):
    locked(settled.period)
    client.force_login(board_staff)

    response = client.post(url(settled.period), {"action": "reopen", "reason": "Thẩm định lại"})

    assert response.context["error_form"].has_error(NON_FIELD_ERRORS, "not_closed")
    settled.period.refresh_from_db()
    assert settled.period.state == PeriodState.LOCKED


# --- Access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["unit_officer", "outsider"])
def test_officers_cannot_open_the_year_page(client, request, persona, settled):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(url(settled.period)).status_code == 403
    assert client.post(url(settled.period), {"action": "close"}).status_code == 403
    settled.period.refresh_from_db()
    assert settled.period.state == PeriodState.OPEN


def test_a_leader_reads_the_year_page_but_cannot_close_it(client, leader, settled):
    client.force_login(leader)

    page = client.get(url(settled.period))

    assert page.status_code == 200
    assert 'name="action"' not in page.content.decode()
    assert client.post(url(settled.period), {"action": "close"}).status_code == 403
    settled.period.refresh_from_db()
    assert settled.period.state == PeriodState.OPEN


def test_an_unknown_action_changes_nothing(client, board_staff, settled):
    client.force_login(board_staff)

    response = client.post(url(settled.period), {"action": "delete"})

    assert response.status_code == 422
    settled.period.refresh_from_db()
    assert settled.period.state == PeriodState.OPEN


def test_a_proposal_made_before_the_lock_can_still_be_edited_after_it(client, board_staff, settled):
    proposal = AwardProposalFactory(
        period=settled.period,
        unit=Submission.objects.get(status=SubmissionStatus.ACCEPTED).unit,
        award=AwardKind.FLAG,
        reason="Dẫn đầu khối",
    )
    client.force_login(board_staff)
    client.post(url(settled.period), {"action": "close_lock"})

    response = client.post(
        reverse("board:awards", kwargs={"period_pk": settled.period.pk}),
        {"action": "update", "proposal": proposal.pk, "reason": "Sửa sau khóa sổ"},
    )

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.reason == "Sửa sau khóa sổ"


def test_another_years_page_is_a_404_for_a_missing_id(client, board_staff):
    PeriodFactory()
    client.force_login(board_staff)

    assert client.get(reverse("board:year", kwargs={"period_pk": 999_999})).status_code == 404
