"""Notices in the portal ("Thông báo") and by e-mail, with e-mail turned off per kind."""

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from tests.factories import UserFactory
from units.models import EmailOptOut, Notification, NotificationKind
from units.notifications import services

pytestmark = pytest.mark.django_db


def tell(users, kind=NotificationKind.REPORT_ACCEPTED, link="/report/1/"):
    return services.notify(
        users=users, kind=kind, message="Báo cáo năm %(year)s", params={"year": 2019}, link=link
    )


def test_a_notice_is_e_mailed_in_vietnamese_with_the_absolute_link(
    unit_officer, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://thiduakhenthuong.kontum.gov.vn"
    unit_officer.email = "officer@example.invalid"
    unit_officer.save()
    with django_capture_on_commit_callbacks(execute=True):
        tell([unit_officer])

    (message,) = mail.outbox
    assert message.to == ["officer@example.invalid"]
    assert "Báo cáo năm 2019" in message.body
    assert "https://thiduakhenthuong.kontum.gov.vn/report/1/" in message.body
    assert "Kính gửi" in message.body
    assert "Mở trang" in message.body


def test_turning_e_mail_off_for_a_kind_keeps_the_notice_in_the_portal(
    client, unit_officer, django_capture_on_commit_callbacks
):
    unit_officer.email = "officer@example.invalid"
    unit_officer.save()
    client.force_login(unit_officer)
    kept = [kind.value for kind in NotificationKind if kind != NotificationKind.REPORT_ACCEPTED]
    response = client.post(reverse("notifications:email"), {"emailed": kept})
    assert response.status_code == 302

    with django_capture_on_commit_callbacks(execute=True):
        tell([unit_officer], kind=NotificationKind.REPORT_ACCEPTED)
        tell([unit_officer], kind=NotificationKind.REPORT_RETURNED)

    assert len(mail.outbox) == 1
    assert Notification.objects.filter(recipient=unit_officer).count() == 2
    page = client.get(reverse("notifications:email"))
    assert page.context["form"].initial["emailed"] == sorted(kept)


def test_a_rolled_back_action_sends_no_e_mail(unit_officer, django_capture_on_commit_callbacks):
    unit_officer.email = "officer@example.invalid"
    unit_officer.save()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        tell([unit_officer])
        raise RuntimeError
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_deactivated_people_and_people_without_address_get_no_e_mail(
    unit_officer, django_capture_on_commit_callbacks
):
    gone = UserFactory(is_active=False, email="gone@example.invalid")
    with django_capture_on_commit_callbacks(execute=True):
        tell([unit_officer, gone])
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=unit_officer).exists()
    assert not Notification.objects.filter(recipient=gone).exists()


def test_the_officers_home_shows_thong_bao_with_the_unread_count(client, unit_officer):
    tell([unit_officer])
    tell([unit_officer])
    client.force_login(unit_officer)
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="vi")
    html = response.content.decode()
    assert "Thông báo" in html
    assert "Báo cáo năm 2019" in html
    assert 'class="badge text-bg-warning">2<' in html


def test_opening_a_notice_marks_it_read_and_follows_its_link(client, unit_officer):
    (notice,) = tell([unit_officer])
    client.force_login(unit_officer)
    response = client.post(reverse("notifications:open", args=[notice.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/report/1/"
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_a_notice_pointing_elsewhere_is_not_followed(client, unit_officer):
    (notice,) = tell([unit_officer], link="https://evil.example/")
    client.force_login(unit_officer)
    response = client.post(reverse("notifications:open", args=[notice.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_nobody_opens_or_sees_another_persons_notices(client, unit_officer, outsider):
    (notice,) = tell([unit_officer])
    client.force_login(outsider)
    assert client.post(reverse("notifications:open", args=[notice.pk])).status_code == 404
    assert "Báo cáo năm 2019" not in client.get(reverse("notifications:list")).content.decode()
    notice.refresh_from_db()
    assert notice.read_at is None


def test_mark_all_read_clears_the_count(client, unit_officer, outsider):
    tell([unit_officer, outsider])
    tell([unit_officer])
    client.force_login(unit_officer)
    client.post(reverse("notifications:read-all"))
    assert services.unread_count(user=unit_officer) == 0
    assert services.unread_count(user=outsider) == 1


def test_the_unread_count_costs_one_query_per_page(client, unit_officer, django_assert_num_queries):
    tell([unit_officer])
    client.force_login(unit_officer)
    client.get(reverse("notifications:list"))  # warm the session and the user
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("notifications:list"))
    counts = [q["sql"] for q in queries if "units_notification" in q["sql"] and "COUNT" in q["sql"]]
    assert len(counts) == 1


def test_the_notices_page_needs_a_sign_in(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_opt_outs_are_kept_per_person_and_kind(unit_officer):
    services.email_preferences_save(user=unit_officer, emailed=[])
    services.email_preferences_save(user=unit_officer, emailed=[NotificationKind.PDF_READY])
    off = set(EmailOptOut.objects.filter(user=unit_officer).values_list("kind", flat=True))
    assert NotificationKind.PDF_READY not in off
    assert len(off) == len(NotificationKind) - 1
