"""Review of access: forged ids, other roles on officer pages, redirects that leave the site."""

import pytest
from django.urls import reverse

from campaigns.models import Registration, Submission
from tests.report_setup import IN_2019, complete_draft, post_data, year_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(unit_officer, time_machine):
    time_machine.move_to(IN_2019, tick=False)
    return year_build(unit_officer)


# 10**20: more than a bigint holds, as a mistyped or forged link may ask for.
@pytest.mark.parametrize("offset", [1000, 10**20])
def test_a_missing_year_answers_404_on_the_officers_pages(client, year, offset):
    client.force_login(year.officer)
    missing = year.period.pk + offset

    assert client.get(reverse("report:form", kwargs={"period_pk": missing})).status_code == 404
    assert (
        client.post(
            reverse("report:registration", kwargs={"period_pk": missing}),
            {"fund_pledge_vnd": "1"},
        ).status_code
        == 404
    )


@pytest.mark.parametrize("persona", ["board_staff", "leader", "admin_user"])
def test_other_roles_posting_the_officer_forms_change_nothing(client, year, request, persona):
    client.force_login(request.getfixturevalue(persona))
    period = year.period.pk

    report = client.post(
        reverse("report:form", kwargs={"period_pk": period}),
        {"version": "1", "narrative": "x", "action": "submit"},
    )
    registration = client.post(
        reverse("report:registration", kwargs={"period_pk": period}), {"fund_pledge_vnd": "1"}
    )

    assert (report.status_code, registration.status_code) == (404, 404)
    assert not Submission.objects.exists()
    assert not Registration.objects.exists()


def test_an_officer_posting_to_their_form_never_touches_another_units_report(
    client, year, outsider
):
    theirs = complete_draft(year)
    client.force_login(outsider)
    forged = {
        **post_data(year, theirs, narrative="ghi đè", version="1"),
        "submission": theirs.pk,
        "pk": theirs.pk,
    }

    client.post(reverse("report:form", kwargs={"period_pk": year.period.pk}), forged)

    theirs.refresh_from_db()
    assert theirs.narrative != "ghi đè"
    assert theirs.version == 2
    assert Submission.objects.get(unit=outsider.unit).narrative == "ghi đè"


def test_logging_in_never_redirects_off_the_site(client, unit_officer):
    unit_officer.set_password("mat-khau-dai-123")
    unit_officer.save()

    response = client.post(
        reverse("login") + "?next=https://evil.example/",
        {"username": unit_officer.username, "password": "mat-khau-dai-123"},
    )

    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_officers_do_not_reach_the_django_admin(client, unit_officer):
    client.force_login(unit_officer)

    response = client.get("/admin/campaigns/submission/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
