"""Two-factor sign-in: Board and admin accounts need a code from an app after the password."""

import re
import time
from datetime import timedelta

import pytest
from django.core.checks import run_checks
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser import browser_marks, screenshot
from tests.factories import PeriodFactory, UserFactory
from tests.two_factor import app_code, enrol
from units.accounts.two_factor import services

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"


def log_in(client, user, next_path=""):
    data = {"username": user.username, "password": PASSWORD}
    if next_path:
        data["next"] = next_path
    return client.post(reverse("login"), data)


def verify(client, code, next_path=""):
    data = {"code": code}
    if next_path:
        data["next"] = next_path
    return client.post(reverse("two_factor:verify"), data)


@pytest.fixture
def year(db):
    return PeriodFactory(year=2019)


# --- Who is asked -------------------------------------------------------------------------------


def test_board_is_sent_to_enrolment_after_the_password(client, board_staff, year):
    queue = reverse("board:queue", args=[year.pk])

    response = log_in(client, board_staff, next_path=queue)
    response = client.get(response.url)

    assert response.status_code == 302
    assert response.url == f"{reverse('two_factor:setup')}?next={queue.replace('/', '%2F')}"


@pytest.mark.parametrize("path", ["board", "admin", "home"])
def test_board_reaches_no_page_before_the_second_factor(client, board_staff, year, path):
    url = {
        "board": reverse("board:queue", args=[year.pk]),
        "admin": reverse("admin:index"),
        "home": reverse("home"),
    }[path]
    log_in(client, board_staff)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor:setup"))


def test_an_enrolled_admin_must_type_the_code_before_the_django_admin(client, admin_user):
    device, _ = enrol(admin_user)
    log_in(client, admin_user)

    refused = client.get(reverse("admin:index"))
    verify(client, app_code(device, steps_ahead=1))
    allowed = client.get(reverse("admin:index"))

    assert refused.status_code == 302
    assert refused.url.startswith(reverse("two_factor:verify"))
    assert allowed.status_code == 200


def test_an_officer_is_not_asked_unless_they_turned_it_on(client, unit_officer):
    response = log_in(client, unit_officer)
    assert client.get(response.url).status_code == 200
    client.post(reverse("logout"))

    device, _ = enrol(unit_officer)
    log_in(client, unit_officer)
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor:verify"))


def test_a_leader_is_not_asked(client, leader):
    response = log_in(client, leader)

    assert client.get(response.url).status_code == 200


def test_a_demo_board_account_skips_it_only_with_debug_on(client, settings):
    demo_board = UserFactory(username="board", board=True, is_demo=True)

    settings.DEBUG = True
    log_in(client, demo_board)
    with_debug = client.get(reverse("home"))
    client.post(reverse("logout"))
    settings.DEBUG = False
    log_in(client, demo_board)
    without_debug = client.get(reverse("home"))

    assert with_debug.status_code == 200
    assert without_debug.status_code == 302
    assert without_debug.url.startswith(reverse("two_factor:setup"))


def test_logout_and_the_health_check_stay_open_before_the_second_factor(client, board_staff):
    log_in(client, board_staff)

    assert client.get(reverse("healthz")).status_code in (200, 503)
    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_an_htmx_request_sends_the_whole_page_to_the_code(client, board_staff, year):
    log_in(client, board_staff)

    response = client.get(reverse("board:queue", args=[year.pk]), headers={"HX-Request": "true"})

    assert response.headers["HX-Redirect"].startswith(reverse("two_factor:setup"))


# --- Enrolment ----------------------------------------------------------------------------------


def test_the_setup_page_shows_a_qr_code_and_the_key_without_scripts(client, board_staff):
    log_in(client, board_staff)

    content = client.get(reverse("two_factor:setup")).content.decode()

    device = TOTPDevice.objects.get(user=board_staff)
    assert not device.confirmed
    assert re.search(r"<svg[^>]*>.*<path", content, re.DOTALL)
    assert services.secret_for_typing(device) in content
    # CSP forbids inline scripts and style attributes: only <script src=...> from base.html.
    assert not re.search(r"<script(?![^>]*\bsrc=)", content)
    assert " style=" not in content
    assert "Bật xác thực hai bước" in content


def test_enrolment_with_the_apps_code_confirms_it_and_shows_ten_recovery_codes(
    client, board_staff, year
):
    queue = reverse("board:queue", args=[year.pk])
    log_in(client, board_staff)
    client.get(reverse("two_factor:setup"))
    device = TOTPDevice.objects.get(user=board_staff)

    response = client.post(reverse("two_factor:setup"), {"code": app_code(device), "next": queue})
    codes_page = client.get(response.url)

    device.refresh_from_db()
    assert device.confirmed
    assert response.url.startswith(reverse("two_factor:recovery-codes"))
    shown = re.findall(
        r"<li class=\"col\">([a-z2-7]{4}-[a-z2-7]{4})</li>", codes_page.content.decode()
    )
    assert len(shown) == 10
    assert set(StaticToken.objects.values_list("token", flat=True)) == {
        code.replace("-", "") for code in shown
    }
    assert client.get(queue).status_code == 200
    # Shown once: the page no longer lists them.
    again = client.get(reverse("two_factor:recovery-codes")).content.decode()
    assert shown[0] not in again


def test_enrolment_refuses_a_wrong_code(client, board_staff):
    log_in(client, board_staff)
    client.get(reverse("two_factor:setup"))

    response = client.post(reverse("two_factor:setup"), {"code": "000000"})

    assert response.status_code == 200
    assert not TOTPDevice.objects.get(user=board_staff).confirmed
    assert response.context["form"].has_error("code", "invalid")
    assert client.get(reverse("home")).status_code == 302


def test_setup_cannot_replace_an_app_before_its_code_is_typed(client, board_staff):
    device, _ = enrol(board_staff)
    log_in(client, board_staff)

    response = client.get(reverse("two_factor:setup"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor:verify"))
    assert list(TOTPDevice.objects.filter(user=board_staff)) == [device]


# --- Signing in with a code -----------------------------------------------------------------------


def test_the_next_login_asks_for_the_code_and_goes_on_where_it_was_heading(
    client, board_staff, year
):
    device, _ = enrol(board_staff)
    queue = reverse("board:queue", args=[year.pk])
    log_in(client, board_staff, next_path=queue)
    asked = client.get(queue)

    response = verify(client, app_code(device, steps_ahead=1), next_path=queue)

    assert asked.url.startswith(reverse("two_factor:verify"))
    assert response.status_code == 302
    assert response.url == queue
    assert client.get(queue).status_code == 200


def test_a_wrong_code_is_refused_with_a_vietnamese_message(client, board_staff, year):
    enrol(board_staff)
    log_in(client, board_staff)

    response = verify(client, "123456")

    assert response.status_code == 200
    assert response.context["form"].has_error("code", "invalid")
    assert "Mã này không đúng" in response.content.decode()
    assert client.get(reverse("board:queue", args=[year.pk])).status_code == 302


def test_the_same_app_code_does_not_sign_in_twice(client, board_staff):
    device, _ = enrol(board_staff)
    code = app_code(device, steps_ahead=1)
    log_in(client, board_staff)
    verify(client, code)
    client.post(reverse("logout"))
    log_in(client, board_staff)

    response = verify(client, code)

    assert response.status_code == 200
    assert response.context["form"].has_error("code")


def test_after_a_wrong_code_even_the_right_one_must_wait(client, board_staff, time_machine):
    device, _ = enrol(board_staff)
    time_machine.move_to(timezone.now() + timedelta(minutes=1), tick=False)
    log_in(client, board_staff)
    verify(client, "999999" if app_code(device) != "999999" else "111111")

    too_soon = verify(client, app_code(device))
    time_machine.move_to(timezone.now() + timedelta(seconds=2), tick=False)
    later = verify(client, app_code(device))

    assert too_soon.status_code == 200
    assert too_soon.context["form"].has_error("code", "throttled")
    assert "Hãy chờ" in too_soon.content.decode()
    assert later.status_code == 302


def test_a_recovery_code_signs_in_once_only(client, board_staff):
    _, codes = enrol(board_staff)
    log_in(client, board_staff)

    first = verify(client, codes[0][:4] + "-" + codes[0][4:])
    client.post(reverse("logout"))
    log_in(client, board_staff)
    second = verify(client, codes[0])

    assert first.status_code == 302
    assert second.status_code == 200
    assert second.context["form"].has_error("code", "invalid")
    assert services.recovery_codes_left(board_staff) == 9


def test_new_recovery_codes_replace_the_old_ones(client, board_staff, time_machine):
    device, old_codes = enrol(board_staff)
    log_in(client, board_staff)
    verify(client, app_code(device, steps_ahead=1))

    response = client.post(reverse("two_factor:recovery-codes-new"))
    page = client.get(response.url).content.decode()
    client.post(reverse("logout"))
    log_in(client, board_staff)
    old = verify(client, old_codes[1])
    time_machine.move_to(timezone.now() + timedelta(seconds=2))  # past the wait a wrong code sets
    new_code = re.findall(r"<li class=\"col\">([a-z2-7-]{9})</li>", page)[0]
    new = verify(client, new_code)

    assert old.status_code == 200
    assert new.status_code == 302
    assert services.recovery_codes_left(board_staff) == 9


# --- Turning it off -------------------------------------------------------------------------------


def test_an_officer_may_turn_it_off_with_their_password(client, unit_officer):
    device, _ = enrol(unit_officer)
    log_in(client, unit_officer)
    verify(client, app_code(device, steps_ahead=1))

    wrong = client.post(reverse("two_factor:disable"), {"password": "not-it"})
    right = client.post(reverse("two_factor:disable"), {"password": PASSWORD})

    assert wrong.context["form"].has_error("password", "wrong_password")
    assert right.status_code == 302
    assert not services.two_factor_enrolled(unit_officer)
    assert client.get(reverse("home")).status_code == 200


def test_the_board_cannot_turn_it_off(client, board_staff):
    device, _ = enrol(board_staff)
    log_in(client, board_staff)
    verify(client, app_code(device, steps_ahead=1))

    response = client.post(reverse("two_factor:disable"), {"password": PASSWORD})

    assert response.status_code == 200
    assert services.two_factor_enrolled(board_staff)
    assert "không thể tắt" in response.content.decode()


def test_an_officer_can_turn_it_on_from_the_security_page(client, unit_officer):
    client.force_login(unit_officer)

    page = client.get(reverse("two_factor:manage")).content.decode()
    client.get(reverse("two_factor:setup"))
    device = TOTPDevice.objects.get(user=unit_officer)
    client.post(reverse("two_factor:setup"), {"code": app_code(device)})

    assert reverse("two_factor:setup") in page
    assert services.two_factor_enrolled(unit_officer)


# --- Configuration ----------------------------------------------------------------------------


def test_a_merge_that_moves_the_two_factor_middleware_fails_the_checks(settings):
    settings.MIDDLEWARE = [
        name
        for name in settings.MIDDLEWARE
        if name != "units.accounts.two_factor.middleware.DeviceMiddleware"
    ]

    errors = [message.id for message in run_checks()]

    assert "two_factor.E002" in errors


# --- In a browser -----------------------------------------------------------------------------


@browser_marks[0]
@browser_marks[1]
@pytest.mark.django_db(transaction=True)
def test_a_board_member_enrols_then_signs_in_with_the_apps_code(live_server, chromium, tmp_path):
    from tests.browser import PASSWORD as BROWSER_PASSWORD

    board = UserFactory(username="board-2fa", board=True)
    page = chromium.new_context(locale="vi-VN").new_page()

    # First sign-in: the password, then enrolment.
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", board.username)
    page.fill("#id_password", BROWSER_PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(re.compile(r"/accounts/two-factor/setup/"))
    assert page.locator("[data-qr] svg").is_visible()
    secret = page.locator("[data-secret]").inner_text()
    shot = tmp_path / "two-factor-setup.png"
    screenshot(page, shot)
    device = TOTPDevice.objects.get(user=board)
    assert secret.replace(" ", "") in services.secret_for_typing(device).replace(" ", "")
    page.fill("#id_code", app_code(device))
    page.press("#id_code", "Enter")
    page.wait_for_url(re.compile(r"/accounts/two-factor/recovery-codes/"))
    assert page.locator("[data-recovery-codes] li").count() == 10
    shot = tmp_path / "two-factor-recovery-codes.png"
    screenshot(page, shot)
    page.get_by_role("link", name="Tôi đã lưu các mã, tiếp tục").click()
    page.wait_for_url(f"{live_server.url}/")

    # Sign out (in the person's menu) and in again: the code is asked for, a wrong one is
    # refused in Vietnamese.
    page.locator(".app-user-menu > summary").click()
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.fill("#id_username", board.username)
    page.fill("#id_password", BROWSER_PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(re.compile(r"/accounts/two-factor/\?"))
    page.fill("#id_code", "000000" if app_code(device) != "000000" else "111111")
    page.press("#id_code", "Enter")
    page.wait_for_load_state()
    assert "Mã này không đúng" in page.locator(".invalid-feedback").inner_text()
    shot = tmp_path / "two-factor-verify.png"
    screenshot(page, shot)
    time.sleep(1.1)  # django-otp makes the next try wait a second after a wrong code
    page.fill("#id_code", app_code(device, steps_ahead=1))
    page.press("#id_code", "Enter")
    page.wait_for_url(f"{live_server.url}/")

    # From the person's menu: the security page makes a new set of recovery codes.
    page.locator(".app-user-menu > summary").click()
    page.get_by_role("link", name="Bảo mật đăng nhập").click()
    page.wait_for_url(re.compile(r"/accounts/two-factor/manage/"))
    assert "10 mã khôi phục" in page.locator("main").inner_text()
    shot = tmp_path / "two-factor-manage.png"
    screenshot(page, shot)
    page.get_by_role("button", name="Tạo mã khôi phục mới").click()
    page.wait_for_url(re.compile(r"/accounts/two-factor/recovery-codes/"))
    new_codes = page.locator("[data-recovery-codes] li").all_inner_texts()
    assert len(new_codes) == 10
    assert set(StaticToken.objects.values_list("token", flat=True)) == {
        code.replace("-", "") for code in new_codes
    }
