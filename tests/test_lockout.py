"""Sign-in lockout: repeated wrong passwords lock a username or an address, without telling
anyone whether the account exists; the Board and administrators unlock."""

import re
from datetime import datetime, timedelta

import pytest
from axes.models import AccessAttempt
from django.http import HttpRequest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests.browser import PASSWORD
from tests.factories import UserFactory
from units.accounts import lockout
from units.models import AccountAction, AccountChange

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
NOW = datetime(2019, 3, 4, 9, 0, tzinfo=timezone.get_default_timezone())


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


WRONG = "wrong-password-1"  # noqa: S105


def sign_in(client, username, password=WRONG, address="198.51.100.10", **extra):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


def without_csrf_token(html: str) -> str:
    # Django masks the CSRF token differently in every response (form field and htmx header).
    return re.sub(r"[A-Za-z0-9]{64}", "TOKEN", html)


def test_four_wrong_passwords_leave_the_right_one_working(client, unit_officer):
    for _ in range(4):
        assert sign_in(client, unit_officer.username).status_code == 200

    response = sign_in(client, unit_officer.username, PASSWORD)

    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(unit_officer.pk)


def test_the_fifth_wrong_password_locks_the_username_even_against_the_right_one(
    client, unit_officer, frozen
):
    for _ in range(4):
        sign_in(client, unit_officer.username)

    fifth = sign_in(client, unit_officer.username)
    right_password = sign_in(client, unit_officer.username, PASSWORD, address="198.51.100.99")

    assert fifth.status_code == 429
    assert right_password.status_code == 429
    assert "_auth_user_id" not in client.session
    # Vietnamese, and it says when to try again: the last failure plus 15 minutes.
    page = right_password.content.decode()
    assert "Đăng nhập sai quá nhiều lần" in page
    assert "09:15" in page and "04/03/2019" in page


def test_an_unknown_username_gets_the_identical_lockout_page(client, unit_officer, frozen):
    responses = {}
    for username, address in ((unit_officer.username, "198.51.100.1"), ("ghost", "198.51.100.2")):
        for _ in range(5):
            responses[username] = sign_in(client, username, address=address)

    known, unknown = responses[unit_officer.username], responses["ghost"]
    assert known.status_code == unknown.status_code == 429
    assert without_csrf_token(known.content.decode()) == without_csrf_token(
        unknown.content.decode()
    )


def test_wrong_passwords_before_the_lock_read_the_same_for_unknown_and_real_accounts(
    client, unit_officer
):
    known = sign_in(client, unit_officer.username, address="198.51.100.1")
    unknown = sign_in(client, "ghost", address="198.51.100.2")

    assert known.status_code == unknown.status_code == 200
    assert without_csrf_token(known.content.decode()).replace(
        unit_officer.username, "X"
    ) == without_csrf_token(unknown.content.decode()).replace("ghost", "X")


def test_the_lock_ends_after_the_cool_off(client, unit_officer, time_machine):
    time_machine.move_to(NOW, tick=False)
    for _ in range(5):
        sign_in(client, unit_officer.username)

    time_machine.move_to(NOW + timedelta(minutes=15, seconds=1), tick=False)

    assert sign_in(client, unit_officer.username, PASSWORD).status_code == 302


def test_tries_during_the_lock_do_not_push_its_end_back(client, unit_officer, time_machine):
    time_machine.move_to(NOW, tick=False)
    for _ in range(5):
        sign_in(client, unit_officer.username)
    time_machine.move_to(NOW + timedelta(minutes=10), tick=False)
    sign_in(client, unit_officer.username)

    time_machine.move_to(NOW + timedelta(minutes=15, seconds=1), tick=False)

    assert sign_in(client, unit_officer.username, PASSWORD).status_code == 302


def test_twenty_failures_from_one_address_lock_that_address_for_every_username(
    client, unit_officer, frozen
):
    for n in range(19):
        assert sign_in(client, f"guess-{n % 5}-{n}", address="203.0.113.5").status_code == 200

    twentieth = sign_in(client, "guess-last", address="203.0.113.5")
    right_password = sign_in(client, unit_officer.username, PASSWORD, address="203.0.113.5")
    elsewhere = sign_in(client, unit_officer.username, PASSWORD, address="203.0.113.6")

    assert twentieth.status_code == 429
    assert right_password.status_code == 429
    assert elsewhere.status_code == 302


def test_signing_in_to_ones_own_account_does_not_reset_the_address_count(
    client, unit_officer, board_staff
):
    for n in range(19):
        sign_in(client, f"guess-{n}", address="203.0.113.5")
    assert sign_in(client, board_staff.username, PASSWORD, address="203.0.113.5").status_code == 302
    client.logout()

    assert sign_in(client, "guess-last", address="203.0.113.5").status_code == 429


def test_signing_in_to_ones_own_account_does_not_reset_another_usernames_count(
    client, unit_officer, board_staff
):
    for _ in range(4):
        sign_in(client, unit_officer.username, address="203.0.113.5")
    sign_in(client, board_staff.username, PASSWORD, address="203.0.113.5")
    client.logout()

    assert sign_in(client, unit_officer.username, address="203.0.113.5").status_code == 429


def test_a_successful_sign_in_forgets_that_persons_own_failures(client, unit_officer):
    for _ in range(4):
        sign_in(client, unit_officer.username)
    sign_in(client, unit_officer.username, PASSWORD)
    client.logout()

    for _ in range(4):
        assert sign_in(client, unit_officer.username).status_code == 200


def test_the_failure_limits_come_from_the_settings(client, unit_officer, settings):
    settings.AXES_FAILURE_LIMIT = 2

    sign_in(client, unit_officer.username)
    assert sign_in(client, unit_officer.username).status_code == 429


# --- The client's address behind the reverse proxy ------------------------------------------


def request_from(remote: str, forwarded: str | None = None) -> HttpRequest:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post(LOGIN, **extra)


def test_the_forwarded_address_is_believed_from_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    request = request_from("10.0.0.2", "203.0.113.7")

    assert lockout.client_ip_address(request) == "203.0.113.7"


def test_the_forwarded_header_is_ignored_from_anyone_else(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    # The client claims to be both a proxy and another client: it is neither.
    request = request_from("198.51.100.4", "203.0.113.7, 10.0.0.2")

    assert lockout.client_ip_address(request) == "198.51.100.4"


def test_addresses_a_client_wrote_before_the_proxy_are_not_believed(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]

    request = request_from("10.0.0.2", "1.2.3.4, 203.0.113.7")

    assert lockout.client_ip_address(request) == "203.0.113.7"


def test_without_trusted_proxies_only_the_connecting_address_counts(settings):
    settings.TRUSTED_PROXIES = []

    assert lockout.client_ip_address(request_from("10.0.0.2", "203.0.113.7")) == "10.0.0.2"


def test_a_client_cannot_escape_the_address_lock_by_forging_the_header(
    client, unit_officer, settings
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    for n in range(20):
        sign_in(client, f"guess-{n}", address="198.51.100.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")

    response = sign_in(
        client,
        unit_officer.username,
        PASSWORD,
        address="198.51.100.7",
        HTTP_X_FORWARDED_FOR="192.0.2.200",
    )

    assert response.status_code == 429


def test_clients_behind_the_trusted_proxy_are_locked_one_by_one(client, unit_officer, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    for n in range(20):
        sign_in(client, f"guess-{n}", address="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.66")

    locked = sign_in(
        client,
        unit_officer.username,
        PASSWORD,
        address="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.66",
    )
    colleague = sign_in(
        client,
        unit_officer.username,
        PASSWORD,
        address="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.67",
    )

    assert locked.status_code == 429
    assert colleague.status_code == 302
    assert AccessAttempt.objects.filter(ip_address="203.0.113.66").exists()


# --- Unlocking ------------------------------------------------------------------------------


def lock(client, username: str) -> None:
    for _ in range(5):
        sign_in(client, username)


def test_the_board_sees_locked_usernames_with_the_time_the_lock_ends(
    client, board_staff, unit_officer, frozen
):
    lock(client, unit_officer.username)
    client.force_login(board_staff)

    response = client.get(reverse("accounts:locked"))

    assert response.status_code == 200
    page = response.content.decode()
    assert unit_officer.username in page
    assert "09:15 04/03/2019" in page


def test_the_board_unlocks_a_username_and_the_person_signs_in(client, board_staff, unit_officer):
    lock(client, unit_officer.username)
    client.force_login(board_staff)

    response = client.post(
        reverse("accounts:unlock"), {"kind": "username", "value": unit_officer.username}
    )
    client.logout()

    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=unit_officer.username).exists()
    assert sign_in(client, unit_officer.username, PASSWORD).status_code == 302
    # Kept in the account's change log, with who unlocked it.
    change = AccountChange.objects.get(account=unit_officer)
    assert (change.action, change.by) == (AccountAction.UNLOCKED, board_staff)
    client.force_login(board_staff)
    page = client.get(reverse("people:detail", args=[unit_officer.pk])).content.decode()
    assert "Đã mở khóa đăng nhập" in page


def test_an_administrator_unlocks_an_address(client, admin_user, unit_officer):
    for n in range(20):
        sign_in(client, f"guess-{n}", address="203.0.113.5")
    client.force_login(admin_user)

    client.post(reverse("accounts:unlock"), {"kind": "ip_address", "value": "203.0.113.5"})
    client.logout()

    assert (
        sign_in(client, unit_officer.username, PASSWORD, address="203.0.113.5").status_code == 302
    )


@pytest.mark.parametrize("persona", ["unit_officer", "leader"])
def test_other_roles_can_neither_see_nor_unlock(client, request, persona):
    locked = UserFactory(username="locked-one")
    lock(client, locked.username)
    client.force_login(request.getfixturevalue(persona))

    listing = client.get(reverse("accounts:locked"))
    unlocking = client.post(reverse("accounts:unlock"), {"kind": "username", "value": "locked-one"})

    assert listing.status_code == 403
    assert unlocking.status_code == 403
    assert AccessAttempt.objects.filter(username="locked-one").exists()


def test_account_unlock_removes_only_that_usernames_failures(board_staff):
    AccessAttempt.objects.create(
        username="a",
        ip_address="198.51.100.1",
        user_agent="x",
        failures_since_start=5,
        attempt_time=timezone.now(),
    )
    AccessAttempt.objects.create(
        username="b",
        ip_address="198.51.100.1",
        user_agent="x",
        failures_since_start=5,
        attempt_time=timezone.now(),
    )

    lockout.account_unlock(username="a", by=board_staff)

    assert [lock.value for lock in lockout.locked_usernames()] == ["b"]


# --- Tests and axes -------------------------------------------------------------------------


def test_force_login_works_with_axes(client, unit_officer):
    client.force_login(unit_officer)

    assert client.get("/").status_code == 200


def test_client_login_works_when_given_a_request(client, unit_officer):
    # Axes refuses to authenticate without a request (it could not count the attempt).
    assert client.login(request=HttpRequest(), username=unit_officer.username, password=PASSWORD)
