"""The Board's account pages: create an officer with an invitation, deactivate, reactivate,
move to another unit; every change kept with who and when; nobody else gets in."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from campaigns.models import SubmissionStatus
from tests.factories import DistrictFactory, SubmissionFactory, UserFactory
from units.models import AccountAction, AccountChange, Role, User

pytestmark = pytest.mark.django_db

PASSWORD = "Rừng-xanh-Măng-Đen-9x"


def create_officer(client, unit, username="officer-new"):
    return client.post(
        reverse("people:create"),
        {
            "username": username,
            "full_name": "Nguyễn Văn Hùng",
            "email": f"{username}@example.vn",
            "unit": unit.pk,
        },
    )


def invitation_path(message):
    return re.search(r"https?://[^/\s]+(/accounts/people/invitation/\S+/)", message.body)[1]


def set_password(client, path):
    page = client.get(path, follow=True)  # Django moves the token into the session first
    return client.post(
        page.redirect_chain[-1][0],
        {"new_password1": PASSWORD, "new_password2": PASSWORD},
    )


def log_in(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_board_creates_an_officer_who_sets_a_password_from_the_invitation_and_logs_in(
    client, board_staff
):
    unit = DistrictFactory(name="Huyện Kon Plông")
    client.force_login(board_staff)

    response = create_officer(client, unit)

    officer = User.objects.get(username="officer-new")
    assert response.status_code == 302
    assert (officer.role, officer.unit, officer.has_usable_password()) == (
        Role.OFFICER,
        unit,
        False,
    )
    [message] = mail.outbox
    assert message.to == ["officer-new@example.vn"]
    assert "Huyện Kon Plông" in message.body
    assert "Ban Thi đua" in message.body  # Vietnamese
    client.logout()

    response = set_password(client, invitation_path(message))

    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)
    response = log_in(client, "officer-new")
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == officer


def test_a_used_invitation_link_is_refused(client, board_staff):
    client.force_login(board_staff)
    create_officer(client, DistrictFactory())
    path = invitation_path(mail.outbox[0])
    client.logout()
    set_password(client, path)
    client.logout()

    page = client.get(path, follow=True)

    assert page.context["validlink"] is False
    assert "invalid-link" in page.content.decode()


def test_an_expired_invitation_link_is_refused(client, board_staff, settings, time_machine):
    client.force_login(board_staff)
    create_officer(client, DistrictFactory())
    path = invitation_path(mail.outbox[0])
    client.logout()
    # A day past the limit: the token generator reads naive local time, the move is in UTC.
    time_machine.move_to(
        timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT, days=1)
    )

    page = client.get(path, follow=True)

    assert page.context["validlink"] is False
    assert not User.objects.get(username="officer-new").has_usable_password()


def test_a_password_reset_token_does_not_open_the_invitation(client, board_staff):
    from django.contrib.auth.tokens import default_token_generator

    client.force_login(board_staff)
    create_officer(client, DistrictFactory())
    officer = User.objects.get(username="officer-new")
    path = invitation_path(mail.outbox[0]).rsplit("/", 2)[0]
    client.logout()

    page = client.get(f"{path}/{default_token_generator.make_token(officer)}/", follow=True)

    assert page.context["validlink"] is False


@pytest.mark.parametrize("persona", ["unit_officer", "leader"])
@pytest.mark.parametrize("name", ["people:list", "people:create"])
def test_officers_and_leaders_cannot_open_the_account_pages(client, request, persona, name):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("persona", ["unit_officer", "leader"])
@pytest.mark.parametrize("action", ["deactivate", "reactivate", "move", "invite"])
def test_officers_and_leaders_cannot_change_accounts(client, request, persona, action):
    target = UserFactory(is_active=action != "reactivate")
    client.force_login(request.getfixturevalue(persona))

    response = client.post(
        reverse(f"people:{action}", args=[target.pk]), {"unit": DistrictFactory().pk}
    )

    assert response.status_code == 403
    assert not AccountChange.objects.exists()


@pytest.mark.parametrize("persona", ["unit_officer", "leader"])
def test_officers_and_leaders_cannot_create_accounts(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    response = create_officer(client, DistrictFactory(), username="sneaky")

    assert response.status_code == 403
    assert not User.objects.filter(username="sneaky").exists()
    assert mail.outbox == []


def test_a_deactivated_officer_cannot_log_in_until_reactivated(client, board_staff):
    officer = UserFactory(username="officer-x", password=PASSWORD)
    client.force_login(board_staff)

    client.post(reverse("people:deactivate", args=[officer.pk]))
    client.logout()
    refused = log_in(client, "officer-x")

    assert refused.status_code == 200
    assert not refused.context["user"].is_authenticated
    client.force_login(board_staff)
    client.post(reverse("people:reactivate", args=[officer.pk]))
    client.logout()
    assert log_in(client, "officer-x").status_code == 302


def test_a_deactivated_officers_open_session_ends(client, board_staff):
    officer = UserFactory()
    client.force_login(officer)
    assert client.get(reverse("home")).status_code == 200
    officer.is_active = False
    officer.save()

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_board_cannot_deactivate_itself_or_an_admin(client, board_staff, admin_user):
    client.force_login(board_staff)

    own = client.post(reverse("people:deactivate", args=[board_staff.pk]))
    admin = client.post(reverse("people:deactivate", args=[admin_user.pk]))

    assert (own.status_code, admin.status_code) == (422, 403)
    board_staff.refresh_from_db()
    admin_user.refresh_from_db()
    assert board_staff.is_active and admin_user.is_active


def test_a_moved_officer_sees_the_new_units_report_only(client, board_staff, unit_officer):
    old_report = SubmissionFactory(unit=unit_officer.unit, status=SubmissionStatus.DRAFT)
    new_unit = DistrictFactory(name="Huyện Sa Thầy")
    new_report = SubmissionFactory(unit=new_unit, period=old_report.period)
    client.force_login(board_staff)

    response = client.post(reverse("people:move", args=[unit_officer.pk]), {"unit": new_unit.pk})

    assert response.status_code == 302
    client.force_login(unit_officer)
    detail = "campaigns:submission-detail"
    assert client.get(reverse(detail, args=[new_report.pk])).status_code == 200
    assert client.get(reverse(detail, args=[old_report.pk])).status_code == 404


def test_every_change_is_listed_with_who_and_when(client, board_staff, admin_user):
    unit, other = DistrictFactory(name="Huyện Đắk Tô"), DistrictFactory(name="Huyện Ia H'Drai")
    client.force_login(board_staff)
    create_officer(client, unit)
    officer = User.objects.get(username="officer-new")
    client.post(reverse("people:move", args=[officer.pk]), {"unit": other.pk})
    client.post(reverse("people:deactivate", args=[officer.pk]))
    client.force_login(admin_user)
    client.post(reverse("people:reactivate", args=[officer.pk]))

    page = client.get(reverse("people:detail", args=[officer.pk]))

    changes = list(AccountChange.objects.filter(account=officer).order_by("at", "pk"))
    assert [(c.action, c.by) for c in changes] == [
        (AccountAction.CREATED, board_staff),
        (AccountAction.MOVED, board_staff),
        (AccountAction.DEACTIVATED, board_staff),
        (AccountAction.REACTIVATED, admin_user),
    ]
    assert changes[1].before == {"unit": unit.pk} and changes[1].after == {"unit": other.pk}
    html = page.content.decode()
    assert html.count('data-action="') == 4
    assert "Huyện Đắk Tô → Huyện Ia H&#x27;Drai" in html
    assert admin_user.username in html and board_staff.username in html


def test_the_list_shows_role_unit_state_and_last_sign_in_and_filters(client, board_staff):
    unit = DistrictFactory(name="Huyện Ngọc Hồi")
    officer = UserFactory(username="officer-seen", unit=unit, password=PASSWORD)
    UserFactory(username="officer-gone", is_active=False)
    log_in(client, "officer-seen")
    client.force_login(board_staff)

    everyone = client.get(reverse("people:list"))
    inactive = client.get(reverse("people:list"), {"active": "no"})
    of_unit = client.get(reverse("people:list"), {"unit": unit.pk, "role": Role.OFFICER})

    assert [u.username for u in inactive.context["page"]] == ["officer-gone"]
    assert [u.username for u in of_unit.context["page"]] == ["officer-seen"]
    officer.refresh_from_db()
    assert officer.last_login is not None
    html = everyone.content.decode()
    assert "Huyện Ngọc Hồi" in html
    assert reverse("people:detail", args=[officer.pk]) in html


def test_a_taken_username_or_email_is_refused_with_a_message(client, board_staff):
    UserFactory(username="officer-new", email="someone@example.vn")
    client.force_login(board_staff)

    response = create_officer(client, DistrictFactory())

    assert response.status_code == 422
    assert response.context["form"].has_error("username", "username_taken")
    assert mail.outbox == []


def test_the_board_and_admin_homes_link_to_the_account_pages(client, board_staff, admin_user):
    from tests.factories import PeriodFactory

    PeriodFactory()
    for person in (board_staff, admin_user):
        client.force_login(person)
        assert reverse("people:list") in client.get(reverse("home")).content.decode()


def test_the_leader_home_links_to_who_changed_what_but_not_to_the_accounts(client, leader):
    from tests.factories import PeriodFactory

    PeriodFactory()
    client.force_login(leader)

    html = client.get(reverse("home")).content.decode()

    assert reverse("board:history") in html
    assert reverse("people:list") not in html
