"""Review of the progress engine, dashboards and public page: figures that must never leak."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from campaigns.models import SubmissionStatus
from indicators import progress
from indicators.models import Measure, ModelResult, PovertyModel
from tests.factories import (
    DistrictFactory,
    IndicatorFactory,
    PeriodFactory,
    ProvinceFactory,
    SubmissionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    settings.PROGRESS_CACHE_CHECK_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def province():
    return ProvinceFactory()


@pytest.fixture
def escape():
    PeriodFactory(year=2019)
    return IndicatorFactory(code="ESCAPE", measure=Measure.RATE, target_low=10)


@pytest.fixture
def income():
    PeriodFactory(year=2019)
    return IndicatorFactory(code="INCOME", measure=Measure.GROWTH, target_low=15, target_high=20)


_TRAITS = {
    SubmissionStatus.ACCEPTED: {"accepted": True},
    SubmissionStatus.SUBMITTED: {"submitted": True},
    SubmissionStatus.RETURNED: {"submitted": True, "status": SubmissionStatus.RETURNED},
    SubmissionStatus.DRAFT: {},
}


def _result(district, *, year, status, escaped, households=100, income=None, name="Mô hình"):
    model, _created = PovertyModel.objects.get_or_create(
        unit=district,
        name=name,
        defaults={"start_year": 2017, "participating_households": households},
    )
    submission = None
    if status is not None:
        submission = SubmissionFactory(
            unit=district, period=PeriodFactory(year=year), **_TRAITS[status]
        )
    return ModelResult.objects.create(
        model=model,
        year=year,
        submission=submission,
        participating_households=households,
        escaped_households=escaped,
        average_income_vnd=income,
    )


def _card(html: str, code: str) -> str:
    marker = f'data-indicator="{code}" data-status="'
    start = html.index(marker) + len(marker)
    return html[start:].split('" data-value="', 1)[1].split('"', 1)[0]


# --- Model results: only what the Board accepted -----------------------------------------------


def test_a_model_result_without_a_report_is_not_an_accepted_figure(province, escape):
    district = DistrictFactory(parent=province)
    _result(district, year=2019, status=SubmissionStatus.ACCEPTED, escaped=10)
    _result(DistrictFactory(parent=province), year=2019, status=None, escaped=90)

    result = progress.indicator_progress(indicator=escape, scope=province, year=2019)

    assert (result.numerator, result.denominator) == (10, 100)
    assert result.value == pytest.approx(10.0)


def test_results_of_a_deleted_draft_never_reach_the_public_page(client, province, escape):
    district = DistrictFactory(parent=province)
    draft = _result(district, year=2019, status=SubmissionStatus.DRAFT, escaped=77).submission
    # The foreign key is SET_NULL: deleting the draft leaves its results without a report.
    draft.delete()
    assert ModelResult.objects.get().submission is None

    html = client.get(reverse("public-progress"), {"year": "2019"}).content.decode()

    assert _card(html, "ESCAPE") == "None"


@pytest.mark.parametrize(
    "status", [SubmissionStatus.RETURNED, SubmissionStatus.DRAFT, SubmissionStatus.SUBMITTED]
)
def test_public_page_ignores_model_results_of_unaccepted_reports(client, province, escape, status):
    _result(DistrictFactory(parent=province), year=2019, status=status, escaped=77)

    html = client.get(reverse("public-progress"), {"year": "2019"}).content.decode()

    assert _card(html, "ESCAPE") == "None"


def test_income_growth_needs_a_previous_year_the_board_accepted(province, income):
    district = DistrictFactory(parent=province)
    _result(district, year=2018, status=None, escaped=0, income=10_000_000)
    _result(district, year=2019, status=SubmissionStatus.ACCEPTED, escaped=0, income=12_000_000)

    result = progress.indicator_progress(indicator=income, scope=province, year=2019)

    assert result.value is None


# --- Cached dashboard pages ---------------------------------------------------------------------


def test_a_page_cached_for_a_leader_still_lets_the_board_include_submitted_reports(
    client, leader, board_staff, province, escape
):
    url = reverse("dashboard:scope", args=[province.pk])
    client.force_login(leader)
    assert "submitted=1" not in client.get(url, {"year": "2019"}).content.decode()

    client.force_login(board_staff)

    assert "submitted=1" in client.get(url, {"year": "2019"}).content.decode()


def test_a_page_cached_for_the_board_shows_a_leader_no_switch_they_cannot_use(
    client, leader, board_staff, province, escape
):
    url = reverse("dashboard:scope", args=[province.pk])
    client.force_login(board_staff)
    assert "submitted=1" in client.get(url, {"year": "2019"}).content.decode()

    client.force_login(leader)

    assert "submitted=1" not in client.get(url, {"year": "2019"}).content.decode()


# --- Embedding, escaping ------------------------------------------------------------------------


def test_the_provincial_portal_may_embed_the_public_page(client, province, escape):
    response = client.get(reverse("public-progress"))

    assert "X-Frame-Options" not in response.headers
    policy = response.headers["Content-Security-Policy"]
    assert policy.startswith("frame-ancestors 'self' ")
    assert "https://kontum.gov.vn" in policy


def test_other_pages_still_refuse_to_be_framed(client, leader, province, escape):
    client.force_login(leader)

    assert client.get(reverse("dashboard:home")).headers["X-Frame-Options"] == "DENY"


def test_unit_names_are_escaped_in_charts_and_tables(client, leader, province, escape):
    DistrictFactory(parent=province, name='Huyện <script>alert("x")</script> & Co')
    client.force_login(leader)

    html = client.get(
        reverse("dashboard:scope", args=[province.pk]), {"year": "2019", "indicator": "ESCAPE"}
    ).content.decode()

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(" in html
    assert " & Co" not in html


def test_junk_years_on_the_public_page_are_served_from_one_cache_entry(
    client, settings, province, escape, django_assert_max_num_queries
):
    # Anyone can vary ?year=; each variant must not cost an uncached render.
    settings.PROGRESS_CACHE_CHECK_SECONDS = 3600
    client.get(reverse("public-progress"), {"year": "junk"})

    # One query: the figures version, read by primary key so every process sees a change at once.
    with django_assert_max_num_queries(1):
        response = client.get(reverse("public-progress"), {"year": "junk-2"})

    assert response.status_code == 200
