"""Officers reach only their own unit's report, evidence and history; the rest answers 404."""

import pytest
from django.urls import reverse

from campaigns import services as campaign_services
from campaigns.models import Submission
from tests.report_setup import IN_2019, complete_draft, post_data, year_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(unit_officer, time_machine):
    time_machine.move_to(IN_2019, tick=False)
    return year_build(unit_officer)


def test_another_units_report_history_and_evidence_answer_404_like_missing_ids(
    client, year, outsider
):
    submission = complete_draft(year)
    evidence = submission.evidence.get()
    client.force_login(outsider)

    pages = [
        reverse("campaigns:submission-detail", kwargs={"pk": submission.pk}),
        reverse("campaigns:evidence-download", kwargs={"pk": evidence.pk}),
    ]
    missing = [
        reverse("campaigns:submission-detail", kwargs={"pk": submission.pk + 1000}),
        reverse("campaigns:evidence-download", kwargs={"pk": evidence.pk + 1000}),
    ]

    for url in pages + missing:
        response = client.get(url)
        assert response.status_code == 404, url


def test_the_report_form_always_works_on_the_officers_own_unit(client, year, outsider):
    first = complete_draft(year)
    client.force_login(outsider)

    response = client.post(
        reverse("report:form", kwargs={"period_pk": year.period.pk}),
        post_data(year, first, narrative="Ghi đè của đơn vị khác", version="1"),
    )

    first.refresh_from_db()
    assert first.narrative != "Ghi đè của đơn vị khác"
    own = Submission.objects.get(unit=outsider.unit, period=year.period)
    assert response.status_code == 302
    assert own.narrative == "Ghi đè của đơn vị khác"


def test_the_officer_home_leads_to_the_report_form(client, year):
    client.force_login(year.officer)

    page = client.get(reverse("home")).content.decode()

    assert reverse("report:form", kwargs={"period_pk": year.period.pk}) in page
    assert reverse("report:registration", kwargs={"period_pk": year.period.pk}) in page


def test_another_units_evidence_cannot_be_removed_through_the_form(client, year, outsider):
    evidence = complete_draft(year).evidence.get()
    client.force_login(outsider)
    own = campaign_services.submission_get_or_create_draft(period=year.period, unit=outsider.unit)

    client.post(
        reverse("report:form", kwargs={"period_pk": year.period.pk}),
        post_data(year, own, remove_evidence=str(evidence.pk)),
    )

    assert type(evidence).objects.filter(pk=evidence.pk).exists()
