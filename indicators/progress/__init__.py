"""The progress engine: the value of any indicator for any scope and year, against its target.

Every figure is aggregated by PostgreSQL in a fixed number of grouped queries (one per kind of
source), never by looping over units in Python, so a page costs the same whatever the number of
communes. Where figures come from:

- share of communes (ROAD, SCHOOL, HEALTH, CULTURE): official commune statistics, which count
  without Board acceptance; communes meeting ÷ communes with data, the others shown as missing;
- rates reported by districts (LABOUR, EDU): sum of numerators ÷ sum of denominators;
- model results: ESCAPE = escaped ÷ participating households; INCOME = each model's average
  income against its previous year, weighted by participating households; the first year after
  the Board's baseline (2017 for this campaign) is measured against that baseline
  (`baselines.py`).

Submission-derived figures count only when the Board accepted the submission; Board staff may
include submitted-but-not-accepted ones, which are then counted in `unaccepted_reports`. The
Board's review page reads one report alone by the same rules (`report_figures`).

Coverage: every figure says how many of the units its denominator counts gave data ("34/102
xã"): communes only (ROAD, SCHOOL), communes, wards and towns (HEALTH, CULTURE, poverty), districts
(LABOUR, EDU), or units running a model (INCOME, ESCAPE). Below the campaign's minimum coverage
(set by the Board) a figure is withheld, in the trend too: "Chưa đủ số liệu (4/102 xã)".

Status rules, in order: no value → no data; below the minimum coverage → not enough data; partial
coverage → provisional ("Tạm tính"): a target is "achieved" only on complete data; target met →
achieved; target year reached and not met → off track; the year's milestone missed → behind the
roadmap (milestones are the Board's, else derived by `roadmap.py` in a straight line from the
baseline); otherwise on track when the linear trend projected to the target year reaches the
target, at risk when it does not (or there is nothing to judge by). A strict target ("trên 52 %")
is met only above its value. ESCAPE ("bình quân mỗi năm …") is judged on the average of the
years so far.

Cached pages call `figures_key()`; whoever changes figures (the Board accepting a report, an
admin importing commune statistics or editing targets) calls `figures_changed()`. What is computed
from commune statistics alone is cached under `statistics_key()`, which a report's own changes
(`figures_changed(reports_only=True)`) leave as it is.
"""

from indicators.progress.cache import (
    computed_once,
    computed_recently,
    connect_receivers,
    figures_changed,
    figures_key,
    statistics_key,
)
from indicators.progress.deprivation import (
    DeprivationChild,
    DeprivationFigure,
    DeprivationYear,
    ServiceShare,
    deprivation_by_child,
    deprivation_by_year,
    deprivation_this_year,
)
from indicators.progress.engine import (
    campaign_indicators,
    indicator_progress,
    progress_by_child,
    progress_overview,
    progress_status,
)
from indicators.progress.fund import (
    FundChild,
    FundCoverage,
    FundFigures,
    fund_by_child,
    fund_by_year,
    fund_by_year_and_child,
)
from indicators.progress.report import report_figures, report_model_results
from indicators.progress.results import (
    MODEL_RATE_CODES,
    MODEL_SOURCES,
    SHARE_FIELDS,
    ChildProgress,
    Coverage,
    Overview,
    PovertyFigures,
    Progress,
    Source,
    SourceRow,
    Status,
    Target,
    YearValue,
    income_growth,
    indicator_source,
    poverty_rate,
)
from indicators.progress.scopes import child_units, communes_in_scope, unit_subtree_q
from indicators.progress.sources import figures_as_of, progress_sources

__all__ = [
    "MODEL_RATE_CODES",
    "MODEL_SOURCES",
    "SHARE_FIELDS",
    "ChildProgress",
    "Coverage",
    "DeprivationChild",
    "DeprivationFigure",
    "DeprivationYear",
    "FundChild",
    "FundCoverage",
    "FundFigures",
    "ServiceShare",
    "Overview",
    "PovertyFigures",
    "Progress",
    "Source",
    "SourceRow",
    "Status",
    "Target",
    "YearValue",
    "campaign_indicators",
    "child_units",
    "communes_in_scope",
    "computed_once",
    "computed_recently",
    "connect_receivers",
    "deprivation_by_child",
    "deprivation_by_year",
    "deprivation_this_year",
    "figures_as_of",
    "figures_changed",
    "figures_key",
    "fund_by_child",
    "fund_by_year",
    "fund_by_year_and_child",
    "indicator_progress",
    "income_growth",
    "indicator_source",
    "poverty_rate",
    "progress_by_child",
    "progress_overview",
    "progress_sources",
    "poverty_rate",
    "progress_status",
    "report_figures",
    "report_model_results",
    "statistics_key",
    "unit_subtree_q",
]
