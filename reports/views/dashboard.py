"""The leaders' dashboard, its .xlsx exports and the data behind a figure.

Rendered dashboard bodies are cached. The key holds everything that changes what a page shows:
who may see what (all units with or without the Board's switch, or one officer's unit), the
scope, year, indicator, whether unaccepted reports are included, the language and
`progress.figures_key()`, which moves when the Board accepts a report or an admin imports.
Access is checked before an entry is first stored, and an officer's entries carry the officer's
unit, so no one is served a page they could not get.

A missing page is computed by one request while others asking for it wait for its copy
(`progress.computed_once`). Sections read from commune statistics alone (groups, falling back
into poverty, deprivation) are cached apart, under `progress.statistics_key()`, which reports
being sent or accepted do not move: at the deadline a page is recomputed again and again, those
sections are not, and their rendered tables are kept under the same key (with the scope, year,
links and language: `reports/_dashboard_body.html`).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from campaigns.models import Campaign
from indicators import progress
from indicators.imports import districts
from indicators.progress import groups as poverty_groups
from indicators.progress.roadmap import RoadmapYear
from kontum_poverty.http import AuthenticatedRequest
from reports import access, charts, exports, selectors
from units import access as roles
from units.models import Unit, UnitLevel, User

CACHE_SECONDS = 600
CODE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")
# Only a plausible year reaches a cache key: anything else shows the default year, and must
# share its entry rather than let anyone force an uncached render by varying ?year=.
YEAR = re.compile(r"^20\d\d$")


def clean_param(value: str | None, pattern: re.Pattern[str] = CODE) -> str:
    return value if value and pattern.match(value) else ""


# --- What the page shows ------------------------------------------------------------------------


@dataclass
class DashboardPage:
    title: str
    campaign: Campaign | None
    scope: Unit
    year: int
    years: list[int] = field(default_factory=list)
    trail: list[Unit] = field(default_factory=list)
    include_submitted: bool = False
    can_include_submitted: bool = False
    overview: progress.Overview | None = None
    cards: list[selectors.Card] = field(default_factory=list)
    selected: progress.Progress | None = None
    breakdown: list[progress.ChildProgress] = field(default_factory=list)
    breakdown_chart: charts.Chart | None = None
    trend_chart: charts.Chart | None = None
    poverty_chart: charts.Chart | None = None
    # The selected indicator's milestones by year, set by the Board or derived.
    roadmap: list[RoadmapYear] = field(default_factory=list)
    completeness: list[selectors.BlocCompleteness] = field(default_factory=list)
    funds: selectors.FundTotals | None = None
    deprivation: selectors.DeprivationSection | None = None
    fund: selectors.FundSection | None = None
    sponsors: list[selectors.SponsorRow] = field(default_factory=list)
    sources: list[progress.SourceRow] = field(default_factory=list)
    # The groups document 3198/UBND-TH names, and falling back into poverty by district.
    groups: poverty_groups.GroupComparison | None = None
    falling_back: list[poverty_groups.FallingBackRow] = field(default_factory=list)
    # What the sections read from commune statistics alone are cached under (with the scope,
    # year and language): their rendered tables are kept under it too.
    statistics_key: str = ""

    @property
    def falling_back_table(
        self,
    ) -> tuple[
        list[int],
        list[tuple[poverty_groups.FallingBackRow, list[poverty_groups.FallingBackYear | None]]],
    ]:
        """Years as columns, districts as rows, for the falling-back table."""
        years = poverty_groups.falling_back_years(self.falling_back)
        return years, [(row, row.by_year(years)) for row in self.falling_back]

    as_of: datetime | None = None

    @property
    def as_of_text(self) -> str:
        if self.as_of is None:
            return ""
        return formats.date_format(timezone.localtime(self.as_of), "SHORT_DATE_FORMAT")

    @cached_property
    def query(self) -> str:
        """The year and the unaccepted-reports switch, to carry across dashboard links (set
        when the page is made; read by every link of it)."""
        params = {"year": self.year}
        if self.include_submitted:
            params["submitted"] = 1
        return urlencode(params)

    @property
    def query_with_indicator(self) -> str:
        if self.selected is None:
            return self.query
        return f"{self.query}&{urlencode({'indicator': self.selected.code})}"

    @property
    def children_label(self) -> str:
        if self.scope.level == UnitLevel.PROVINCE:
            return str(_("District"))
        return str(_("Commune"))


def _statistics_sections(
    *, campaign: Campaign, scope: Unit, year: int
) -> tuple[Callable[..., Any], str]:
    """Sections computed from commune statistics, units and their flags alone, cached under
    `progress.statistics_key()`: at the deadline every submit and acceptance recomputes the
    page's report figures, not these. Returns the section getter and the statistics key."""
    statistics = progress.statistics_key()
    base = [str(campaign.pk), str(scope.pk), str(year), get_language() or "", statistics]

    def section(name: str, compute: Callable[[], Any]) -> Any:
        key = ":".join(["statistics", name, *base])
        return progress.computed_once(key, compute, timeout=CACHE_SECONDS)

    return section, statistics


def dashboard_page(
    *,
    user: User,
    unit_id: int | None,
    year: str = "",
    indicator_code: str = "",
    include_submitted: bool = False,
    with_sources: bool = False,
) -> DashboardPage:
    """Everything the dashboard shows for a scope and year, or 404 if the user may not see it."""
    scope = access.dashboard_scope(user=user, unit_id=unit_id)
    include_submitted = include_submitted and roles.sees_unaccepted_figures(user)
    campaign = selectors.current_campaign()
    trail = access.scope_trail(scope=scope, user=user)
    if campaign is None:
        return DashboardPage(title=scope.name, campaign=None, scope=scope, year=0, trail=trail)
    years = selectors.campaign_years(campaign=campaign)
    chosen = selectors.pick_year(years=years, requested=year)
    indicators = progress.campaign_indicators(campaign=campaign)
    plans = selectors.indicator_roadmaps(indicators=indicators, scope=scope)
    overview = progress.progress_overview(
        campaign=campaign,
        scope=scope,
        year=chosen,
        include_submitted=include_submitted,
        indicators=indicators,
        plans=plans,
    )
    indicator = selectors.pick_indicator(indicators=indicators, code=indicator_code)
    from_statistics, statistics = _statistics_sections(campaign=campaign, scope=scope, year=chosen)
    fund = selectors.fund_section(
        campaign=campaign,
        scope=scope,
        year=chosen,
        include_submitted=include_submitted,
        known_years=years,
    )
    page = DashboardPage(
        title=_("Progress of %(scope)s, %(year)s") % {"scope": scope.name, "year": chosen},
        campaign=campaign,
        scope=scope,
        year=chosen,
        years=years,
        trail=trail,
        include_submitted=include_submitted,
        can_include_submitted=roles.sees_unaccepted_figures(user),
        overview=overview,
        cards=selectors.indicator_cards(overview, plans, indicators),
        completeness=selectors.bloc_completeness(campaign=campaign, year=chosen, scope=scope),
        funds=selectors.fund_totals(
            campaign=campaign,
            year=chosen,
            scope=scope,
            include_submitted=include_submitted,
            section=fund,
        ),
        sponsors=selectors.sponsor_ranking(
            campaign=campaign, year=chosen, scope=scope, include_submitted=include_submitted
        ),
        as_of=progress.figures_as_of(scope=scope),
        deprivation=from_statistics(
            "deprivation",
            lambda: selectors.deprivation_section(campaign=campaign, scope=scope, year=chosen),
        ),
        fund=fund,
        statistics_key=statistics,
    )
    if scope.level in (UnitLevel.PROVINCE, UnitLevel.DISTRICT):
        page.groups = from_statistics(
            "groups",
            lambda: poverty_groups.poverty_by_group(campaign=campaign, scope=scope, year=chosen),
        )
        page.falling_back = from_statistics(
            "falling-back",
            lambda: poverty_groups.falling_back_by_district(
                campaign=campaign, scope=scope, year=chosen
            ),
        )
    page.poverty_chart = charts.line_chart(
        title=_("Poverty rate by year"),
        points=[(p.year, p.poverty_rate) for p in overview.poverty],
        width=640,
        height=200,
    )
    if indicator is not None:
        page.selected = next(p for p in overview.indicators if p.indicator_id == indicator.pk)
        page.breakdown = progress.progress_by_child(
            indicator=indicator, scope=scope, year=chosen, include_submitted=include_submitted
        )
        target = page.selected.target
        page.breakdown_chart = charts.bar_chart(
            title=_("%(indicator)s by %(level)s, %(year)s")
            % {
                "indicator": indicator.code,
                "level": page.children_label.lower(),
                "year": chosen,
            },
            rows=[charts.ChartRow(label=row.name, value=row.value) for row in page.breakdown],
            met=[row.met for row in page.breakdown],
            target=target.line,
            target_label=_("target"),
            unit=indicator.unit_of_measure,
            milestone=page.selected.milestone.line if page.selected.milestone else None,
        )
        page.trend_chart = charts.line_chart(
            title=_("%(indicator)s in %(scope)s by year")
            % {"indicator": indicator.code, "scope": scope.name},
            points=[(t.year, t.value) for t in page.selected.trend],
            target=target.line,
            unit=indicator.unit_of_measure,
            width=480,
            height=220,
            milestones=plans[indicator.pk].line_points(),
        )
        page.roadmap = plans[indicator.pk].years
        if with_sources:
            page.sources = progress.progress_sources(
                indicator=indicator, scope=scope, year=chosen, include_submitted=include_submitted
            )
    return page


# --- Views --------------------------------------------------------------------------------------


def _request_params(request: HttpRequest) -> dict[str, str]:
    return {
        "year": clean_param(request.GET.get("year"), YEAR),
        "indicator": clean_param(request.GET.get("indicator")),
        "submitted": "1" if request.GET.get("submitted") == "1" else "",
    }


def _page(
    request: AuthenticatedRequest, unit_id: int | None, *, with_sources: bool = False
) -> DashboardPage:
    params = _request_params(request)
    return dashboard_page(
        user=request.user,
        unit_id=unit_id,
        year=params["year"],
        indicator_code=params["indicator"],
        include_submitted=params["submitted"] == "1",
        with_sources=with_sources,
    )


@login_required
@require_safe
def dashboard_view(request: AuthenticatedRequest, unit_id: int | None = None) -> HttpResponse:
    user = request.user
    params = _request_params(request)
    # The Board's pages carry the switch to include unaccepted reports; a leader's do not.
    if roles.sees_unaccepted_figures(user):
        who = "board"
    elif roles.sees_every_unit(user):
        who = "all"
    else:
        who = f"officer-{user.unit_id}"
    if params["submitted"] and not roles.sees_unaccepted_figures(user):
        params["submitted"] = ""
    page_key = ":".join(
        [
            "dashboard",
            who,
            str(unit_id or "-"),
            params["year"],
            params["indicator"],
            params["submitted"],
            get_language() or "",
        ]
    )
    key = f"{page_key}:{progress.figures_key()}"

    def body() -> dict[str, str]:
        page = _page(request, unit_id)  # raises 404 for a scope the user may not see
        unconfirmed = districts.figures_unconfirmed(year=page.year, scope=page.scope)
        rendered = render_to_string(
            "reports/_dashboard_body.html",
            {"page": page, "unconfirmed": unconfirmed},
            request=request,
        )
        return {"title": page.title, "body": rendered}

    behind_since = None
    if who == "all":
        # Leaders watch; the Board, who accept, and officers see every change at once.
        cached, behind_since = progress.computed_recently(
            f"{page_key}:latest",
            key,
            body,
            timeout=CACHE_SECONDS,
            fresh_for=settings.LEADERS_DASHBOARD_REFRESH_SECONDS,
        )
    else:
        cached = progress.computed_once(key, body, timeout=CACHE_SECONDS)
    context: dict[str, Any] = dict(cached)
    if behind_since is not None:
        context["up_to_date_at"] = datetime.fromtimestamp(behind_since, tz=UTC)
        context["refresh_seconds"] = settings.LEADERS_DASHBOARD_REFRESH_SECONDS
    return render(request, "reports/dashboard.html", context)


@login_required
@require_safe
def dashboard_export(request: AuthenticatedRequest, unit_id: int, table: str) -> HttpResponse:
    if table not in exports.DASHBOARD_TABLES:
        raise Http404
    page = _page(request, unit_id)
    title, headers, rows = exports.dashboard_table(page=page, table=table)
    filename = f"{table}-{page.scope.code}-{page.year}.xlsx"
    note = _("Figures as of %(date)s.") % {"date": page.as_of_text} if page.as_of_text else ""
    if page.include_submitted:
        note += " " + _("Includes reports submitted but not yet accepted by the Board.")
    marks = []
    # The dashboard's "not confirmed" mark, as a line of its own above the table.
    if districts.figures_unconfirmed(year=page.year, scope=page.scope):
        mark, why = (
            _("Not confirmed by the district"),
            _("The district has not confirmed these commune figures yet."),
        )
        marks.append(f"{mark}: {why}")
    return exports.xlsx_response(
        filename=filename, title=title, headers=headers, rows=rows, note=note.strip(), marks=marks
    )


@login_required
@require_safe
def dashboard_sources(request: AuthenticatedRequest, unit_id: int) -> HttpResponse:
    page = _page(request, unit_id, with_sources=True)
    return render(request, "reports/dashboard_sources.html", {"page": page})
