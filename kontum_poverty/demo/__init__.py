"""Demo data for a laptop: logins, commune figures, models, registrations and reports of 2018–2019,
illustrative 2017 baselines for the roadmaps, and drafts of the Board's review reports.

Every figure is made up, and every row is marked `is_demo` where its model has the flag. Nothing
here overwrites a row that already exists: a commune or unit with real figures for a year keeps
them, and a rerun creates nothing. Random values come from generators seeded with 2017 and the
row's own key, so a row gets the same values on every run, whatever else the database holds.
"""

from django.db import transaction

from campaigns.models import Campaign
from campaigns.services import CAMPAIGN_3198_NUMBER
from indicators.services import reference_data_seed
from kontum_poverty.demo.baselines import baselines_load
from kontum_poverty.demo.context import (
    DEMO_ENTERPRISE_CODE,
    DEMO_PASSWORD,
    DEMO_YEARS,
    context_build,
)
from kontum_poverty.demo.figures import commune_statistics_load, poverty_models_load
from kontum_poverty.demo.narratives import narratives_load
from kontum_poverty.demo.people import users_load
from kontum_poverty.demo.reports import extensions_load, registrations_load, submissions_load
from units.services import Counts

__all__ = ["DEMO_ENTERPRISE_CODE", "DEMO_PASSWORD", "DEMO_YEARS", "demo_load"]


@transaction.atomic
def demo_load() -> Counts:
    """Load the demo data set, seeding the reference data first when the campaign is missing."""
    counts: Counts = {}
    if not Campaign.objects.filter(number=CAMPAIGN_3198_NUMBER).exists():
        counts = reference_data_seed()
    context = context_build(counts=counts)
    users_load(context)
    commune_statistics_load(context)
    registrations_load(context)
    submissions = submissions_load(context)
    poverty_models_load(context, submissions=submissions)
    extensions_load(context)
    baselines_load(context)
    narratives_load(context)
    return context.counts
