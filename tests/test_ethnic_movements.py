"""Ethnic-minority households that escaped poverty, became newly poor or fell back into poverty:
imported from real workbooks (the template and the published layout), checked against the
counts for all households, and set against all households in the groups the campaign names."""

import io

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from indicators.imports import services
from indicators.imports.layout import find_layout
from indicators.imports.problems import message
from indicators.imports.reader import open_sheets
from indicators.imports.template import HEADER_ROW, build_template
from indicators.models import CommuneStatistics, ImportState
from indicators.progress.groups import Group, poverty_by_group
from tests.factories import (
    CampaignFactory,
    CommuneFactory,
    CommuneStatisticsFactory,
    DistrictFactory,
    ProvinceFactory,
)
from tests.fixtures.import_files import (
    kon_tum_communes,
    simple_file,
    template_row,
    upload,
    workbook_bytes,
)

pytestmark = pytest.mark.django_db

MOVEMENTS = (
    "escaped_poverty_ethnic_minority",
    "newly_poor_ethnic_minority",
    "fell_back_ethnic_minority",
)


@pytest.fixture
def communes():
    return kon_tum_communes()


def previewed(content: bytes, user):
    return services.batch_preview(
        batch=services.batch_create(upload=upload(content), year=2019, by=user)
    )


def stored(code: str) -> tuple:
    stats = CommuneStatistics.objects.get(commune__code=code, year=2019)
    return tuple(getattr(stats, name) for name in MOVEMENTS)


# --- Import -------------------------------------------------------------------------------------


def test_the_template_has_the_three_ethnic_minority_columns():
    sheet = load_workbook(io.BytesIO(build_template(year=2019))).active
    headers = [cell.value for cell in sheet[HEADER_ROW]]

    assert {
        "Số hộ DTTS thoát nghèo",
        "Số hộ nghèo DTTS phát sinh mới",
        "Số hộ DTTS tái nghèo",
    } <= set(headers)


def test_the_template_columns_import_and_a_blank_stays_not_reported(communes, admin_user):
    figures = {
        "total_households": 900,
        "poor_households": 200,
        "escaped_poverty": 40,
        "newly_poor": 6,
        "fell_back": 3,
    }
    content = simple_file(
        [
            template_row(
                "23287",
                "",
                **figures,
                escaped_poverty_ethnic_minority=35,
                newly_poor_ethnic_minority=5,
                fell_back_ethnic_minority=0,
            ),
            # Ethnic-minority escapes given, the other two left blank.
            template_row("23290", "", **figures, escaped_poverty_ethnic_minority=12),
        ]
    )
    batch = previewed(content, admin_user)
    assert batch.state == ImportState.PREVIEWED, batch.refusal
    assert batch.errors == []
    services.batch_confirm(batch=batch, by=admin_user, token=batch.confirm_token, background=False)

    assert stored("23287") == (35, 5, 0)
    assert stored("23290") == (12, None, None)


def test_the_published_layout_reads_of_which_ethnic_minority_under_each_movement(
    communes, admin_user
):
    header = [
        ["Mã xã", "Tên xã", "Tổng số hộ", "Hộ nghèo", None, "Số hộ thoát nghèo trong năm", None]
        + ["Hộ nghèo phát sinh mới", None, "Hộ tái nghèo", None],
        [None, None, None, "Tổng số", "Trong đó hộ DTTS", "Tổng số", "Trong đó hộ DTTS"]
        + ["Tổng số", "Trong đó hộ DTTS", "Tổng số", "Trong đó hộ DTTS"],
    ]
    title = [["KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2019"], []]
    content = workbook_bytes(
        [*header, ["23320", "Xã Đắk Ang", 1200, 300, 280, 60, 55, 9, 8, 4, 4]], title_rows=title
    )

    # Read as the import reads it: the header row stops at "Hộ tái nghèo", merged over the
    # last two columns.
    sheets = open_sheets(io.BytesIO(content))
    layout = find_layout(list(next(sheets).rows))
    assert {name: layout.columns[name] for name in MOVEMENTS} == {
        "escaped_poverty_ethnic_minority": 6,
        "newly_poor_ethnic_minority": 8,
        "fell_back_ethnic_minority": 10,
    }
    batch = previewed(content, admin_user)
    assert batch.errors == [], batch.errors
    services.batch_confirm(batch=batch, by=admin_user, token=batch.confirm_token, background=False)
    assert stored("23320") == (55, 8, 4)


@pytest.mark.parametrize(
    ("field", "whole"),
    [
        ("escaped_poverty_ethnic_minority", "escaped_poverty"),
        ("newly_poor_ethnic_minority", "newly_poor"),
        ("fell_back_ethnic_minority", "fell_back"),
    ],
)
def test_more_ethnic_minority_movements_than_all_households_is_a_row_error(
    communes, admin_user, field, whole
):
    content = simple_file(
        [
            template_row(
                "23287", "", total_households=500, poor_households=80, **{whole: 4, field: 5}
            )
        ]
    )
    batch = previewed(content, admin_user)

    (error,) = batch.errors
    assert (error["code"], error["field"]) == ("above_group", field)
    with translation.override("vi"):
        shown = message(error["code"], error["params"])
    assert "DTTS" in shown and "(5)" in shown and "(4)" in shown
    with translation.override("en"):
        assert "cannot be more than" in message(error["code"], error["params"])
    assert not CommuneStatistics.objects.exists()


# --- The groups ---------------------------------------------------------------------------------


@pytest.fixture
def place():
    """District A: two communes, one of which gave no ethnic-minority re-poverty; district B: a
    commune that gave no ethnic-minority counts at all."""
    province = ProvinceFactory()
    a = DistrictFactory(parent=province, name="Huyện A")
    b = DistrictFactory(parent=province, name="Huyện B")
    common = {"year": 2019, "poor_ethnic_minority_households": 100}
    CommuneStatisticsFactory(
        commune=CommuneFactory(parent=a),
        total_households=1000,
        poor_households=300,
        ethnic_minority_households=800,
        escaped_poverty=50,
        newly_poor=20,
        fell_back=10,
        escaped_poverty_ethnic_minority=45,
        newly_poor_ethnic_minority=18,
        fell_back_ethnic_minority=9,
        **common,
    )
    CommuneStatisticsFactory(
        commune=CommuneFactory(parent=a),
        total_households=500,
        poor_households=100,
        ethnic_minority_households=200,
        escaped_poverty=30,
        newly_poor=5,
        fell_back=1,
        escaped_poverty_ethnic_minority=20,
        newly_poor_ethnic_minority=5,
        fell_back_ethnic_minority=None,
        **common,
    )
    CommuneStatisticsFactory(
        commune=CommuneFactory(parent=b),
        year=2019,
        total_households=2000,
        poor_households=100,
        escaped_poverty=40,
        newly_poor=2,
        fell_back=2,
    )
    return {"province": province, "a": a, "b": b}


def test_ethnic_minority_movements_against_all_households(place):
    campaign = CampaignFactory(coverage_threshold=0)
    groups = poverty_by_group(campaign=campaign, scope=place["province"], year=2019)

    em, everyone = groups.scope.pair(Group.ETHNIC_MINORITY, Group.ALL)
    assert (em.escaped, em.newly_poor, em.fell_back) == (65, 23, 9)
    assert (everyone.escaped, everyone.newly_poor, everyone.fell_back) == (120, 27, 13)
    # 23 newly poor and 9 fallen back of 1 000 ethnic-minority households.
    assert (em.new_poverty_rate, em.re_poverty_rate) == (2.3, 0.9)
    assert (em.coverage.reported, em.coverage.expected) == (2, 3)

    a, b = groups.districts
    assert (a.figures[Group.ETHNIC_MINORITY].escaped, a.figures[Group.ALL].escaped) == (65, 80)
    # No commune of B gave ethnic-minority counts: not reported, never zero.
    b_em = b.figures[Group.ETHNIC_MINORITY]
    assert (b_em.escaped, b_em.newly_poor, b_em.fell_back) == (None, None, None)
    assert b.figures[Group.ALL].escaped == 40


def test_below_the_minimum_coverage_the_ethnic_minority_rates_are_withheld(place):
    campaign = CampaignFactory(coverage_threshold=80)
    groups = poverty_by_group(campaign=campaign, scope=place["province"], year=2019)

    em = groups.scope.figures[Group.ETHNIC_MINORITY]
    assert em.not_enough_data  # 2 of 3 communes
    assert (em.new_poverty_rate, em.re_poverty_rate) == (None, None)


@pytest.fixture
def _fresh_cache(settings):
    settings.PROGRESS_CACHE_CHECK_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


@pytest.mark.usefixtures("_fresh_cache")
def test_the_dashboard_shows_the_ethnic_minority_movements(client, leader, place):
    CampaignFactory(coverage_threshold=0)
    client.force_login(leader)

    html = client.get(reverse("dashboard:home"), {"year": 2019}).content.decode()

    section = html[html.index('data-group="ethnic_minority"') :]
    row = section[section.index('data-scope-group="ethnic_minority"') :]
    row = row[: row.index("</tr>")]
    cells = [part.split("</td>")[0].strip() for part in row.split('<td class="num">')[1:]]
    assert cells[2:5] == ["65", "23", "9"]
    assert "n/c" not in html and "k.t." not in html
