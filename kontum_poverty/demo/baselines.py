"""Demo baselines: an illustrative 2017 starting point for each of the eight targets.

They let the demo draw roadmaps and compute 2018's income growth. The source document says
plainly that the figures are made up; a baseline that already exists is never touched.
"""

from datetime import date
from decimal import Decimal

from indicators.models import Baseline, BaselineChange
from kontum_poverty.demo.context import DemoContext, local_time
from units.services import counts_add

DEMO_BASELINE_SOURCE = "Số liệu minh họa (demo), không phải số liệu chính thức"
# Percent of communes, of households or of people in 2017; INCOME in VND per household.
DEMO_BASELINES = {
    "ROAD": Decimal(70),
    "SCHOOL": Decimal(62),
    "HEALTH": Decimal(58),
    "INCOME": Decimal(18_500_000),
    "ESCAPE": Decimal(8),
    "LABOUR": Decimal(40),
    "EDU": Decimal(60),
    "CULTURE": Decimal(35),
}


def baselines_load(context: DemoContext) -> None:
    """A province-wide 2017 baseline for every indicator that has none, set by the demo Board."""
    board = context.users["board"]
    at = local_time(date(2018, 1, 15))
    year = context.campaign.first_year - 1  # the year before the first report: 2017
    existing = set(
        Baseline.objects.filter(scope__isnull=True).values_list("indicator_id", flat=True)
    )
    created = []
    for code, value in DEMO_BASELINES.items():
        indicator = context.indicators.get(code)
        if indicator is None or indicator.pk in existing:
            continue
        fields = {"year": year, "value": value, "source_document": DEMO_BASELINE_SOURCE}
        created.append(Baseline(indicator=indicator, scope=None, set_by=board, set_at=at, **fields))
        BaselineChange.objects.create(
            indicator=indicator, scope=None, set_by=board, set_at=at, **fields
        )
    Baseline.objects.bulk_create(created)
    counts_add(context.counts, Baseline._meta.label_lower, {"created": len(created)})
