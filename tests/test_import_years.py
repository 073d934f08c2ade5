"""The import year follows the campaign: its open year by default, every year on offer."""

import re

import pytest
from django.urls import reverse

from campaigns.models import PeriodState
from indicators.imports import selectors
from tests.factories import CampaignFactory, PeriodFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    campaign = CampaignFactory(first_year=2018, last_year=2020)
    PeriodFactory(campaign=campaign, year=2018, state=PeriodState.CLOSED)
    PeriodFactory(campaign=campaign, year=2019, state=PeriodState.OPEN)
    return campaign


def test_the_upload_form_defaults_to_the_open_campaign_year(client, admin_user, campaign):
    client.force_login(admin_user)
    response = client.get(reverse("indicators:import-upload"))

    assert response.context["form"].initial["year"] == 2019
    assert 'name="year" id="id_year"' in response.content.decode()
    assert 'value="2019"' in response.content.decode()


def test_without_an_open_year_the_default_is_the_campaigns_last_year(campaign):
    campaign.periods.update(state=PeriodState.CLOSED)
    assert selectors.default_import_year() == 2020


def test_the_template_and_export_offer_every_campaign_year(client, admin_user, campaign):
    client.force_login(admin_user)
    html = client.get(reverse("indicators:import-upload")).content.decode()
    select = html[html.index('id="template-year"') : html.index("</select>")]

    assert [int(y) for y in re.findall(r'<option value="(\d+)"', select)] == [
        2020,
        2019,
        2018,
    ]
    assert '<option value="2019" selected>' in select
    exports = html[html.index('id="statistics-exports"') :]
    for year in (2018, 2019, 2020):
        assert reverse("indicators:statistics-export", args=[year, "xlsx"]) in exports
        assert reverse("indicators:statistics-export", args=[year, "csv"]) in exports


def test_the_template_of_any_offered_year_downloads(client, admin_user, campaign):
    client.force_login(admin_user)
    response = client.get(reverse("indicators:import-template"), {"year": 2018})
    assert response.status_code == 200
    assert "mau-so-lieu-xa-2018.xlsx" in response["Content-Disposition"]
