"""Logging in lands each role on its own home page, with figures computed in the database."""

import pytest
from django.urls import reverse

from campaigns.models import PeriodState, ReportingPeriod, SubmissionStatus
from indicators.models import Measure
from tests.factories import (
    BlocFactory,
    BlocMembershipFactory,
    DistrictFactory,
    IndicatorFactory,
    PeriodFactory,
    ProvinceFactory,
    SubmissionFactory,
)
from tests.two_factor import enrol, fresh_app_code
from units.accounts.two_factor import services

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"


def log_in(client, user):
    """The login form, then the app's code for the roles that must use two-factor sign-in."""
    if services.two_factor_required(user):
        device, _ = enrol(user)
        client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
        return client.post(
            reverse("two_factor:verify"), {"code": fresh_app_code(device)}, follow=True
        )
    return client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True
    )


def template_names(response):
    return [t.name for t in response.templates]


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/"


def test_wrong_password_shows_the_login_form_again(client, unit_officer):
    response = client.post(
        reverse("login"), {"username": unit_officer.username, "password": "wrong"}
    )

    assert response.status_code == 200
    assert "registration/login.html" in template_names(response)
    assert "_auth_user_id" not in client.session


def test_officer_lands_on_their_units_page_with_this_years_report(client, unit_officer):
    period = PeriodFactory(year=2019)
    PeriodFactory(year=2018, state=PeriodState.LOCKED)
    current = SubmissionFactory(period=period, unit=unit_officer.unit, submitted=True)

    response = log_in(client, unit_officer)

    assert response.redirect_chain[-1] == ("/", 302)
    assert "home/officer.html" in template_names(response)
    content = response.content.decode()
    assert "Huyện Đắk Glei" in content
    assert response.context["period"] == period
    assert response.context["current"] == current
    assert reverse("campaigns:submission-detail", args=[current.pk]) in content


def test_officer_sees_not_started_when_the_unit_has_no_report_this_year(client, unit_officer):
    PeriodFactory(year=2019)

    response = log_in(client, unit_officer)

    assert response.context["current"] is None
    assert "Chưa bắt đầu" in response.content.decode()


def test_officer_home_lists_only_their_units_reports_newest_first(client, unit_officer, outsider):
    older = SubmissionFactory(period__year=2018, unit=unit_officer.unit, accepted=True)
    newer = SubmissionFactory(period__year=2019, unit=unit_officer.unit)
    SubmissionFactory(period__year=2019, unit=outsider.unit)

    response = log_in(client, unit_officer)

    assert response.context["submissions"] == [newer, older]


def test_current_period_prefers_the_latest_open_year(client, unit_officer):
    PeriodFactory(year=2018, state=PeriodState.OPEN)
    PeriodFactory(year=2019, state=PeriodState.CLOSED)

    response = log_in(client, unit_officer)

    assert response.context["period"].year == 2018


def test_board_lands_on_status_counts_for_the_current_year(client, board_staff):
    period = PeriodFactory(year=2019)
    bloc = BlocFactory(campaign=period.campaign)
    reports = [
        SubmissionFactory(period=period, submitted=True),
        SubmissionFactory(period=period, submitted=True),
        SubmissionFactory(period=period, accepted=True),
        SubmissionFactory(period=PeriodFactory(year=2018), submitted=True),
    ]
    # Locked after the fact: the database refuses new rows in a locked year.
    ReportingPeriod.objects.filter(year=2018).update(state=PeriodState.LOCKED)
    for report in reports:
        BlocMembershipFactory(bloc=bloc, unit=report.unit)
    BlocMembershipFactory(bloc=bloc)  # takes part, has no report
    DistrictFactory()  # in no bloc: does not take part

    response = log_in(client, board_staff)

    assert "home/board.html" in template_names(response)
    counts = {item.status: item.count for item in response.context["status_counts"]}
    assert counts == {
        SubmissionStatus.DRAFT: 0,
        SubmissionStatus.SUBMITTED: 2,
        SubmissionStatus.RETURNED: 0,
        SubmissionStatus.ACCEPTED: 1,
    }
    # Bloc members only: the four units with reports (three this year) and the one without.
    participation = response.context["participation"]
    assert participation.participating == 5
    assert participation.not_started == 2
    assert "Chờ thẩm định" in response.content.decode()


def test_leader_lands_on_the_indicators_at_a_glance(client, leader):
    ProvinceFactory()
    period = PeriodFactory(year=2019)
    IndicatorFactory(
        campaign=period.campaign,
        code="INCOME",
        measure=Measure.GROWTH,
        target_low=15,
        target_high=20,
    )

    response = log_in(client, leader)

    assert "home/leader.html" in template_names(response)
    content = response.content.decode()
    assert 'data-indicator="INCOME"' in content
    assert "15–20" in content


def test_admin_lands_on_set_up_links(client, admin_user):
    response = log_in(client, admin_user)

    assert "home/admin.html" in template_names(response)
    assert reverse("admin:index") in response.content.decode()


def test_admin_home_leads_to_each_locked_year_to_unlock_it(client, admin_user):
    locked = PeriodFactory(year=2018, state=PeriodState.LOCKED)
    still_open = PeriodFactory(year=2019, campaign=locked.campaign)

    content = log_in(client, admin_user).content.decode()

    assert reverse("board:year", args=[locked.pk]) in content
    assert reverse("board:year", args=[still_open.pk]) not in content


def test_board_and_leader_homes_lead_to_the_years_evaluation(client, board_staff, leader):
    period = PeriodFactory(year=2019)
    for user in (board_staff, leader):
        client.force_login(user)
        content = client.get("/").content.decode()
        for name in ("board:queue", "board:ranking", "board:awards", "board:year"):
            assert reverse(name, args=[period.pk]) in content


@pytest.mark.parametrize("persona", ["unit_officer", "board_staff", "leader", "admin_user"])
def test_home_pages_run_a_bounded_number_of_queries(
    client, request, persona, django_assert_max_num_queries
):
    user = request.getfixturevalue(persona)
    period = PeriodFactory(year=2019)
    for _ in range(5):
        SubmissionFactory(period=period, submitted=True)
    SubmissionFactory(period=period, unit=DistrictFactory(), accepted=True)
    if user.unit_id:
        SubmissionFactory(period=period, unit=user.unit)
        SubmissionFactory(period__year=2018, unit=user.unit)
    for code in ("ROAD", "LABOUR", "INCOME"):
        IndicatorFactory(campaign=period.campaign, code=code)
    client.force_login(user)

    # The leader's cards come from the progress engine and the roadmap: a fixed handful more.
    # Every page counts the navbar's unread notices; the officer's home also lists the latest.
    budget = {"leader": 17, "unit_officer": 9}.get(persona, 7)
    with django_assert_max_num_queries(budget):
        response = client.get("/")

    assert response.status_code == 200
