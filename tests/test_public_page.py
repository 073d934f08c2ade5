"""The public progress page: no login, province figures from accepted data only."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from campaigns.models import Campaign, SubmissionStatus
from indicators import progress
from indicators.models import ReportedValue
from tests.factories import (
    CommuneFactory,
    CommuneStatisticsFactory,
    DistrictFactory,
    IndicatorFactory,
    PeriodFactory,
    ProvinceFactory,
    SubmissionFactory,
)

pytestmark = pytest.mark.django_db

URL = "/public/"


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
def labour(province):
    PeriodFactory(year=2019)
    return IndicatorFactory(code="LABOUR", measure="rate", target_low=52)


def _report(province, labour, numerator, status, name):
    district = DistrictFactory(parent=province, name=name)
    traits = {
        SubmissionStatus.ACCEPTED: {"accepted": True},
        SubmissionStatus.SUBMITTED: {"submitted": True},
        SubmissionStatus.RETURNED: {"submitted": True, "status": SubmissionStatus.RETURNED},
        SubmissionStatus.DRAFT: {},
    }[status]
    submission = SubmissionFactory(unit=district, period=PeriodFactory(year=2019), **traits)
    ReportedValue.objects.create(
        submission=submission, indicator=labour, numerator=numerator, denominator=100
    )
    return district


def _card(html: str, code: str) -> str:
    marker = f'data-indicator="{code}" data-status="'
    start = html.index(marker) + len(marker)
    return html[start:].split('" data-value="', 1)[1].split('"', 1)[0]


def test_anyone_can_read_the_public_page(client, labour):
    response = client.get(reverse("public-progress"))

    assert response.status_code == 200
    assert 'data-indicator="LABOUR"' in response.content.decode()


def test_public_page_counts_only_accepted_reports(client, province, labour):
    _report(province, labour, 30, SubmissionStatus.ACCEPTED, "Huyện Đã Duyệt")
    for status in (SubmissionStatus.SUBMITTED, SubmissionStatus.RETURNED, SubmissionStatus.DRAFT):
        _report(province, labour, 99, status, f"Huyện {status}")

    # One district of four is below the default minimum coverage: the Board lowers it.
    Campaign.objects.filter(pk=labour.campaign_id).update(coverage_threshold=20)

    html = client.get(reverse("public-progress"), {"year": "2019"}).content.decode()

    assert _card(html, "LABOUR") == "30.0"
    assert 'data-status="provisional"' in html
    assert "unaccepted-notice" not in html


def test_public_page_ignores_a_request_to_include_submitted_reports(client, province, labour):
    _report(province, labour, 99, SubmissionStatus.SUBMITTED, "Huyện Chờ Duyệt")

    html = client.get(
        reverse("public-progress"), {"year": "2019", "submitted": "1"}
    ).content.decode()

    assert _card(html, "LABOUR") == "None"


def test_public_page_names_no_unit_and_no_unaccepted_figure(client, province, labour):
    _report(province, labour, 99, SubmissionStatus.SUBMITTED, "Huyện Bí Mật")

    html = client.get(reverse("public-progress"), {"year": "2019"}).content.decode()

    assert "Huyện Bí Mật" not in html
    assert "99" not in html.split("<main", 1)[1]


def test_public_page_shows_as_of_date_of_the_accepted_figures(client, province, labour):
    district = DistrictFactory(parent=province)
    CommuneStatisticsFactory(commune=CommuneFactory(parent=district), year=2019)

    html = client.get(reverse("public-progress"), {"year": "2019"}).content.decode()

    assert 'id="as-of"' in html


def test_public_page_shows_official_commune_shares(client, province):
    PeriodFactory(year=2019)
    road = IndicatorFactory(code="ROAD", commune_field="paved_road", target_low=100)
    district = DistrictFactory(parent=province)
    CommuneStatisticsFactory(commune__parent=district, paved_road=True)
    CommuneStatisticsFactory(commune__parent=district, paved_road=False)

    html = client.get(reverse("public-progress"), {"year": "2019"}).content.decode()

    assert road.code in html
    assert _card(html, "ROAD") == "50.0"


def test_public_page_is_refreshed_when_a_report_is_accepted(client, province, labour):
    district = _report(province, labour, 40, SubmissionStatus.SUBMITTED, "Huyện Mới")
    assert _card(client.get(URL, {"year": "2019"}).content.decode(), "LABOUR") == "None"

    district.submissions.update(status=SubmissionStatus.ACCEPTED, accepted_at="2020-01-05T00:00Z")
    progress.figures_changed()

    assert _card(client.get(URL, {"year": "2019"}).content.decode(), "LABOUR") == "40.0"
