"""Registration at the start of the year: commitments that reappear beside the year-end figures."""

from decimal import Decimal

import pytest
from django.urls import reverse

from campaigns.models import Registration
from indicators.models import RegisteredTarget
from tests.factories import DepartmentFactory, IndicatorFactory, UserFactory
from tests.report_setup import IN_2019, complete_draft, day, year_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(unit_officer, time_machine):
    time_machine.move_to(IN_2019, tick=False)
    return year_build(unit_officer)


def _url(year):
    return reverse("report:registration", kwargs={"period_pk": year.period.pk})


def _data(**overrides):
    data = {
        "fund_pledge_vnd": "200.000.000",
        "sponsorship_commitment": "Đỡ đầu xã Đắk Nhoong",
        "other_commitments": "Giảm 3% hộ nghèo",
        "target-LABOUR": "53,5",
        "target-EDU": "81",
    }
    data.update(overrides)
    return data


def test_an_officer_registers_the_units_commitments(client, year):
    client.force_login(year.officer)

    response = client.post(_url(year), _data())

    assert response.status_code == 302
    registration = Registration.objects.get(unit=year.unit, period=year.period)
    assert registration.fund_pledge_vnd == 200_000_000
    assert registration.registered_by == year.officer
    assert registration.registered_at is not None
    targets = dict(
        RegisteredTarget.objects.filter(registration=registration).values_list(
            "indicator__code", "value"
        )
    )
    assert targets == {"LABOUR": Decimal("53.5"), "EDU": Decimal(81)}


def test_registering_again_updates_and_clears_targets(client, year):
    client.force_login(year.officer)
    client.post(_url(year), _data())

    client.post(_url(year), _data(**{"target-EDU": "", "fund_pledge_vnd": "210.000.000"}))

    registration = Registration.objects.get(unit=year.unit, period=year.period)
    assert registration.fund_pledge_vnd == 210_000_000
    assert list(registration.targets.values_list("indicator__code", flat=True)) == ["LABOUR"]


def test_a_committed_share_above_100_is_refused_and_the_input_kept(client, year):
    client.force_login(year.officer)

    response = client.post(_url(year), _data(**{"target-LABOUR": "105"}))

    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["target-LABOUR"]] == [
        "too_large"
    ]
    assert 'value="105"' in response.content.decode()
    assert not Registration.objects.exists()


def test_registering_after_the_deadline_is_refused_with_the_input_kept(client, year, time_machine):
    time_machine.move_to(day(2020, 1, 16), tick=False)
    client.force_login(year.officer)

    response = client.post(_url(year), _data(other_commitments="Cam kết muộn"))

    assert [e.code for e in response.context["form"].non_field_errors().as_data()] == [
        "period_closed"
    ]
    assert "Cam kết muộn" in response.content.decode()
    assert not Registration.objects.exists()


def test_an_organisation_commits_only_to_model_indicators(client, time_machine):
    time_machine.move_to(IN_2019, tick=False)
    officer = UserFactory(unit=DepartmentFactory())
    year = year_build(officer)
    IndicatorFactory(campaign=year.period.campaign, code="ESCAPE", measure="rate", target_low=10)
    client.force_login(officer)

    form = client.get(_url(year)).context["form"]

    assert [name for name in form.fields if name.startswith("target-")] == ["target-ESCAPE"]


def test_commitments_appear_beside_the_year_end_figures(client, year):
    client.force_login(year.officer)
    client.post(_url(year), _data())
    submission = complete_draft(year)

    report = client.get(reverse("report:form", kwargs={"period_pk": year.period.pk}))
    page = report.content.decode()
    assert "200.000.000" in page  # the pledge, next to the fund mobilised
    assert "53,5" in page  # the LABOUR commitment, next to its counts
    assert "Đỡ đầu xã Đắk Nhoong" in page

    client.force_login(UserFactory(board=True))
    detail = client.get(reverse("campaigns:submission-detail", kwargs={"pk": submission.pk}))
    board_page = detail.content.decode()
    assert "Đỡ đầu xã Đắk Nhoong" in board_page
    assert "53,5" in board_page


@pytest.mark.parametrize("persona", ["board_staff", "leader"])
def test_only_officers_register(client, year, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(_url(year)).status_code == 404


def test_model_commitments_appear_beside_the_models(client, year):
    IndicatorFactory(
        campaign=year.period.campaign, code="ESCAPE", name="Hộ thoát nghèo", measure="rate"
    )
    client.force_login(year.officer)
    client.post(_url(year), _data(**{"target-ESCAPE": "12,5"}))

    page = client.get(reverse("report:form", kwargs={"period_pk": year.period.pk})).content.decode()

    models = page.index('id="sec-models"')
    assert models < page.index("12,5") < page.index('id="sec-fund"')
