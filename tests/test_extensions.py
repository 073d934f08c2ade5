"""Asking for more time: the officer asks, the Board approves with a date or refuses with a
reason, both sides are told, and every request is kept. The Board's follow-up page."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from campaigns import deadlines
from campaigns.models import DeadlineExtension, ExtensionRequest, ExtensionRequestStatus
from campaigns.services import extensions
from tests.factories import BlocMembershipFactory, PeriodFactory, SubmissionFactory, UserFactory
from units.models import Notification, NotificationKind, ReminderSent, ReminderStage

pytestmark = pytest.mark.django_db

DEADLINE = date(2020, 1, 15)
LATER = date(2020, 2, 1)


@pytest.fixture
def period(unit_officer, time_machine):
    time_machine.move_to(date(2020, 1, 10), tick=False)
    period = PeriodFactory(year=2019, opens_on=date(2019, 12, 1), deadline=DEADLINE)
    BlocMembershipFactory(bloc__campaign=period.campaign, unit=unit_officer.unit)
    return period


def ask(period, officer, deadline=LATER, reason="Lũ lụt chia cắt đường giao thông."):
    return extensions.extension_request(
        period=period, unit=officer.unit, by=officer, deadline=deadline, reason=reason
    )


def test_a_request_tells_the_board(period, unit_officer, board_staff):
    request = ask(period, unit_officer)
    assert request.status == ExtensionRequestStatus.PENDING
    notice = Notification.objects.get(recipient=board_staff)
    assert notice.kind == NotificationKind.EXTENSION_REQUESTED
    assert "01/02/2020" in notice.message and "Lũ lụt" in notice.message


def test_approving_sets_the_units_deadline_and_tells_the_unit(period, unit_officer, board_staff):
    request = ask(period, unit_officer)
    extensions.extension_approve(request=request, by=board_staff, deadline=date(2020, 1, 30))

    request.refresh_from_db()
    assert request.status == ExtensionRequestStatus.APPROVED
    assert request.decided_by == board_staff
    assert deadlines.unit_deadline(period=period, unit=unit_officer.unit) == date(2020, 1, 30)
    notice = Notification.objects.get(
        recipient=unit_officer, kind=NotificationKind.EXTENSION_DECIDED
    )
    assert "30/01/2020" in notice.message


def test_refusing_needs_a_reason_keeps_the_deadline_and_tells_the_unit(
    period, unit_officer, board_staff
):
    request = ask(period, unit_officer)
    with pytest.raises(ValidationError) as excinfo:
        extensions.extension_refuse(request=request, by=board_staff, reason="  ")
    assert excinfo.value.error_dict["reason"][0].code == "has_reason"

    extensions.extension_refuse(request=request, by=board_staff, reason="Đã nhắc nhiều lần.")

    assert deadlines.unit_deadline(period=period, unit=unit_officer.unit) == DEADLINE
    assert not DeadlineExtension.objects.exists()
    notice = Notification.objects.get(
        recipient=unit_officer, kind=NotificationKind.EXTENSION_DECIDED
    )
    assert "Đã nhắc nhiều lần." in notice.message


def test_the_history_keeps_every_request(period, unit_officer, board_staff):
    first = ask(period, unit_officer)
    extensions.extension_refuse(request=first, by=board_staff, reason="Chưa đủ lý do.")
    second = ask(period, unit_officer, reason="Cán bộ phụ trách nằm viện.")
    extensions.extension_approve(request=second, by=board_staff, deadline=LATER)
    assert list(ExtensionRequest.objects.values_list("status", flat=True)) == [
        ExtensionRequestStatus.APPROVED,
        ExtensionRequestStatus.REFUSED,
    ]


def test_only_one_request_waits_at_a_time(period, unit_officer):
    ask(period, unit_officer)
    with pytest.raises(ValidationError) as excinfo:
        ask(period, unit_officer)
    assert excinfo.value.code == "one_pending"


def test_the_database_refuses_a_second_waiting_request(period, unit_officer):
    ask(period, unit_officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        ExtensionRequest.objects.create(
            period=period,
            unit=unit_officer.unit,
            requested_deadline=LATER,
            reason="x",
            requested_by=unit_officer,
        )


def test_a_request_must_ask_for_a_later_day(period, unit_officer):
    with pytest.raises(ValidationError) as excinfo:
        ask(period, unit_officer, deadline=DEADLINE)
    assert excinfo.value.error_dict["deadline"][0].code == "not_later"


def test_a_unit_that_has_reported_cannot_ask(period, unit_officer):
    SubmissionFactory(period=period, unit=unit_officer.unit, submitted=True)
    with pytest.raises(ValidationError) as excinfo:
        ask(period, unit_officer)
    assert excinfo.value.code == "already_sent"


def test_only_the_units_own_officer_asks_and_only_the_board_decides(
    period, unit_officer, outsider, leader
):
    with pytest.raises(PermissionDenied):
        extensions.extension_request(
            period=period, unit=unit_officer.unit, by=outsider, deadline=LATER, reason="x"
        )
    request = ask(period, unit_officer)
    with pytest.raises(PermissionDenied):
        extensions.extension_approve(request=request, by=leader, deadline=LATER)
    with pytest.raises(PermissionDenied):
        extensions.extension_approve(request=request, by=unit_officer, deadline=LATER)


def test_a_decided_request_is_not_decided_again(period, unit_officer, board_staff):
    request = ask(period, unit_officer)
    extensions.extension_approve(request=request, by=board_staff, deadline=LATER)
    with pytest.raises(ValidationError) as excinfo:
        extensions.extension_refuse(request=request, by=board_staff, reason="Đổi ý.")
    assert excinfo.value.code == "already_decided"


# --- Pages ---------------------------------------------------------------------------------------


def test_the_officer_asks_on_the_page_and_a_bad_date_is_explained(client, period, unit_officer):
    client.force_login(unit_officer)
    url = reverse("report:extension", args=[period.pk])
    bad = client.post(url, {"deadline": "2020-13-45", "reason": "Lũ lụt."})
    assert bad.status_code == 422
    assert not ExtensionRequest.objects.exists()

    response = client.post(url, {"deadline": "01/02/2020", "reason": "Lũ lụt."})
    assert response.status_code == 302
    assert ExtensionRequest.objects.get().requested_deadline == LATER


def test_the_board_finds_no_request_page(client, period, board_staff):
    url = reverse("report:extension", args=[period.pk])
    client.force_login(board_staff)
    assert client.get(url).status_code == 404


def test_the_follow_up_page_shows_who_is_late_when_reminded_and_open_requests(
    client, period, unit_officer, board_staff
):
    done = BlocMembershipFactory(bloc__campaign=period.campaign).unit
    SubmissionFactory(period=period, unit=done, submitted=True)
    ask(period, unit_officer)
    ReminderSent.objects.create(
        recipient=unit_officer,
        unit=unit_officer.unit,
        topic=f"period:{period.pk}",
        stage=ReminderStage.DAYS_7,
        sent_on=date(2020, 1, 8),
    )
    client.force_login(board_staff)
    response = client.get(reverse("board:follow-up", args=[period.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert unit_officer.unit.name in html
    assert done.name not in html
    assert "01/02/2020" in html  # the open request
    rows = response.context["rows"]
    assert [row.unit for row in rows] == [unit_officer.unit]
    assert rows[0].last_reminded_at is not None and rows[0].pending is not None


def test_send_a_reminder_now_tells_the_officers_once_a_day(
    client, period, unit_officer, board_staff
):
    client.force_login(board_staff)
    url = reverse("board:remind", args=[period.pk])
    assert client.post(url, {"unit": unit_officer.unit.pk}).status_code == 302
    again = client.post(url, {"unit": unit_officer.unit.pk})
    assert again.status_code == 422
    assert Notification.objects.filter(recipient=unit_officer).count() == 1
    assert ReminderSent.objects.get().stage == ReminderStage.MANUAL


def test_leaders_read_the_follow_up_page_but_cannot_act(client, period, unit_officer, leader):
    client.force_login(leader)
    assert client.get(reverse("board:follow-up", args=[period.pk])).status_code == 200
    url = reverse("board:remind", args=[period.pk])
    assert client.post(url, {"unit": unit_officer.unit.pk}).status_code == 403
    assert not Notification.objects.exists()


def test_officers_cannot_open_the_follow_up_page(client, period, unit_officer):
    client.force_login(unit_officer)
    assert client.get(reverse("board:follow-up", args=[period.pk])).status_code == 403


def test_the_board_decides_on_the_follow_up_page(client, period, unit_officer, board_staff):
    request = ask(period, unit_officer)
    client.force_login(board_staff)
    url = reverse("board:extension-decide", args=[period.pk])
    refused = client.post(url, {"request": request.pk, "decision": "refuse", "reason": ""})
    assert refused.status_code == 422
    approved = client.post(
        url, {"request": request.pk, "decision": "approve", "deadline": "25/01/2020"}
    )
    assert approved.status_code == 302
    assert deadlines.unit_deadline(period=period, unit=unit_officer.unit) == date(2020, 1, 25)


def test_a_unit_without_officers_is_shown_but_cannot_be_reminded(period, board_staff, client):
    lone = BlocMembershipFactory(bloc__campaign=period.campaign).unit
    UserFactory(unit=lone, is_active=False)
    client.force_login(board_staff)
    response = client.post(reverse("board:remind", args=[period.pk]), {"unit": lone.pk})
    assert response.status_code == 422


def test_a_unit_outside_the_years_blocs_cannot_ask(period, outsider):
    with pytest.raises(ValidationError) as excinfo:
        ask(period, outsider)
    assert excinfo.value.code == "not_member"
