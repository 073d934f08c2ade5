"""The open-data API's public side: schema and docs, the eight targets' figures for anyone,
pages, filters, CSV, conditional answers and request rates."""

import csv
import io

import pytest
from django.core.cache import cache
from django.urls import reverse
from drf_spectacular.validation import validate_schema

from indicators.models import CommuneStatistics
from indicators.services import reference_data_seed
from tests.factories import CommuneStatisticsFactory
from units.models import Unit, UnitLevel

pytestmark = pytest.mark.django_db

EIGHT = {"ROAD", "HEALTH", "CULTURE", "SCHOOL", "EDU", "LABOUR", "INCOME", "ESCAPE"}


@pytest.fixture(autouse=True)
def _fresh_rates(settings):
    """Each test starts with no requests counted, and figures re-read at once."""
    settings.PROGRESS_CACHE_CHECK_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seeded():
    """Kon Tum's real unit tree, campaign 3198/UBND-TH and its eight targets."""
    reference_data_seed()
    return Unit.objects.get(level=UnitLevel.PROVINCE)


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content[:300]
    return response.json()["results"]


# --- Schema and documentation --------------------------------------------------------------


def test_the_schema_is_valid_openapi_3_with_the_api_paths(client):
    response = client.get(reverse("api-schema"), {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)  # raises on anything the OpenAPI 3 JSON schema refuses
    assert schema["openapi"].startswith("3.")
    paths = [p for p in schema["paths"] if p.startswith("/api/v1/")]
    assert len(paths) >= 4
    assert {"/api/v1/figures/", "/api/v1/targets/", "/api/v1/units/"} <= set(paths)
    assert "token" in schema["components"]["securitySchemes"]


def test_the_docs_page_uses_the_portals_own_files_under_its_strict_csp(client):
    response = client.get(reverse("api-docs"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    assert "<style" not in html and "<script>" not in html  # nothing inline for CSP to refuse
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    script = client.get(reverse("api-docs"), {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert reverse("api-schema") in script.content.decode()


# --- The figures -------------------------------------------------------------------------------


def test_an_anonymous_client_reads_the_provinces_figures_for_the_eight_targets(client, seeded):
    communes = list(Unit.objects.filter(level=UnitLevel.COMMUNE, kind="commune", is_active=True))
    for commune in communes[1:]:  # one commune has not given its figures
        CommuneStatisticsFactory(commune=commune, year=2019, paved_road=True)

    rows = results(client.get("/api/v1/figures/", {"unit": "62", "year": 2019}))

    assert {row["indicator"] for row in rows} == EIGHT
    assert {(row["unit_code"], row["year"]) for row in rows} == {("62", 2019)}
    road = next(row for row in rows if row["indicator"] == "ROAD")
    assert road["value"] == 100.0
    assert (road["coverage"]["reported"], road["coverage"]["expected"]) == (
        len(communes) - 1,
        len(communes),
    )
    # Every commune with data meets the target, but one is missing: not "achieved" yet.
    assert road["status"] == "provisional"
    assert road["status_label"] == f"Tạm tính ({len(communes) - 1}/{len(communes)} xã)"
    assert road["as_of"] is not None
    assert road["target"]["text"] == "≥ 100"
    # No district reported LABOUR: no figure, said so, never a zero.
    labour = next(row for row in rows if row["indicator"] == "LABOUR")
    assert (labour["value"], labour["status"]) == (None, "no_data")


def test_a_figure_below_the_minimum_coverage_is_withheld(client, seeded):
    commune = Unit.objects.filter(level=UnitLevel.COMMUNE, kind="commune").first()
    CommuneStatisticsFactory(commune=commune, year=2019, paved_road=True)

    rows = results(
        client.get("/api/v1/figures/", {"unit": "62", "year": 2019, "indicator": "ROAD"})
    )

    assert [(r["value"], r["numerator"], r["status"]) for r in rows] == [
        (None, None, "not_enough_data")
    ]
    assert rows[0]["coverage"]["reported"] == 1


def test_without_filters_the_figures_cover_the_province_and_every_district(client, seeded):
    response = client.get("/api/v1/figures/", {"year": 2019, "page_size": 500})

    rows = results(response)
    districts = Unit.objects.filter(level=UnitLevel.DISTRICT, is_active=True).count()
    assert len(rows) == 8 * (1 + districts) == response.json()["count"]
    assert rows[0]["unit_code"] == "62"
    assert {row["unit_level"] for row in rows} == {"province", "district"}


def test_a_district_code_gives_that_districts_figures(client, seeded):
    rows = results(client.get("/api/v1/figures/", {"unit": "610", "indicator": "ROAD"}))

    assert {row["unit_code"] for row in rows} == {"610"}
    assert {row["indicator"] for row in rows} == {"ROAD"}
    assert [row["year"] for row in rows] == sorted(row["year"] for row in rows)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"year": "twenty"}, "year"),
        ({"year": 1999}, "year"),
        ({"unit": "no-such-unit"}, "unit"),
        ({"indicator": "NOPE"}, "indicator"),
        ({"page_size": "0"}, "page_size"),
    ],
)
def test_bad_filters_are_refused_with_a_message_on_the_field(client, seeded, params, field):
    response = client.get("/api/v1/figures/", params)

    assert response.status_code == 400
    assert field in response.json()


def test_a_communes_code_is_refused_for_figures(client, seeded):
    commune = Unit.objects.filter(level=UnitLevel.COMMUNE).first()

    response = client.get("/api/v1/figures/", {"unit": commune.code})

    assert response.status_code == 400
    assert "unit" in response.json()


def test_unaccepted_figures_need_a_token_with_the_scope(client, seeded):
    response = client.get("/api/v1/figures/", {"submitted": "1"})

    assert response.status_code == 403


# --- Pages, CSV ------------------------------------------------------------------------------


def test_pages_follow_each_other_and_the_page_size_is_capped(client, seeded, settings):
    settings.API_MAX_PAGE_SIZE = 5
    first = client.get("/api/v1/units/", {"page_size": 100})
    body = first.json()

    assert len(body["results"]) == 5
    assert int(first["X-Total-Count"]) == body["count"] == Unit.objects.count()
    second = client.get(body["next"])
    assert second.status_code == 200
    codes = [u["code"] for u in body["results"]] + [u["code"] for u in second.json()["results"]]
    assert codes == list(Unit.objects.order_by("code").values_list("code", flat=True)[:10])
    missing = client.get("/api/v1/units/", {"page": 9999})
    assert missing.status_code == 404
    assert missing.json()["detail"] == "Trang này không tồn tại."
    assert client.post("/api/v1/units/").status_code == 405


def test_commune_statistics_are_filtered_by_year_and_district(client, seeded):
    district = Unit.objects.get(code="610")
    inside, outside = (
        Unit.objects.filter(parent=district).first(),
        Unit.objects.filter(level=UnitLevel.COMMUNE).exclude(parent=district).first(),
    )
    CommuneStatisticsFactory(commune=inside, year=2019, total_households=800, poor_households=217)
    CommuneStatisticsFactory(commune=inside, year=2018)
    CommuneStatisticsFactory(commune=outside, year=2019)

    rows = results(client.get("/api/v1/commune-statistics/", {"year": 2019, "unit": "610"}))

    assert [(r["commune_code"], r["year"]) for r in rows] == [(inside.code, 2019)]
    assert rows[0]["district_code"] == "610"
    assert rows[0]["poverty_rate"] == 27.13  # 217 of 800, half up as everywhere


def test_commune_statistics_carry_the_deprivations_with_blank_apart_from_zero(client, seeded):
    commune = Unit.objects.filter(parent__code="610").first()
    CommuneStatisticsFactory(
        commune=commune,
        year=2019,
        poor_households=217,
        poor_lacking_clean_water=90,
        poor_lacking_latrine=0,
    )

    (row,) = results(client.get("/api/v1/commune-statistics/", {"year": 2019, "unit": "610"}))

    assert (row["poor_lacking_clean_water"], row["poor_lacking_latrine"]) == (90, 0)
    assert row["near_poor_lacking_clean_water"] is None
    assert len([name for name in row if "_lacking_" in name]) == 20


def test_any_list_comes_as_csv_for_spreadsheets(client, seeded):
    response = client.get("/api/v1/figures/", {"unit": "62", "year": 2019, "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    lines = list(csv.DictReader(io.StringIO(text)))
    assert {line["indicator"] for line in lines} == EIGHT
    assert {"coverage.reported", "coverage.expected", "status", "as_of"} <= set(lines[0])


def test_a_csv_cell_never_becomes_a_spreadsheet_formula(client, seeded):
    commune = Unit.objects.filter(level=UnitLevel.COMMUNE).first()
    CommuneStatisticsFactory(commune=commune, year=2019, source='=HYPERLINK("http://x")')

    response = client.get("/api/v1/commune-statistics/", {"format": "csv"})

    line = next(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert line["source"].startswith("'=")


def test_the_targets_carry_their_wording_baseline_and_milestones(client, seeded):
    rows = results(client.get("/api/v1/targets/"))

    assert {row["code"] for row in rows} == EIGHT
    assert all(row["wording"] for row in rows)
    labour = next(row for row in rows if row["code"] == "LABOUR")
    assert labour["target"]["strict"] is True


def test_the_campaign_names_its_source_document_and_years(client, seeded):
    rows = results(client.get("/api/v1/campaigns/", {"year": 2019}))

    assert [row["number"] for row in rows] == ["3198/UBND-TH"]
    assert [period["year"] for period in rows[0]["years"]] == [2018, 2019, 2020]
    assert results(client.get("/api/v1/campaigns/", {"year": 2030})) == []


def test_the_unit_tree_gives_official_codes_and_the_flags_of_a_year(client, seeded):
    rows = results(client.get("/api/v1/units/", {"unit": "610", "year": 2019, "page_size": 50}))

    district = next(row for row in rows if row["code"] == "610")
    assert district["parent_code"] == "62"
    assert {row["parent_code"] for row in rows if row is not district} == {"610"}
    flagged = {row["code"] for row in rows if "especially_difficult" in row["flags"]}
    assert flagged  # Đắk Glei has Program 135 communes in 2019
    later = results(client.get("/api/v1/units/", {"unit": "610", "year": 2030, "page_size": 50}))
    assert not any(row["flags"] for row in later)


# --- Conditional answers and request rates ---------------------------------------------------


def test_an_unchanged_answer_is_a_304_until_the_figures_change(client, seeded):
    commune = Unit.objects.filter(level=UnitLevel.COMMUNE).first()
    stats = CommuneStatisticsFactory(commune=commune, year=2019, paved_road=False)
    url, params = "/api/v1/figures/", {"unit": "62", "year": 2019}
    first = client.get(url, params)
    etag = first["ETag"]
    assert first["Last-Modified"]

    again = client.get(url, params, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    # A compressing proxy may have made the tag weak on its way to the client.
    weak = client.get(url, params, HTTP_IF_NONE_MATCH=f'"other", W/{etag}')
    assert weak.status_code == 304

    CommuneStatistics.objects.filter(pk=stats.pk).first().save()  # an admin edits a commune
    changed = client.get(url, params, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert client.get(url, {**params, "format": "csv"})["ETag"] != etag


def test_anonymous_clients_are_slowed_down_by_address(client, seeded, settings):
    settings.API_THROTTLE_RATES = {"anonymous": "2/minute", "token": "100/minute"}

    codes = [client.get("/api/v1/campaigns/").status_code for _ in range(3)]

    assert codes == [200, 200, 429]
    refused = client.get("/api/v1/campaigns/")
    assert refused.json()["detail"].startswith("Quá nhiều yêu cầu")
    assert int(refused["Retry-After"]) > 0
    other = client.get("/api/v1/campaigns/", REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 200


def test_a_renamed_unit_gets_a_new_etag_though_no_figure_moved(client, seeded):
    params = {"unit": "610"}
    etag = client.get("/api/v1/units/", params)["ETag"]
    assert client.get("/api/v1/units/", params, HTTP_IF_NONE_MATCH=etag).status_code == 304

    Unit.objects.filter(code="610").update(name="Huyện Đắk Glei (tên mới)")

    renamed = client.get("/api/v1/units/", params, HTTP_IF_NONE_MATCH=etag)
    assert renamed.status_code == 200
    assert "Huyện Đắk Glei (tên mới)" in renamed.content.decode()
