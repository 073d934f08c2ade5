"""The API behind tokens: the administrator issues and revokes them, scopes hold, and every
answer is scoped as the token's account sees the portal's pages."""

import hashlib
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.models import PeriodState, SubmissionStatus
from reports.api.tokens import api_token_issue, api_token_revoke
from reports.models import ApiScope, ApiToken
from tests.factories import (
    AwardProposalFactory,
    BlocFactory,
    BlocMembershipFactory,
    CriterionFactory,
    CriterionScoreFactory,
    EvidenceFactory,
    PeriodFactory,
    SubmissionFactory,
    SubmissionStepFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Every path that is about units' reports, their review, scores, evidence, rankings, awards or
# accounts: none answers without a token.
PRIVATE_WORDS = ("submissions", "reviews", "scores", "evidence", "users", "rankings", "awards")


@pytest.fixture(autouse=True)
def _fresh_rates():
    cache.clear()
    yield
    cache.clear()


def key_for(account, *scopes, unit=None, by=None, **extra) -> str:
    """A raw key for `account` with `scopes`, issued by an administrator."""
    issuer = by or UserFactory(admin=True)
    _token, key = api_token_issue(
        name="Cổng thông tin điện tử tỉnh",
        account=account,
        scopes=list(scopes),
        unit=unit,
        by=issuer,
        **extra,
    )
    return key


def get(client, path, key=None, **params):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return client.get(path, params, **headers)


def codes(response, field="unit_code"):
    assert response.status_code == 200, response.content[:300]
    return sorted(row[field] for row in response.json()["results"])


@pytest.fixture
def year_2019(unit_officer, outsider):
    """Two districts' 2019 reports: the officer's accepted, the outsider's only submitted."""
    period = PeriodFactory(year=2019)
    own = SubmissionFactory(period=period, unit=unit_officer.unit, accepted=True)
    other = SubmissionFactory(period=period, unit=outsider.unit, submitted=True)
    return period, own, other


# --- Without a token ---------------------------------------------------------------------------


def test_every_private_path_in_the_schema_answers_401_without_a_token(client, year_2019):
    paths = client.get(reverse("api-schema"), {"format": "json"}).json()["paths"]
    private = [p for p in paths if any(word in p for word in PRIVATE_WORDS)]

    assert len(private) == len(PRIVATE_WORDS)
    for path in private:
        response = client.get(path)
        assert response.status_code == 401, path
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert "results" not in response.json()
        assert response.json()["detail"].startswith("Địa chỉ này cần mã truy cập")


@pytest.mark.parametrize(
    "header",
    ["Bearer kt_not-a-real-key", "Bearer", "Bearer two words", "Bearer \xff"],
)
def test_a_wrong_key_is_refused_rather_than_read_as_anonymous(client, header):
    response = client.get("/api/v1/campaigns/", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401


# --- Issuing, revoking ------------------------------------------------------------------------


def test_only_the_keys_digest_is_stored(leader):
    admin = UserFactory(admin=True)
    token, key = api_token_issue(
        name="Sở LĐ-TB&XH", account=leader, scopes=[ApiScope.REPORTS], by=admin
    )

    token.refresh_from_db()
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(token.prefix)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM reports_apitoken")
        stored = " ".join(str(cell) for row in cursor.fetchall() for cell in row)
    assert key not in stored


def test_a_revoked_an_expired_or_a_deactivated_accounts_token_stops(client, leader, year_2019):
    admin = UserFactory(admin=True)
    revoked = key_for(leader, ApiScope.REPORTS, by=admin)
    api_token_revoke(token=ApiToken.objects.get(revoked_at__isnull=True), by=admin)
    expired = key_for(leader, ApiScope.REPORTS, expires_at=timezone.now() - timedelta(minutes=1))
    deactivated_user = UserFactory(leader=True)
    deactivated = key_for(deactivated_user, ApiScope.REPORTS)
    deactivated_user.is_active = False
    deactivated_user.save()

    for key in (revoked, expired, deactivated):
        assert get(client, "/api/v1/submissions/", key).status_code == 401
    assert ApiToken.objects.get(prefix=revoked[:10]).revoked_by == admin


def test_a_used_token_says_when_it_was_last_used(client, leader, year_2019):
    key = key_for(leader, ApiScope.REPORTS)

    get(client, "/api/v1/submissions/", key)

    assert ApiToken.objects.get().last_used_at is not None


def test_the_admin_issues_a_token_showing_the_key_once_and_revokes_it(client, leader):
    admin = UserFactory(admin=True)
    client.force_login(admin)

    response = client.post(
        reverse("admin:reports_apitoken_add"),
        {
            "name": "Cổng thông tin điện tử tỉnh",
            "account": leader.pk,
            "scopes": [ApiScope.REPORTS, ApiScope.SCORES],
        },
    )

    assert response.status_code == 302
    token = ApiToken.objects.get()
    assert token.created_by == admin
    assert token.scopes == [ApiScope.REPORTS, ApiScope.SCORES]
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    key = next(m.split("<code>")[1].split("</code>")[0] for m in shown if "<code>" in m)
    assert hashlib.sha256(key.encode()).hexdigest() == token.key_hash
    # Shown on the page after saving, then never again.
    assert key in client.get(response["Location"]).content.decode()
    page = client.get(reverse("admin:reports_apitoken_change", args=[token.pk]))
    assert key not in page.content.decode()

    client.post(
        reverse("admin:reports_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.revoked_by == admin
    assert get(client, "/api/v1/submissions/", key).status_code == 401


def test_the_admin_refuses_a_token_for_a_deactivated_account(client):
    client.force_login(UserFactory(admin=True))
    gone = UserFactory(leader=True, is_active=False)

    response = client.post(
        reverse("admin:reports_apitoken_add"),
        {"name": "Báo Kon Tum", "account": gone.pk, "scopes": [ApiScope.REPORTS]},
    )

    assert response.status_code == 200
    assert "account" in response.context["adminform"].form.errors
    assert not ApiToken.objects.exists()


def test_a_list_costs_the_same_queries_for_2_or_6_reports(client, leader):
    key = key_for(leader, ApiScope.REPORTS)
    period = PeriodFactory(year=2019)
    get(client, "/api/v1/submissions/", key)  # the token's first use is written down once

    def queries(count):
        for _ in range(count):
            SubmissionFactory(period=period, accepted=True)
        with CaptureQueriesContext(connection) as context:
            assert get(client, "/api/v1/submissions/", key).status_code == 200
        return len(context.captured_queries)

    assert queries(2) == queries(4)


def test_only_an_administrator_issues_tokens(client, board_staff):
    client.force_login(board_staff)

    assert client.get(reverse("admin:reports_apitoken_add")).status_code in (302, 403)
    with pytest.raises(Exception) as excinfo:
        api_token_issue(name="x", account=board_staff, scopes=[], by=board_staff)
    assert excinfo.value.code == "not_admin"


# --- Scopes --------------------------------------------------------------------------------


def test_a_token_without_the_scope_is_refused(client, leader, year_2019):
    key = key_for(leader, ApiScope.SCORES)

    response = get(client, "/api/v1/submissions/", key)

    assert response.status_code == 403


def test_reports_leave_only_once_accepted_unless_a_scope_says_so(client, leader, year_2019):
    _period, own, other = year_2019
    accepted_only = key_for(leader, ApiScope.REPORTS)
    with_unaccepted = key_for(leader, ApiScope.REPORTS, ApiScope.UNACCEPTED)

    assert codes(get(client, "/api/v1/submissions/", accepted_only)) == [own.unit.code]
    assert codes(get(client, "/api/v1/submissions/", with_unaccepted)) == sorted(
        [own.unit.code, other.unit.code]
    )


def test_drafts_stay_home_even_in_the_review_history(client, leader, year_2019):
    _period, own, other = year_2019
    SubmissionStepFactory(submission=own, to_status=SubmissionStatus.SUBMITTED)
    SubmissionStepFactory(submission=other, to_status=SubmissionStatus.SUBMITTED)
    key = key_for(leader, ApiScope.REPORTS)

    rows = get(client, "/api/v1/reviews/", key).json()["results"]

    assert {row["submission"] for row in rows} == {own.pk}


def test_an_officers_token_reads_only_its_own_units_reports(client, unit_officer, year_2019):
    _period, own, _other = year_2019
    key = key_for(unit_officer, ApiScope.REPORTS, ApiScope.UNACCEPTED)

    assert codes(get(client, "/api/v1/submissions/", key)) == [own.unit.code]


def test_a_token_with_a_unit_reads_that_unit_alone(client, leader, outsider, year_2019):
    _period, _own, other = year_2019
    key = key_for(leader, ApiScope.REPORTS, ApiScope.UNACCEPTED, unit=outsider.unit)

    assert codes(get(client, "/api/v1/submissions/", key)) == [other.unit.code]


def test_filters_by_year_and_unit_code(client, leader, year_2019):
    _period, own, _other = year_2019
    SubmissionFactory(period=PeriodFactory(year=2018), unit=own.unit, accepted=True)
    key = key_for(leader, ApiScope.REPORTS)

    rows = get(client, "/api/v1/submissions/", key, year=2019, unit=own.unit.code)

    assert [(r["unit_code"], r["year"]) for r in rows.json()["results"]] == [(own.unit.code, 2019)]


def test_board_points_stay_hidden_from_the_unit_until_the_year_is_closed(
    client, unit_officer, leader, year_2019
):
    period, own, _other = year_2019
    CriterionScoreFactory(submission=own, self_points=15, board_points=12)
    officer_key = key_for(unit_officer, ApiScope.SCORES)
    leader_key = key_for(leader, ApiScope.SCORES)

    def points(key):
        return [
            (r["self_points"], r["board_points"])
            for r in get(client, "/api/v1/scores/", key).json()["results"]
        ]

    assert points(officer_key) == [(15.0, None)]
    assert points(leader_key) == [(15.0, 12.0)]
    period.state = PeriodState.CLOSED
    period.save()
    assert points(officer_key) == [(15.0, 12.0)]


def test_evidence_lists_names_for_the_unit_and_nothing_for_leaders(
    client, unit_officer, leader, year_2019
):
    _period, own, _other = year_2019
    EvidenceFactory(submission=own)

    officer_rows = get(client, "/api/v1/evidence/", key_for(unit_officer, ApiScope.REPORTS))
    leader_rows = get(client, "/api/v1/evidence/", key_for(leader, ApiScope.REPORTS))

    assert [r["original_name"] for r in officer_rows.json()["results"]] == ["Biên bản kiểm tra.pdf"]
    assert "file" not in officer_rows.json()["results"][0]
    assert leader_rows.json()["results"] == []


def test_rankings_and_awards_are_for_the_board_and_leaders(client, unit_officer, leader):
    period = PeriodFactory(year=2019, state=PeriodState.CLOSED)
    bloc = BlocFactory(campaign=period.campaign)
    BlocMembershipFactory(bloc=bloc, unit=unit_officer.unit)
    criterion = CriterionFactory(bloc=bloc, max_points=100)
    report = SubmissionFactory(period=period, unit=unit_officer.unit, accepted=True)
    CriterionScoreFactory(submission=report, criterion=criterion, board_points=91)
    AwardProposalFactory(period=period, unit=unit_officer.unit)
    officer = key_for(unit_officer, ApiScope.SCORES, ApiScope.AWARDS)
    reader = key_for(leader, ApiScope.SCORES, ApiScope.AWARDS)

    assert get(client, "/api/v1/rankings/", officer).status_code == 403
    assert get(client, "/api/v1/awards/", officer).status_code == 403
    ranked = get(client, "/api/v1/rankings/", reader, year=2019).json()["results"]
    assert [(r["unit_code"], r["rank"], r["board_points"]) for r in ranked] == [
        (unit_officer.unit.code, 1, 91.0)
    ]
    assert codes(get(client, "/api/v1/awards/", reader, year=2019)) == [unit_officer.unit.code]


def test_accounts_are_for_the_board_and_administrators(client, leader, board_staff):
    assert get(client, "/api/v1/users/", key_for(leader, ApiScope.USERS)).status_code == 403

    rows = get(client, "/api/v1/users/", key_for(board_staff, ApiScope.USERS))

    assert "board-test" in codes(rows, "username")
    assert "password" not in rows.json()["results"][0]


def test_unaccepted_figures_need_the_scope_and_a_board_account(client, leader, board_staff):
    PeriodFactory(year=2019)
    from indicators.services import reference_data_seed

    reference_data_seed()
    params = {"submitted": "1", "year": 2019, "unit": "62"}

    assert get(client, "/api/v1/figures/", key_for(board_staff), **params).status_code == 403
    leader_key = key_for(leader, ApiScope.UNACCEPTED)
    assert get(client, "/api/v1/figures/", leader_key, **params).status_code == 403
    board_key = key_for(board_staff, ApiScope.UNACCEPTED)
    rows = get(client, "/api/v1/figures/", board_key, **params).json()["results"]
    assert rows and all(row["includes_unaccepted"] for row in rows)


def test_token_requests_are_counted_per_token(client, leader, settings, year_2019):
    settings.API_THROTTLE_RATES = {"anonymous": "100/minute", "token": "2/minute"}
    key = key_for(leader, ApiScope.REPORTS)
    other = key_for(leader, ApiScope.REPORTS)

    statuses = [get(client, "/api/v1/submissions/", key).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert get(client, "/api/v1/submissions/", other).status_code == 200
