"""One figure, one number: the API gives the figure the dashboard and the public page show.

The data sets are `tests/test_one_figure.py`'s, where rounding matters (31,25 %, 6,125 %,
27,125 %); the API is one more surface beside the pages, the spreadsheets and the PDFs.
"""

from fractions import Fraction

import pytest
from django.urls import reverse

from campaigns.models import Campaign
from indicators import progress
from tests.factories import CommuneStatisticsFactory, PeriodFactory
from tests.test_one_figure import (  # noqa: F401 (the autouse fixture applies here too)
    YEAR,
    _after_the_year,
    assert_every_surface_shows,
    cell,
    growth_year,
    page,
    printed,
    row_cells,
    share_year,
    text,
)

pytestmark = pytest.mark.django_db


def api_rows(client, **params) -> list[dict]:
    client.logout()
    response = client.get("/api/v1/figures/", {"year": YEAR, "page_size": 500, **params})
    assert response.status_code == 200, response.content[:300]
    return response.json()["results"]


def api_figure(client, unit_code: str, indicator: str) -> dict:
    rows = api_rows(client, unit=unit_code, indicator=indicator)
    assert len(rows) == 1, rows
    return rows[0]


def test_the_api_shows_the_dashboards_share_of_communes(client, leader, unit_officer):
    y = share_year(unit_officer.unit)
    province, district = y.district.parent, y.district
    dashboard = page(client, leader, reverse("dashboard:home"), year=YEAR, indicator="ROAD")
    district_page = page(client, leader, reverse("dashboard:scope", args=[district.pk]), year=YEAR)
    public = page(client, None, reverse("public-progress"), year=YEAR)
    province_row = api_figure(client, province.code, "ROAD")
    district_row = api_figure(client, district.code, "ROAD")

    assert_every_surface_shows(
        Fraction(100 * y.met, y.with_data),
        [
            printed("dashboard card", text(dashboard, "[data-indicator=ROAD] .display-6")),
            printed(
                "dashboard by district",
                row_cells(dashboard, "#breakdown-table tbody tr", district.name)[1],
            ),
            printed("district's card", text(district_page, "[data-indicator=ROAD] .display-6")),
            printed("public card", text(public, "[data-indicator=ROAD] .display-6")),
            cell("API, province", province_row["value"]),
            cell("API, district", district_row["value"]),
        ],
    )
    # The same coverage and status, in the same words.
    coverage = "16/17 xã, phường, thị trấn"
    assert coverage in text(public, "[data-indicator=ROAD] .dash-coverage")
    assert province_row["coverage"]["text"] == district_row["coverage"]["text"] == coverage
    assert (province_row["coverage"]["reported"], province_row["coverage"]["expected"]) == (16, 17)
    badge = text(public, "[data-indicator=ROAD] .badge")
    assert province_row["status_label"] == f"{badge} ({coverage})"
    assert province_row["status"] == progress.Status.PROVISIONAL


def test_the_api_shows_the_dashboards_income_growth(client, leader, unit_officer):
    y = growth_year(unit_officer.unit)
    province, district = y.district.parent, y.district
    dashboard = page(client, leader, reverse("dashboard:home"), year=YEAR, indicator="INCOME")
    public = page(client, None, reverse("public-progress"), year=YEAR)

    assert_every_surface_shows(
        y.growth,
        [
            printed("dashboard card", text(dashboard, "[data-indicator=INCOME] .display-6")),
            printed("public card", text(public, "[data-indicator=INCOME] .display-6")),
            cell("API, province", api_figure(client, province.code, "INCOME")["value"]),
            cell("API, district", api_figure(client, district.code, "INCOME")["value"]),
        ],
    )


def test_every_api_figure_is_the_engines_for_the_same_unit_and_year(client, unit_officer):
    """Beyond the cards: value, counts, status, coverage and milestone of every target."""
    share_year(unit_officer.unit)
    district = unit_officer.unit
    campaign = Campaign.objects.get()

    for scope in (district.parent, district):
        overview = progress.progress_overview(campaign=campaign, scope=scope, year=YEAR)
        rows = {row["indicator"]: row for row in api_rows(client, unit=scope.code)}
        assert set(rows) == {p.code for p in overview.indicators}
        for figure in overview.indicators:
            row = rows[figure.code]
            assert (row["value"], row["numerator"], row["denominator"]) == (
                figure.value,
                figure.numerator,
                figure.denominator,
            )
            assert row["status"] == figure.status
            assert row["coverage"]["reported"] == figure.coverage.reported
            assert row["coverage"]["expected"] == figure.coverage.expected
            assert row["as_of"] is not None


def test_a_communes_poverty_rate_is_the_dashboards(client, leader, unit_officer):
    PeriodFactory(year=YEAR)
    commune = unit_officer.unit.children.create(
        code="99001", name="Xã Đắk Choong", level="commune", kind="commune"
    )
    CommuneStatisticsFactory(commune=commune, year=YEAR, total_households=800, poor_households=217)
    commune_page = page(client, leader, reverse("dashboard:scope", args=[commune.pk]), year=YEAR)

    client.logout()
    rows = client.get("/api/v1/commune-statistics/", {"unit": commune.code}).json()["results"]

    assert_every_surface_shows(
        Fraction(217 * 100, 800),
        [
            printed(
                "commune's dashboard",
                text(commune_page, "[aria-labelledby=poverty-title] .display-6"),
            ),
            cell("API", rows[0]["poverty_rate"]),
        ],
    )
