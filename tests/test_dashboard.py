"""The leaders' dashboard: who sees what, what it shows, its exports and its query cost."""

import io
import re
import threading
import time
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from bench.national import generate
from campaigns.models import Submission, SubmissionStatus
from indicators import progress
from indicators.models import CommuneStatistics, Indicator, ReportedValue
from reports import charts, exports
from tests.factories import UserFactory
from units.models import Unit, UnitLevel

pytestmark = pytest.mark.django_db

# An uncached dashboard page runs 48 queries here: the session, the user, the figures version
# and the 2-query figures fingerprint (which production re-reads only every few seconds), 2 for
# the roadmap (milestones and baselines, read once for the status and the charts) and INCOME's
# baseline, 9 for the campaign's groups and falling back into poverty (figures, communes per
# group and the lists' provenance, each for the scope and by district), 5 for deprivation by
# dimension and the fund (by year and district together, which the page's totals read too), the
# version of the commune statistics those sections are cached under, the navbar's unread
# notices, whether a district has not confirmed the figures shown, and the rest for the
# indicators, whatever the number of units. One more of headroom keeps the test from breaking
# on an unrelated middleware query.
QUERY_BUDGET = 49
# Recomputed after an acceptance (what the deadline brings again and again), the groups,
# falling back into poverty and deprivation are not read again: 34 queries here.
AFTER_ACCEPTANCE_BUDGET = 35


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    settings.PROGRESS_CACHE_CHECK_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def province():
    generate(
        provinces=1,
        districts_per_province=2,
        communes_per_district=3,
        organisations_per_province=2,
        years=(2018, 2019),
        extra_commune_every=0,
    )
    return Unit.objects.get(code="62")


@pytest.fixture
def districts(province):
    return list(Unit.objects.filter(parent=province, level=UnitLevel.DISTRICT).order_by("code"))


def _card_value(html: str, code: str) -> str:
    marker = f'data-indicator="{code}" data-status="'
    start = html.index(marker) + len(marker)
    status, rest = html[start:].split('" data-value="', 1)
    return status + "|" + rest.split('"', 1)[0]


# --- Access -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["leader", "board_staff", "admin_user"])
def test_leaders_board_and_admins_see_the_province_dashboard(client, province, persona, request):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("dashboard:home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Tỉnh Kon Tum" in html
    for code in ("ROAD", "SCHOOL", "HEALTH", "INCOME", "ESCAPE", "LABOUR", "EDU", "CULTURE"):
        assert f'data-indicator="{code}"' in html
    assert "<svg" in html


def test_anonymous_visitors_are_sent_to_login(client, province):
    response = client.get(reverse("dashboard:home"))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_an_officer_lands_on_their_own_district(client, districts):
    client.force_login(UserFactory(unit=districts[0]))

    response = client.get(reverse("dashboard:home"))

    assert response.status_code == 200
    assert districts[0].name in response.content.decode()


def test_an_officer_may_open_a_commune_of_their_district(client, districts):
    client.force_login(UserFactory(unit=districts[0]))
    commune = districts[0].children.first()

    assert client.get(reverse("dashboard:scope", args=[commune.pk])).status_code == 200


@pytest.mark.parametrize("target", ["province", "other_district", "other_commune"])
def test_an_officer_gets_404_outside_their_unit(client, province, districts, target):
    client.force_login(UserFactory(unit=districts[0]))
    unit = {
        "province": province,
        "other_district": districts[1],
        "other_commune": districts[1].children.first(),
    }[target]

    for name in ("dashboard:scope", "dashboard:sources"):
        assert client.get(reverse(name, args=[unit.pk])).status_code == 404
    export = reverse("dashboard:export", args=[unit.pk, "indicators"])
    assert client.get(export).status_code == 404


def test_an_officer_cannot_reach_another_officers_cached_page(client, districts):
    mine, theirs = districts
    client.force_login(UserFactory(unit=theirs))
    assert client.get(reverse("dashboard:scope", args=[theirs.pk])).status_code == 200

    client.force_login(UserFactory(unit=mine))

    assert client.get(reverse("dashboard:scope", args=[theirs.pk])).status_code == 404


def test_an_agency_officer_sees_only_their_own_unit(client, province):
    agency = Unit.objects.filter(parent=province, level=UnitLevel.ORGANISATION).first()
    other = Unit.objects.filter(parent=province, level=UnitLevel.ORGANISATION).last()
    client.force_login(UserFactory(unit=agency))

    assert agency.name in client.get(reverse("dashboard:home")).content.decode()
    assert client.get(reverse("dashboard:scope", args=[other.pk])).status_code == 404
    assert client.get(reverse("dashboard:scope", args=[province.pk])).status_code == 404


def test_the_province_breadcrumb_is_hidden_from_an_officer(client, province, districts):
    client.force_login(UserFactory(unit=districts[0]))

    html = client.get(reverse("dashboard:home")).content.decode()

    assert reverse("dashboard:scope", args=[province.pk]) not in html


# --- What it shows ------------------------------------------------------------------------------


def test_cards_show_the_engine_values(client, leader, province):
    client.force_login(leader)
    road = Indicator.objects.get(code="ROAD")
    expected = progress.indicator_progress(indicator=road, scope=province, year=2019)

    html = client.get(reverse("dashboard:home"), {"year": "2019"}).content.decode()

    assert _card_value(html, "ROAD") == f"{expected.status}|{expected.value}"


def test_the_year_switcher_changes_the_year(client, leader, province):
    client.force_login(leader)

    html = client.get(reverse("dashboard:home"), {"year": "2018"}).content.decode()

    assert "2018" in html.split("<h1", 1)[1].split("</h1>", 1)[0]
    assert re.search(r'active"\s+aria-current="page"\s+href="\?year=2018', html)


def test_province_page_links_down_to_each_district(client, leader, districts):
    client.force_login(leader)

    html = client.get(reverse("dashboard:home"), {"indicator": "ROAD"}).content.decode()

    for district in districts:
        assert reverse("dashboard:scope", args=[district.pk]) in html


def test_district_page_breaks_down_by_commune(client, leader, districts):
    client.force_login(leader)
    district = districts[0]

    html = client.get(
        reverse("dashboard:scope", args=[district.pk]), {"indicator": "ROAD"}
    ).content.decode()

    for commune in district.children.all():
        assert reverse("dashboard:scope", args=[commune.pk]) in html


def test_board_may_include_submitted_reports_clearly_labelled(client, board_staff, province):
    client.force_login(board_staff)
    labour = Indicator.objects.get(code="LABOUR")
    Submission.objects.filter(period__year=2019, unit__level=UnitLevel.DISTRICT).update(
        status=SubmissionStatus.SUBMITTED, accepted_at=None
    )
    accepted_only = progress.indicator_progress(indicator=labour, scope=province, year=2019)

    plain = client.get(reverse("dashboard:home"), {"year": "2019"}).content.decode()
    included = client.get(
        reverse("dashboard:home"), {"year": "2019", "submitted": "1"}
    ).content.decode()

    assert accepted_only.value is None
    assert _card_value(plain, "LABOUR") == "no_data|None"
    assert _card_value(included, "LABOUR") != "no_data|None"
    assert 'id="unaccepted-notice"' in included
    assert 'id="unaccepted-notice"' not in plain


def test_a_leader_cannot_include_submitted_reports(client, leader, province):
    client.force_login(leader)
    Submission.objects.filter(period__year=2019, unit__level=UnitLevel.DISTRICT).update(
        status=SubmissionStatus.SUBMITTED, accepted_at=None
    )

    html = client.get(reverse("dashboard:home"), {"year": "2019", "submitted": "1"}).content
    assert _card_value(html.decode(), "LABOUR") == "no_data|None"


def test_completeness_and_sponsors_are_shown(client, leader, province):
    client.force_login(leader)

    html = client.get(reverse("dashboard:home"), {"year": "2019"}).content.decode()

    assert "Khối huyện 62" in html
    assert "Sở / Doanh nghiệp Thử 00-00" in html or "Sở / Doanh nghiệp Thử 00-01" in html


def test_sources_page_lists_the_communes_behind_a_share(client, leader, districts):
    client.force_login(leader)
    district = districts[0]

    html = client.get(
        reverse("dashboard:sources", args=[district.pk]), {"indicator": "ROAD", "year": "2019"}
    ).content.decode()

    for commune in district.children.all():
        assert commune.name in html


def test_accepting_a_report_refreshes_the_cached_dashboard(client, board_staff, province):
    client.force_login(board_staff)
    Submission.objects.filter(period__year=2019, unit__level=UnitLevel.DISTRICT).update(
        status=SubmissionStatus.SUBMITTED, accepted_at=None
    )
    before = client.get(reverse("dashboard:home"), {"year": "2019"}).content.decode()
    assert _card_value(before, "LABOUR") == "no_data|None"

    Submission.objects.filter(period__year=2019, unit__level=UnitLevel.DISTRICT).update(
        status=SubmissionStatus.ACCEPTED, accepted_at="2020-01-10T00:00Z"
    )
    progress.figures_changed()

    after = client.get(reverse("dashboard:home"), {"year": "2019"}).content.decode()
    assert _card_value(after, "LABOUR") != "no_data|None"


# --- Exports ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "table", ["indicators", "breakdown", "sources", "completeness", "sponsors", "poverty"]
)
def test_every_dashboard_table_exports_to_xlsx(client, leader, province, table):
    client.force_login(leader)

    response = client.get(
        reverse("dashboard:export", args=[province.pk, table]),
        {"year": "2019", "indicator": "LABOUR"},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_TYPE
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row >= 3


def test_indicator_export_holds_the_engine_values(client, leader, province):
    client.force_login(leader)
    labour = Indicator.objects.get(code="LABOUR")
    expected = progress.indicator_progress(indicator=labour, scope=province, year=2019)

    response = client.get(
        reverse("dashboard:export", args=[province.pk, "indicators"]), {"year": "2019"}
    )

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    labour_row = next(r for r in rows if r[0] == "LABOUR")
    assert labour_row[2] == pytest.approx(expected.value)


def test_export_escapes_cells_that_would_run_as_formulas(client, leader, districts):
    client.force_login(leader)
    commune = districts[0].children.first()
    commune.name = '=HYPERLINK("http://evil.example","x")'
    commune.save()

    response = client.get(
        reverse("dashboard:export", args=[districts[0].pk, "breakdown"]),
        {"year": "2019", "indicator": "ROAD"},
    )

    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[1] for row in sheet.iter_rows(values_only=True)]
    assert "'" + commune.name in names
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("Xã Đắk Choong", "Xã Đắk Choong"),
        (-5, -5),
        (None, None),
    ],
)
def test_safe_cell(value, expected):
    assert exports.safe_cell(value) == expected


def test_unknown_export_is_404(client, leader, province):
    client.force_login(leader)

    assert client.get(f"/dashboard/{province.pk}/export/secrets.xlsx").status_code == 404


# --- Charts -------------------------------------------------------------------------------------


def test_bar_chart_has_title_target_line_and_table_rows():
    chart = charts.bar_chart(
        title="ROAD <by district>",
        rows=[charts.ChartRow("A", 50.0), charts.ChartRow("B", None)],
        target=100,
    )

    assert "<title" in chart.svg and "ROAD &lt;by district&gt;" in chart.svg
    assert 'stroke-dasharray="6 3"' in chart.svg  # the target line
    assert [r.value for r in chart.rows] == [50.0, None]


def test_line_chart_draws_each_year():
    chart = charts.line_chart(title="t", points=[(2018, 10.0), (2019, 20.0)], target=30)

    assert chart.svg.count("<circle") == 2
    assert "2018" in chart.svg


# --- Query cost ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("districts_count", "communes_each"), [(10, 10), (100, 100)])
def test_dashboard_query_count_does_not_grow_with_communes(
    client, leader, django_assert_max_num_queries, districts_count, communes_each
):
    generate(
        provinces=1,
        districts_per_province=districts_count,
        communes_per_district=communes_each,
        organisations_per_province=3,
        years=(2019,),
        extra_commune_every=0,
    )
    assert CommuneStatistics.objects.count() > 0.9 * districts_count * communes_each
    client.force_login(leader)
    province = Unit.objects.get(code="62")

    with django_assert_max_num_queries(QUERY_BUDGET):
        response = client.get(
            reverse("dashboard:scope", args=[province.pk]), {"year": "2019", "indicator": "ROAD"}
        )
    assert response.status_code == 200
    with django_assert_max_num_queries(QUERY_BUDGET):
        district = Unit.objects.filter(parent=province, level=UnitLevel.DISTRICT).first()
        response = client.get(
            reverse("dashboard:scope", args=[district.pk]), {"year": "2019", "indicator": "INCOME"}
        )
    assert response.status_code == 200


def test_rates_come_from_accepted_reported_counts(province):
    labour = Indicator.objects.get(code="LABOUR")
    rows = ReportedValue.objects.filter(
        indicator=labour,
        submission__period__year=2019,
        submission__status=SubmissionStatus.ACCEPTED,
    ).values_list("numerator", "denominator")
    expected = round(100 * sum(n for n, _ in rows) / sum(d for _, d in rows), 2)

    result = progress.indicator_progress(indicator=labour, scope=province, year=2019)

    assert result.value == expected


def test_chart_labels_round_like_the_tables_beside_them():
    from django.utils import translation

    from reports.charts import ChartRow, bar_chart

    rows = [
        ChartRow(label="Huyện Đắk Glei", value=90.48),
        ChartRow(label="Huyện Ngọc Hồi", value=0.05),
    ]
    with translation.override("vi"):
        chart = bar_chart(title="Tỷ lệ", rows=rows)
    assert "90,5" in chart.svg and "90,4" not in chart.svg
    assert "0,1" in chart.svg


# --- One computation per page, however many leaders reload it ------------------------------------


def test_a_page_another_request_is_computing_is_waited_for_not_computed_again(monkeypatch):
    key = "dashboard:test:v7"
    cache.add(f"{key}:computing", 1)  # another leader's request is computing this page

    def meanwhile(seconds):  # ... and stores its copy while this one waits
        cache.set(key, "their copy")

    monkeypatch.setattr("indicators.progress.cache.time.sleep", meanwhile)

    def compute():
        pytest.fail("computed a second time")

    assert progress.computed_once(key, compute, timeout=60) == "their copy"


def test_a_page_whose_computing_request_gave_up_is_computed_by_the_waiting_one(monkeypatch):
    key = "dashboard:test:v8"
    cache.add(f"{key}:computing", 1)

    def meanwhile(seconds):  # the other request failed: its claim goes, without a copy
        cache.delete(f"{key}:computing")

    monkeypatch.setattr("indicators.progress.cache.time.sleep", meanwhile)

    assert progress.computed_once(key, lambda: "mine", timeout=60) == "mine"
    assert cache.get(key) == "mine"  # stored for the next reload


def test_a_page_that_failed_to_compute_is_computed_at_once_by_the_next_request(monkeypatch):
    key = "dashboard:test:v9"

    def refused():
        raise PermissionError

    with pytest.raises(PermissionError):
        progress.computed_once(key, refused, timeout=60)

    def waits(seconds):
        pytest.fail("waited for a computation no one is doing")

    monkeypatch.setattr("indicators.progress.cache.time.sleep", waits)
    assert progress.computed_once(key, lambda: "page", timeout=60) == "page"


def test_a_dashboard_recomputed_after_an_acceptance_reads_only_report_figures_again(
    client, leader, province, django_assert_max_num_queries, settings
):
    settings.LEADERS_DASHBOARD_REFRESH_SECONDS = 0  # recomputed at once, as the Board's is
    reports = Submission.objects.filter(period__year=2019, unit__level=UnitLevel.DISTRICT)
    reports.update(status=SubmissionStatus.SUBMITTED, accepted_at=None)
    progress.figures_changed()
    client.force_login(leader)
    before = client.get(reverse("dashboard:home"), {"year": "2019"}).content.decode()
    assert _card_value(before, "LABOUR") == "no_data|None"

    for report in reports:  # the Board accepts them one by one
        report.status = SubmissionStatus.ACCEPTED
        report.accepted_at = "2020-01-10T00:00Z"
        report.save(update_fields=["status", "accepted_at"])

    # The groups, falling back into poverty and deprivation come from commune statistics: the
    # copies read before the acceptances serve again.
    with django_assert_max_num_queries(AFTER_ACCEPTANCE_BUDGET):
        after = client.get(reverse("dashboard:home"), {"year": "2019"}).content.decode()
    assert _card_value(after, "LABOUR") != "no_data|None"


# --- Leaders at the deadline: one recomputation every few seconds, and a copy that says so --------


def test_leaders_reloading_while_reports_are_accepted_get_a_copy_that_says_when_it_was_current(
    client, leader, board_staff, province, settings, monkeypatch
):
    from indicators.progress import cache as figures_cache
    from reports.views import dashboard as views

    settings.LEADERS_DASHBOARD_REFRESH_SECONDS = 10
    clock = [1_767_225_600.0]  # 01/01/2026 00:00 UTC, 07:00 in Kon Tum
    monkeypatch.setattr(
        figures_cache,
        "time",
        SimpleNamespace(time=lambda: clock[0], sleep=time.sleep, monotonic=time.monotonic),
    )
    computed = []
    page = views.dashboard_page
    monkeypatch.setattr(views, "dashboard_page", lambda **kw: computed.append(1) or page(**kw))
    reports = Submission.objects.filter(period__year=2019, unit__level=UnitLevel.DISTRICT)
    reports.update(status=SubmissionStatus.SUBMITTED, accepted_at=None)
    progress.figures_changed()
    url, year = reverse("dashboard:home"), {"year": "2019"}
    client.force_login(leader)
    first = client.get(url, year).content.decode()
    assert _card_value(first, "LABOUR") == "no_data|None"
    assert "Số liệu trên trang này đúng đến" not in first

    clock[0] += 3
    for report in reports:  # the Board accepts them one by one
        report.status = SubmissionStatus.ACCEPTED
        report.accepted_at = "2020-01-10T00:00Z"
        report.save(update_fields=["status", "accepted_at"])
    computed.clear()
    reloads = [client.get(url, year).content.decode() for _ in range(3)]

    # Three seconds after the copy: the same copy, saying it is behind and since when.
    assert computed == []
    for behind in reloads:
        assert _card_value(behind, "LABOUR") == "no_data|None"
        assert "Số liệu trên trang này đúng đến 07:00:00" in behind
        assert "trong vòng 10 giây" in behind
    # The Board, who accept, see their acceptance at once.
    client.force_login(board_staff)
    board = client.get(url, year).content.decode()
    assert _card_value(board, "LABOUR") != "no_data|None"
    assert "Số liệu trên trang này đúng đến" not in board

    # Ten seconds after the copy: recomputed once, with every acceptance, and no note.
    clock[0] += 7
    client.force_login(leader)
    computed.clear()
    later = [client.get(url, year).content.decode() for _ in range(2)]
    assert computed == [1]
    for current in later:
        assert _card_value(current, "LABOUR") == _card_value(board, "LABOUR")
        assert "Số liệu trên trang này đúng đến" not in current


def test_a_leaders_page_whose_last_copy_is_gone_is_computed_again():
    first = progress.computed_recently(
        "page:latest", "page:v1", lambda: "v1", timeout=60, fresh_for=10
    )
    assert first == ("v1", None)
    cache.delete("page:v1")  # evicted, or Redis restarted empty

    # The figures moved within the 10 seconds, but there is no copy left to show.
    second = progress.computed_recently(
        "page:latest", "page:v2", lambda: "v2", timeout=60, fresh_for=10
    )

    assert second == ("v2", None)


def test_while_one_leader_recomputes_a_copy_that_is_behind_the_others_get_that_copy_at_once():
    first = progress.computed_recently(
        "page:latest", "page:v1", lambda: "v1", timeout=60, fresh_for=0.2
    )
    assert first == ("v1", None)
    time.sleep(0.25)  # the copy is now older than the leaders' refresh interval
    started, release = threading.Event(), threading.Event()

    def slow_v2() -> str:
        started.set()
        release.wait(10)  # computing until the second leader has had its page
        return "v2"

    results: dict[str, tuple[str, float | None]] = {}
    recomputing = threading.Thread(
        target=lambda: results.update(
            first=progress.computed_recently(
                "page:latest", "page:v2", slow_v2, timeout=60, fresh_for=0.2
            )
        )
    )
    recomputing.start()
    assert started.wait(5)

    # A second leader while the first one's request recomputes: the copy it had, saying since
    # when its figures were current, at once; it neither waits nor computes the page again.
    value, behind_since = progress.computed_recently(
        "page:latest", "page:v3", lambda: pytest.fail("computed twice"), timeout=60, fresh_for=0.2
    )
    still_computing = recomputing.is_alive()
    release.set()
    recomputing.join()

    assert (value, still_computing) == ("v1", True)
    assert behind_since is not None
    assert results["first"] == ("v2", None)
    # Once it is done, the next leader gets the new copy.
    assert progress.computed_recently(
        "page:latest", "page:v2", lambda: pytest.fail("computed again"), timeout=60, fresh_for=0.2
    ) == ("v2", None)


def test_with_no_refresh_interval_a_leader_never_gets_a_copy_behind():
    progress.computed_recently("page:latest", "page:v1", lambda: "v1", timeout=60, fresh_for=0)
    cache.add("page:latest:refreshing", 1, 20)  # as if another request were recomputing

    assert progress.computed_recently(
        "page:latest", "page:v2", lambda: "v2", timeout=60, fresh_for=0
    ) == ("v2", None)


# Recomputed after an acceptance, at any size: the session, the user and its second factor,
# the figures version and its 2-query fingerprint, the scope, campaign, years and indicators,
# 2 for the roadmaps, 7 for the engine, the statistics version, 3 for the fund, 2 for the
# completeness, 2 for the sponsorships, 2 for "as of", 3 for the first indicator's breakdown,
# the district confirmation mark and the navbar: 34 queries, one more of headroom.
RECOMPUTE_BUDGET = 35


@pytest.mark.parametrize(("districts_count", "communes_each"), [(2, 3), (30, 10)])
def test_a_dashboard_recomputed_after_an_acceptance_costs_the_same_queries_at_any_size(
    client, leader, django_assert_max_num_queries, settings, districts_count, communes_each
):
    settings.LEADERS_DASHBOARD_REFRESH_SECONDS = 0  # recomputed at once, as the Board's is
    generate(
        provinces=1,
        districts_per_province=districts_count,
        communes_per_district=communes_each,
        organisations_per_province=3,
        years=(2018, 2019),
        extra_commune_every=0,
    )
    report = Submission.objects.filter(period__year=2019, unit__level=UnitLevel.DISTRICT).first()
    report.status = SubmissionStatus.SUBMITTED
    report.save(update_fields=["status"])
    client.force_login(leader)
    assert client.get(reverse("dashboard:home"), {"year": "2019"}).status_code == 200

    report.status = SubmissionStatus.ACCEPTED  # the Board accepts it: the figures move
    report.save(update_fields=["status"])
    with django_assert_max_num_queries(RECOMPUTE_BUDGET):
        response = client.get(reverse("dashboard:home"), {"year": "2019"})
    assert response.status_code == 200


def test_a_dashboard_recomputed_after_an_acceptance_does_not_render_the_statistics_tables_again(
    client, leader, province, settings
):
    settings.LEADERS_DASHBOARD_REFRESH_SECONDS = 0  # recomputed at once, as the Board's is
    report = Submission.objects.filter(period__year=2019, unit__level=UnitLevel.DISTRICT).first()
    report.status = SubmissionStatus.SUBMITTED
    report.save(update_fields=["status"])
    client.force_login(leader)
    first = client.get(reverse("dashboard:home"), {"year": "2019"})
    assert "reports/_dashboard_groups.html" in [t.name for t in first.templates]

    report.status = SubmissionStatus.ACCEPTED
    report.save(update_fields=["status"])
    again = client.get(reverse("dashboard:home"), {"year": "2019"})

    shown = [t.name for t in again.templates]
    assert "reports/_dashboard_body.html" in shown  # the report figures were computed again
    assert "reports/_dashboard_groups.html" not in shown
    assert "reports/_deprivation.html" not in shown
    html = again.content.decode()
    assert 'id="groups"' in html and 'id="falling-back"' in html and 'id="deprivation"' in html
    assert html.count('id="groups"') == first.content.decode().count('id="groups"')
