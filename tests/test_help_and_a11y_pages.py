"""Help beside every indicator (the Board writes it), compressed pages, and the accessible page
frame: skip link, one navbar with grouped menus, errors and help tied to their fields."""

import gzip

import pytest
from django.urls import reverse

from campaigns import services as campaign_services
from campaigns.models import ReportingPeriod
from indicators.help_texts import HELP_3198
from indicators.models import Indicator
from indicators.services import reference_data_seed
from tests.factories import PeriodFactory
from tests.report_setup import IN_2019, post_data, year_build

pytestmark = pytest.mark.django_db

HELP_URL = reverse("board:help")


@pytest.fixture
def seeded(db):
    reference_data_seed()
    return Indicator.objects.order_by("order")


def test_the_seed_gives_each_target_its_meaning_and_legal_source_by_article(seeded):
    help_of = {i.code: i for i in seeded}
    assert set(help_of) == set(HELP_3198)
    assert all(i.help_definition and i.legal_source and i.description for i in seeded)
    assert "QĐ-TTg" in help_of["ROAD"].legal_source
    assert "1980/QĐ-TTg" in help_of["ROAD"].legal_source
    assert "Tiêu chí số 2" in help_of["ROAD"].legal_source
    assert "Tiêu chí số 5" in help_of["SCHOOL"].legal_source
    assert "Tiêu chí số 6" in help_of["CULTURE"].legal_source
    assert "Tiêu chí số 15" in help_of["HEALTH"].legal_source
    assert "59/2015/QĐ-TTg" in help_of["INCOME"].legal_source
    assert "Điều 2" in help_of["ESCAPE"].legal_source


def test_reseeding_keeps_the_help_the_board_wrote(seeded):
    Indicator.objects.filter(code="ROAD").update(legal_source="Văn bản của Ban")
    Indicator.objects.filter(code="EDU").update(help_definition="")

    reference_data_seed()

    assert Indicator.objects.get(code="ROAD").legal_source == "Văn bản của Ban"
    assert Indicator.objects.get(code="EDU").help_definition == HELP_3198["EDU"]["help_definition"]


def test_the_board_rewrites_an_indicators_help(client, board_staff, seeded):
    PeriodFactory(campaign=seeded[0].campaign, year=2019)
    road = Indicator.objects.get(code="ROAD")
    client.force_login(board_staff)
    page = client.get(HELP_URL).content.decode()
    assert road.name in page and "1980/QĐ-TTg" in page

    response = client.post(
        HELP_URL,
        {
            "indicator": road.pk,
            f"help-{road.pk}-help_definition": "  Đường đến trung tâm xã đi được quanh năm. ",
            f"help-{road.pk}-description": "Số xã đạt ÷ số xã có số liệu.",
            f"help-{road.pk}-legal_source": "QĐ 1980/QĐ-TTg, Tiêu chí số 2, chỉ tiêu 2.1",
        },
    )

    assert response.status_code == 302
    road.refresh_from_db()
    assert road.help_definition == "Đường đến trung tâm xã đi được quanh năm."
    assert road.legal_source == "QĐ 1980/QĐ-TTg, Tiêu chí số 2, chỉ tiêu 2.1"


def test_leaders_read_the_help_but_cannot_change_it(client, leader, seeded):
    PeriodFactory(campaign=seeded[0].campaign, year=2019)
    road = Indicator.objects.get(code="ROAD")
    client.force_login(leader)
    page = client.get(HELP_URL).content.decode()
    assert "<textarea" not in page
    assert "1980/QĐ-TTg" in page

    response = client.post(HELP_URL, {"indicator": road.pk, f"help-{road.pk}-legal_source": "Đổi"})

    assert response.status_code == 403
    road.refresh_from_db()
    assert road.legal_source != "Đổi"


@pytest.mark.parametrize("persona", ["unit_officer", "admin_user"])
def test_others_have_no_help_editor(client, request, persona):
    PeriodFactory(year=2019)
    client.force_login(request.getfixturevalue(persona))
    assert client.get(HELP_URL).status_code == 403


def test_the_officers_fields_point_at_the_indicators_help(client, unit_officer, time_machine):
    time_machine.move_to(IN_2019, tick=False)
    year = year_build(unit_officer)
    Indicator.objects.filter(pk=year.labour.pk).update(
        help_definition="Lao động có chứng chỉ nghề.", legal_source="QĐ 1980/QĐ-TTg, chỉ tiêu 14.3"
    )
    client.force_login(unit_officer)
    page = client.get(reverse("report:form", args=[year.period.pk])).content.decode()

    assert 'aria-describedby="help-LABOUR"' in page
    assert 'id="help-LABOUR"' in page
    assert '<details class="app-help small">' in page
    assert "QĐ 1980/QĐ-TTg, chỉ tiêu 14.3" in page
    # A phone keyboard with digits for numbers.
    assert 'inputmode="numeric"' in page


def test_a_refused_field_is_marked_invalid_and_described_by_its_error(
    client, unit_officer, time_machine
):
    time_machine.move_to(IN_2019, tick=False)
    year = year_build(unit_officer)
    client.force_login(unit_officer)
    submission = campaign_services.submission_get_or_new(period=year.period, unit=year.unit)

    response = client.post(
        reverse("report:form", args=[year.period.pk]),
        post_data(year, submission, fund_mobilised_vnd="hai trăm"),
    )

    page = response.content.decode()
    assert response.status_code == 422
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_fund_mobilised_vnd-error"' in page
    assert 'id="id_fund_mobilised_vnd-error"' in page


def test_pages_are_sent_compressed_to_browsers_that_accept_it(client, unit_officer):
    client.force_login(unit_officer)

    plain = client.get("/")
    packed = client.get("/", headers={"Accept-Encoding": "gzip, deflate, br"})

    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    body = gzip.decompress(packed.content).decode()
    assert body.startswith("<!doctype html>")
    assert len(packed.content) < len(plain.content) / 2


def test_every_page_has_a_skip_link_an_icon_and_no_favicon_404(client):
    page = client.get(reverse("login")).content.decode()
    assert '<a class="skip-link" href="#main">' in page
    assert 'id="main"' in page
    assert 'rel="icon"' in page


@pytest.mark.parametrize(
    ("persona", "present", "absent"),
    [
        ("unit_officer", ["/documents/"], ["/board/", "/import/", "/dashboard/"]),
        ("leader", ["/board/", "/dashboard/", "/documents/"], ["/import/", "/board/help/"]),
        ("board_staff", ["/board/", "/board/help/", "/dashboard/"], ["/import/"]),
        ("admin_user", ["/import/", "/dashboard/"], ["/board/help/"]),
    ],
)
def test_the_navbar_groups_each_roles_own_pages(client, request, persona, present, absent):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(reverse("password_change")).content.decode()
    navbar = page[page.index('<nav class="navbar') : page.index("</nav>")]

    for href in present:
        assert f'href="{href}"' in navbar, href
    for href in absent:
        assert f'href="{href}"' not in navbar, href


def test_the_boards_year_pages_link_to_the_other_years(client, board_staff):
    period = PeriodFactory(year=2019)
    earlier = PeriodFactory(campaign=period.campaign, year=2018)
    assert ReportingPeriod.objects.count() == 2
    client.force_login(board_staff)

    for name in ("ranking", "awards", "year", "coverage", "roadmap"):
        page = client.get(reverse(f"board:{name}", args=[period.pk])).content.decode()
        assert f'href="{reverse(f"board:{name}", args=[earlier.pk])}"' in page, name
