"""Every page finds the signed-in person again: their session, the person with their unit and
the device that passed their second factor, each read with one prepared statement."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from tests.factories import PeriodFactory, UserFactory

pytestmark = pytest.mark.django_db


def page(client):
    return client.get(reverse("notifications:list"))


def test_a_session_past_its_expiry_signs_nobody_in(client, unit_officer):
    client.force_login(unit_officer)
    assert page(client).status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    response = page(client)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_session_whose_row_is_gone_signs_nobody_in(client, unit_officer):
    client.force_login(unit_officer)
    Session.objects.filter(session_key=client.session.session_key).delete()

    assert page(client).status_code == 302


def test_the_person_comes_with_their_unit_in_one_statement(client, unit_officer):
    client.force_login(unit_officer)
    page(client)

    with CaptureQueriesContext(connection) as queries:
        response = page(client)

    person = response.wsgi_request.user
    assert person.pk == unit_officer.pk
    assert person.unit == unit_officer.unit
    reads = [q["sql"] for q in queries if 'FROM "units_user"' in q["sql"]]
    assert len(reads) == 1
    assert '"units_unit"' in reads[0]
    # The navbar names the unit: it is not read again on its own.
    assert not [q for q in queries if q["sql"].lstrip().startswith('SELECT "units_unit"')]


def test_a_person_without_a_unit_is_found_too(client, leader):
    client.force_login(leader)

    response = page(client)

    assert response.status_code == 200
    assert response.wsgi_request.user.pk == leader.pk
    assert response.wsgi_request.user.unit is None


@pytest.mark.parametrize("named", ["someone else's", "unconfirmed", "deleted", "not a device"])
def test_the_board_passes_the_second_factor_only_with_its_own_confirmed_device(
    client, board_staff, named
):
    year = PeriodFactory(year=2019)
    queue = reverse("board:queue", args=[year.pk])
    client.force_login(board_staff)  # signed in with its own device (tests/conftest.py)
    assert client.get(queue).status_code == 200
    session = client.session
    if named == "someone else's":
        other = StaticDevice.objects.create(user=UserFactory(), name="another person's")
        session[DEVICE_ID_SESSION_KEY] = other.persistent_id
    elif named == "unconfirmed":
        StaticDevice.objects.filter(user=board_staff).update(confirmed=False)
    elif named == "deleted":
        StaticDevice.objects.filter(user=board_staff).delete()
    else:
        session[DEVICE_ID_SESSION_KEY] = f"units.user/{board_staff.pk}"  # a row, not a device
    session.save()

    response = client.get(queue)

    assert response.status_code == 302
    assert response["Location"].startswith(
        (reverse("two_factor:verify"), reverse("two_factor:setup"))
    )
