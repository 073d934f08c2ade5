"""Passwords: the rules a new password must meet, changing one's own, and a reset by e-mail."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.browser import PASSWORD, browser_marks, screenshot
from tests.factories import DistrictFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD = "Rừng-thông-xanh-9"


def refusal_codes(password: str, user=None) -> set[str]:
    with pytest.raises(ValidationError) as excinfo:
        validate_password(password, user)
    return {error.code for error in excinfo.value.error_list}


# --- What a new password must be ----------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("kontum2017", "password_campaign_word"),  # the demo password: refused when set
        ("thiduakontum", "password_campaign_word"),
        ("ThiĐuaKonTum2017", "password_campaign_word"),
        ("Kon Tum mùa xuân!", "password_campaign_word"),
        ("bảo-vệ-2017-xx", "password_campaign_word"),
        ("matkhau123", "password_too_common"),
        ("Mật-khẩu-2024!", "password_too_common"),
        ("short-9x", "password_too_short"),
        ("1234567890123", "password_entirely_numeric"),
        ("iloveyou12", "password_too_common"),
        ("qwertyuiop", "password_too_common"),
    ],
)
def test_weak_and_campaign_passwords_are_refused(password, code):
    assert code in refusal_codes(password)


def test_a_password_close_to_the_username_is_refused():
    user = UserFactory.build(username="nguyenvanbinh")

    assert "password_too_similar" in refusal_codes("nguyenvanbinh1", user)


def test_words_of_the_officers_own_unit_are_refused():
    user = UserFactory.build(unit=DistrictFactory.build(name="Huyện Tu Mơ Rông"))

    assert "password_campaign_word" in refusal_codes("Tumorong-Xanh-88", user)
    assert "password_campaign_word" in refusal_codes("Rông-nhà-làng-12", user)


def test_a_long_uncommon_password_is_accepted():
    user = UserFactory.build(unit=DistrictFactory.build(name="Huyện Đắk Glei"))

    validate_password(GOOD, user)  # no exception


def test_refusals_are_explained_in_vietnamese(client, unit_officer):
    client.force_login(unit_officer)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "kontum2017", "new_password2": "kontum2017"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Mật khẩu không được chứa tên tỉnh" in page
    assert "Mật khẩu này quá ngắn" in page or "ít nhất 10" in page


def test_the_demo_password_still_signs_in_after_load_demo_set_it(client):
    # load_demo hashes the published demo password directly; validators apply when a person
    # sets a password, never at sign-in.
    user = UserFactory(username="officer-demo-like")
    user.set_password("kontum2017")
    user.save()

    response = client.post(
        reverse("login"), {"username": "officer-demo-like", "password": "kontum2017"}
    )

    assert response.status_code == 302


# --- Changing one's own password ----------------------------------------------------------


@pytest.mark.parametrize("persona", ["unit_officer", "board_staff", "leader", "admin_user"])
def test_every_role_changes_its_own_password(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)

    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": GOOD, "new_password2": GOOD},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password(GOOD)
    # Still signed in on the device that made the change.
    assert client.get(reverse("home")).status_code == 200


def test_the_user_menu_links_to_the_password_change(client, unit_officer):
    client.force_login(unit_officer)

    assert f'href="{reverse("password_change")}"' in client.get(reverse("home")).content.decode()


def test_a_wrong_old_password_changes_nothing(client, unit_officer):
    client.force_login(unit_officer)

    client.post(
        reverse("password_change"),
        {"old_password": "not-it-at-all", "new_password1": GOOD, "new_password2": GOOD},
    )

    unit_officer.refresh_from_db()
    assert unit_officer.check_password(PASSWORD)


def test_a_password_change_signs_out_every_other_session(client, unit_officer):
    other_browser = Client()
    other_browser.force_login(unit_officer)
    assert other_browser.get(reverse("home")).status_code == 200
    client.force_login(unit_officer)

    client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": GOOD, "new_password2": GOOD},
    )

    response = other_browser.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.get(reverse("home")).status_code == 200


# --- Reset by e-mail ------------------------------------------------------------------------


def reset_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)


def test_a_reset_sends_a_vietnamese_email_with_a_link(client, unit_officer):
    unit_officer.email = "can.bo@kontum.gov.vn"
    unit_officer.save()

    response = client.post(reverse("password_reset"), {"email": "can.bo@kontum.gov.vn"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["can.bo@kontum.gov.vn"]
    assert "mật khẩu mới" in mail.outbox[0].subject
    assert "24 giờ" in mail.outbox[0].body
    assert reset_link(mail.outbox[0])


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, unit_officer):
    unit_officer.email = "can.bo@kontum.gov.vn"
    unit_officer.save()

    known = client.post(reverse("password_reset"), {"email": "can.bo@kontum.gov.vn"})
    unknown = client.post(reverse("password_reset"), {"email": "khong.co@kontum.gov.vn"})

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 1


def test_a_reset_link_expires(client, unit_officer, settings, time_machine):
    settings.PASSWORD_RESET_TIMEOUT = 3600
    unit_officer.email = "can.bo@kontum.gov.vn"
    unit_officer.save()
    client.post(reverse("password_reset"), {"email": "can.bo@kontum.gov.vn"})
    link = reset_link(mail.outbox[0])

    # A local, zone-aware time: time-machine also moves the local zone to the one given.
    time_machine.move_to(timezone.localtime() + timedelta(seconds=3601))
    response = client.get(link, follow=True)

    assert response.status_code == 200
    assert "Liên kết này không còn dùng được" in response.content.decode()
    assert not response.context["validlink"]


def test_a_reset_link_works_once(client, unit_officer):
    unit_officer.email = "can.bo@kontum.gov.vn"
    unit_officer.save()
    client.post(reverse("password_reset"), {"email": "can.bo@kontum.gov.vn"})
    link = reset_link(mail.outbox[0])
    form_url = client.get(link)["Location"]
    client.post(form_url, {"new_password1": GOOD, "new_password2": GOOD})

    again = client.get(link, follow=True)

    assert not again.context["validlink"]


# --- The journey in a browser ---------------------------------------------------------------


def in_browser(test):
    for mark in browser_marks:
        test = mark(test)
    return test


@pytest.mark.django_db(transaction=True)
@in_browser
def test_a_forgotten_password_is_reset_by_email_in_a_browser(live_server, chromium, tmp_path):
    from playwright.sync_api import expect

    UserFactory(username="quen-mat-khau", email="quen@kontum.gov.vn")
    page = chromium.new_context(locale="vi-VN").new_page()

    page.goto(f"{live_server.url}/accounts/login/")
    page.click("text=Quên mật khẩu?")
    page.fill("#id_email", "quen@kontum.gov.vn")
    page.click("main button[type=submit]")
    expect(page.locator("#reset-sent")).to_be_visible()
    assert len(mail.outbox) == 1

    page.goto(live_server.url + reset_link(mail.outbox[0]))
    page.fill("#id_new_password1", GOOD)
    page.fill("#id_new_password2", GOOD)
    screenshot(page, tmp_path / "password-reset-confirm.png")
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_have_text("Đã lưu mật khẩu")

    page.click("main a.btn-primary")
    page.fill("#id_username", "quen-mat-khau")
    page.fill("#id_password", GOOD)
    page.press("#id_password", "Enter")
    page.wait_for_url(re.compile(r"^http://[^/]+/(?!accounts/)"))
    expect(page.locator(".app-user")).to_contain_text("quen-mat-khau")
