"""Drafts saved while the officer types: the same save as the form's button, never a submission,
only for the unit's own officers, and never over a colleague's newer save."""

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns import services as campaign_services
from campaigns.models import Submission, SubmissionStatus
from indicators.models import PovertyModel, ReportedValue
from tests.factories import UserFactory
from tests.report_setup import IN_2019, day, post_data, year_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(unit_officer, time_machine):
    time_machine.move_to(IN_2019, tick=False)
    return year_build(unit_officer)


def _autosave_url(year):
    return reverse("report:autosave", kwargs={"period_pk": year.period.pk})


def _new(year):
    return campaign_services.submission_get_or_new(period=year.period, unit=year.unit)


def test_typing_saves_the_draft_and_answers_the_time_and_new_version(client, year):
    client.force_login(year.officer)
    data = post_data(year, _new(year), action="submit", **{"newmodel-name": "Nuôi bò"})
    data["newmodel-participating"] = "12"

    response = client.post(_autosave_url(year), data)

    assert response.status_code == 200
    answer = response.json()
    assert answer["saved"] is True
    assert answer["saved_at"] == "09:00"  # IN_2019 is 9 o'clock in Kon Tum
    submission = Submission.objects.get(period=year.period, unit=year.unit)
    assert answer["version"] == submission.version
    # Saved as a draft, whatever button the form last carried; a new model waits for the button.
    assert submission.status == SubmissionStatus.DRAFT
    assert submission.fund_mobilised_vnd == 250_000_000
    assert ReportedValue.objects.get(submission=submission, indicator=year.labour).numerator == 5200
    assert not PovertyModel.objects.filter(name="Nuôi bò").exists()

    # The next pause sends the version it was given: no conflict with its own save.
    again = client.post(
        _autosave_url(year),
        post_data(year, submission, narrative="Thêm một câu."),
    )
    assert again.status_code == 200
    submission.refresh_from_db()
    assert submission.narrative == "Thêm một câu."


def test_a_field_that_cannot_be_read_saves_nothing_and_says_which(client, year):
    client.force_login(year.officer)

    response = client.post(
        _autosave_url(year), post_data(year, _new(year), fund_mobilised_vnd="hai trăm")
    )

    assert response.status_code == 422
    assert response.json()["fields"] == ["fund_mobilised_vnd"]
    assert "Chưa lưu" in response.json()["message"]
    assert not Submission.objects.filter(period=year.period, unit=year.unit).exists()


def test_a_colleagues_newer_save_is_never_overwritten(client, year):
    client.force_login(year.officer)
    old = _new(year)
    colleague = UserFactory(username="officer-colleague", unit=year.unit)
    client.force_login(colleague)
    first = client.post(_autosave_url(year), post_data(year, old, narrative="Của Lan"))
    assert first.status_code == 200

    client.force_login(year.officer)
    response = client.post(_autosave_url(year), post_data(year, old, narrative="Của tôi"))

    assert response.status_code == 409
    assert response.json()["stale"] is True
    assert Submission.objects.get(period=year.period, unit=year.unit).narrative == "Của Lan"


def test_after_the_deadline_nothing_is_saved(client, year, time_machine):
    client.force_login(year.officer)
    submission = _new(year)
    time_machine.move_to(day(2020, 1, 16), tick=False)
    client.force_login(year.officer)  # the session of June has long expired

    response = client.post(_autosave_url(year), post_data(year, submission, narrative="Muộn"))

    assert response.status_code in (409, 422)
    assert response.json()["saved"] is False
    assert not Submission.objects.filter(narrative="Muộn").exists()


@pytest.mark.parametrize("persona", ["board_staff", "leader", "admin_user"])
def test_only_officers_autosave(client, year, request, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.post(_autosave_url(year), post_data(year, _new(year)))

    assert response.status_code == 404
    assert not Submission.objects.exists()


def test_another_units_officer_saves_only_into_their_own_units_report(client, year, outsider):
    client.force_login(outsider)

    client.post(_autosave_url(year), post_data(year, _new(year), narrative="Của đơn vị khác"))

    assert not Submission.objects.filter(unit=year.unit).exists()


def test_a_submitted_report_is_not_changed_by_a_late_autosave(client, year):
    from tests.report_setup import complete_draft

    submission = complete_draft(year)
    Submission.objects.filter(pk=submission.pk).update(
        status=SubmissionStatus.SUBMITTED, submitted_at=timezone.now()
    )
    client.force_login(year.officer)

    response = client.post(_autosave_url(year), post_data(year, submission, narrative="Sửa"))

    assert response.status_code == 409
    submission.refresh_from_db()
    assert submission.narrative != "Sửa"


def test_autosave_takes_only_posts(client, year):
    client.force_login(year.officer)
    assert client.get(_autosave_url(year)).status_code == 405
