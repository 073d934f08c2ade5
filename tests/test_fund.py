"""The "For the Poor" fund: money mobilised in accepted reports against the pledges, by year and
by district, with coverage; the same totals on the dashboard, its export and the province report.
"""

import io
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from indicators import progress
from reports import selectors
from reports.documents import document_for
from reports.pdf import render_with_annex
from tests.factories import (
    CampaignFactory,
    CommuneFactory,
    DepartmentFactory,
    DistrictFactory,
    PeriodFactory,
    ProvinceFactory,
    RegistrationFactory,
    SubmissionFactory,
)
from tests.pdf_tools import pdf_page_texts
from tests.report_setup import day

pytestmark = pytest.mark.django_db

MILLION = 1_000_000


@pytest.fixture
def fund_years():
    """Two districts, a commune and a department; 2018 and 2019 with pledges and reports."""
    campaign = CampaignFactory()
    province = ProvinceFactory()
    north = DistrictFactory(parent=province, name="Huyện Đắk Glei")
    south = DistrictFactory(parent=province, name="Huyện Ngọc Hồi")
    commune = CommuneFactory(parent=north)
    department = DepartmentFactory(parent=province)
    before, period = (
        PeriodFactory(campaign=campaign, year=2018),
        PeriodFactory(campaign=campaign, year=2019),
    )
    for unit, pledge in ((north, 100), (south, 50), (department, 20)):
        RegistrationFactory(period=period, unit=unit, fund_pledge_vnd=pledge * MILLION)
    RegistrationFactory(period=before, unit=north, fund_pledge_vnd=80 * MILLION)
    SubmissionFactory(period=period, unit=north, accepted=True, fund_mobilised_vnd=60 * MILLION)
    SubmissionFactory(period=period, unit=commune, accepted=True, fund_mobilised_vnd=5 * MILLION)
    # Not yet accepted, and accepted without the figure: neither counts as money.
    SubmissionFactory(period=period, unit=south, submitted=True, fund_mobilised_vnd=30 * MILLION)
    SubmissionFactory(period=period, unit=department, accepted=True, fund_mobilised_vnd=None)
    SubmissionFactory(period=before, unit=north, accepted=True, fund_mobilised_vnd=70 * MILLION)
    return {"campaign": campaign, "province": province, "north": north, "south": south}


def test_the_province_fund_counts_accepted_reports_against_pledges_year_by_year(fund_years):
    last, this = progress.fund_by_year(
        campaign=fund_years["campaign"], scope=fund_years["province"], years=[2018, 2019]
    )

    assert (last.year, last.mobilised_vnd, last.pledged_vnd) == (2018, 70 * MILLION, 80 * MILLION)
    assert (this.mobilised_vnd, this.pledged_vnd) == (65 * MILLION, 170 * MILLION)
    assert (this.reports, this.registered) == (2, 3)
    assert this.share_of_pledges == 38.24  # 65 of 170 millions
    with translation.override("en"):
        assert str(this.coverage) == "2/3 registered units"


def test_board_staff_may_count_the_submitted_reports_too(fund_years):
    (this,) = progress.fund_by_year(
        campaign=fund_years["campaign"],
        scope=fund_years["province"],
        years=[2019],
        include_submitted=True,
    )
    assert (this.mobilised_vnd, this.reports, this.unaccepted_reports) == (95 * MILLION, 3, 1)


def test_each_district_counts_its_communes_and_the_province_units_have_a_line(fund_years):
    rows = progress.fund_by_child(
        campaign=fund_years["campaign"], scope=fund_years["province"], year=2019
    )
    by_name = {row.name: row.figures for row in rows}

    north, south = by_name["Huyện Đắk Glei"], by_name["Huyện Ngọc Hồi"]
    assert (north.mobilised_vnd, north.pledged_vnd, north.reports) == (
        65 * MILLION,
        100 * MILLION,
        2,
    )
    assert (south.pledged_vnd, south.reports) == (50 * MILLION, 0)
    # Its only report is not accepted yet: the money is unknown, not nothing.
    assert not south.has_figure
    assert south.share_of_pledges is None
    own = rows[-1]
    assert own.unit_id is None
    assert (own.figures.mobilised_vnd, own.figures.pledged_vnd) == (0, 20 * MILLION)
    assert sum(r.figures.mobilised_vnd for r in rows) == 65 * MILLION


def test_a_district_fund_is_its_own_and_its_communes(fund_years):
    (this,) = progress.fund_by_year(
        campaign=fund_years["campaign"], scope=fund_years["north"], years=[2019]
    )
    assert (this.mobilised_vnd, this.pledged_vnd) == (65 * MILLION, 100 * MILLION)


def test_the_dashboard_card_and_the_fund_section_give_one_total(fund_years):
    totals = selectors.fund_totals(
        campaign=fund_years["campaign"], year=2019, scope=fund_years["province"]
    )
    section = selectors.fund_section(
        campaign=fund_years["campaign"], scope=fund_years["province"], year=2019
    )
    assert section.this_year is not None
    assert totals.mobilised_vnd == section.this_year.mobilised_vnd == 65 * MILLION
    assert totals.pledged_vnd == section.this_year.pledged_vnd == 170 * MILLION


def test_dashboard_export_and_province_report_show_the_same_fund(
    client, leader, fund_years, time_machine
):
    time_machine.move_to(day(2020, 2, 5), tick=False)
    cache.clear()
    province = fund_years["province"]
    client.force_login(leader)
    html = client.get(reverse("dashboard:home"), {"year": 2019}).content.decode()
    export = client.get(reverse("dashboard:export", args=[province.pk, "fund"]), {"year": 2019})
    with translation.override("vi"):
        doc = document_for(kind="province", params={"year": 2019, "date": "2020-02-05"})
        pdf = " ".join(pdf_page_texts(render_with_annex(doc.main_html(), doc.annex()).content))

    section = html[html.index('id="fund"') :]
    line = section[section.index('data-year="2019"') :]
    assert re.search(r'data-col="mobilised">65\.000\.000<', line)
    assert re.search(r'data-col="pledged">170\.000\.000<', line)
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    province_line = next(r for r in rows if r[0] == 2019 and r[1] == province.code)
    assert province_line[3:5] == (65 * MILLION, 170 * MILLION)
    assert "Quỹ “Vì người nghèo” so với đăng ký ủng hộ" in pdf
    assert re.search(r"2019 65\.000\.000 170\.000\.000 38,2 2/3 đơn vị đăng ký", pdf), pdf
    assert re.search(r"Huyện Đắk Glei 65\.000\.000 100\.000\.000 65,0", pdf)
