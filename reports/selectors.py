"""The figures behind the dashboards, the public page and the PDF documents.

Indicator figures come from the progress engine (`indicators.progress`); this module adds the
campaign's years, the reporting completeness of each emulation bloc, what was mobilised for the
poor, and the cards that show each indicator. Every read is one grouped query whatever the
number of units, and every page, export and PDF that shows one of these figures calls the same
function here.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Max, OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns import deadlines
from campaigns.models import (
    BlocMembership,
    Campaign,
    ReportingPeriod,
    SponsorshipSupport,
    Submission,
    SubmissionStatus,
)
from indicators import progress
from indicators.models import (
    DEPRIVATION_SERVICE,
    CommuneStatistics,
    Deprivation,
    Indicator,
    Service,
)
from indicators.progress.roadmap import Roadmap, roadmaps
from kontum_poverty.numbers import percent, round_half_up
from reports import charts
from reports.models import ReportJob, ReportKind
from units.models import Unit, UnitLevel, User

SPONSORS_SHOWN = 20


def current_campaign() -> Campaign | None:
    return Campaign.objects.order_by("-issued_on", "-pk").first()


def campaign_years(*, campaign: Campaign) -> list[int]:
    years = set(range(campaign.first_year, campaign.last_year + 1))
    years.update(ReportingPeriod.objects.filter(campaign=campaign).values_list("year", flat=True))
    return sorted(years)


def pick_year(*, years: list[int], requested: str | None) -> int:
    """The requested year if the campaign has it, else the latest past year with figures."""
    if requested and requested.isdigit() and int(requested) in years:
        return int(requested)
    today = timezone.localdate().year
    past = [y for y in years if y <= today] or years
    # A leader opening the dashboard wants the last year that has numbers, not an empty one.
    with_figures = [
        CommuneStatistics.objects.filter(year__in=past).aggregate(latest=Max("year"))["latest"],
        Submission.objects.filter(
            status=SubmissionStatus.ACCEPTED, period__year__in=past
        ).aggregate(latest=Max("period__year"))["latest"],
    ]
    return max((y for y in with_figures if y is not None), default=past[-1])


def public_province() -> Unit | None:
    code = getattr(settings, "PUBLIC_PROVINCE_CODE", "62")
    provinces = Unit.objects.filter(level=UnitLevel.PROVINCE, is_active=True)
    return provinces.filter(code=code).first() or provinces.order_by("code").first()


def pick_indicator(*, indicators: list[Indicator], code: str | None) -> Indicator | None:
    for indicator in indicators:
        if indicator.code == code:
            return indicator
    return indicators[0] if indicators else None


# --- Reporting completeness ---------------------------------------------------------------------


@dataclass(frozen=True)
class BlocCompleteness:
    bloc_id: int
    name: str
    members: int
    excused: int
    reported: int
    on_time: int
    accepted: int

    @property
    def expected(self) -> int:
        return self.members - self.excused

    @property
    def completeness(self) -> float | None:
        return percent(self.reported, self.expected, 1)

    @property
    def on_time_rate(self) -> float | None:
        return deadlines.on_time_rate(on_time=self.on_time, reported=self.reported)


def bloc_completeness(*, campaign: Campaign, year: int, scope: Unit) -> list[BlocCompleteness]:
    """Per emulation bloc: members, how many reported, how many on time, how many accepted."""
    period = ReportingPeriod.objects.filter(campaign=campaign, year=year).first()
    if period is None:
        return []
    submission = Submission.objects.filter(period=period, unit=OuterRef("unit")).order_by()
    # Members are the year's participating units (active ones), as in the Board's queue.
    members = BlocMembership.objects.filter(bloc__campaign=campaign, unit__is_active=True).filter(
        progress.unit_subtree_q(scope, "unit")
    )
    # One row per member, counted here: grouped in SQL, each count repeated the member's report
    # subqueries, and compiling them cost more than the statement.
    rows = (
        deadlines.with_timeliness(members, period=period, unit="unit")
        .annotate(
            status=Subquery(submission.values("status")[:1]),
            excused=Subquery(submission.values("not_reporting")[:1]),
        )
        .values(
            "bloc_id",
            "bloc__name",
            "bloc__order",
            "bloc__code",
            "status",
            "excused",
            "first_submitted_at",
            "on_time",
        )
        .order_by("bloc__order", "bloc__code", "bloc_id")
    )
    counts: dict[int, dict[str, Any]] = {}
    for row in rows:
        if row["bloc_id"] not in counts:
            counted = ("members", "excused", "reported", "on_time", "accepted")
            counts[row["bloc_id"]] = {"name": row["bloc__name"], **dict.fromkeys(counted, 0)}
        bloc = counts[row["bloc_id"]]
        bloc["members"] += 1
        bloc["excused"] += row["excused"] is True
        bloc["reported"] += row["first_submitted_at"] is not None
        bloc["on_time"] += row["on_time"] is True
        bloc["accepted"] += row["status"] == SubmissionStatus.ACCEPTED
    return [BlocCompleteness(bloc_id=pk, **bloc) for pk, bloc in counts.items()]


def completeness_total(blocs: list[BlocCompleteness]) -> BlocCompleteness:
    """The line under the blocs' lines: the same figures, summed."""
    return BlocCompleteness(
        bloc_id=0,
        name=_("Total"),
        members=sum(b.members for b in blocs),
        excused=sum(b.excused for b in blocs),
        reported=sum(b.reported for b in blocs),
        on_time=sum(b.on_time for b in blocs),
        accepted=sum(b.accepted for b in blocs),
    )


# --- Resources mobilised ------------------------------------------------------------------------


@dataclass(frozen=True)
class FundTotals:
    mobilised_vnd: int
    reports: int
    pledged_vnd: int
    sponsorship_money_vnd: int
    sponsorship_in_kind_vnd: int
    sponsors: int

    @property
    def sponsorship_total_vnd(self) -> int:
        return self.sponsorship_money_vnd + self.sponsorship_in_kind_vnd


@dataclass(frozen=True)
class SponsorRow:
    rank: int
    unit_id: int
    code: str
    name: str
    communes: int
    money_vnd: int
    in_kind_vnd: int

    @property
    def total_vnd(self) -> int:
        return self.money_vnd + self.in_kind_vnd


def _support(*, campaign: Campaign, year: int, scope: Unit, include_submitted: bool):
    statuses = [SubmissionStatus.ACCEPTED]
    if include_submitted:
        statuses.append(SubmissionStatus.SUBMITTED)
    return SponsorshipSupport.objects.filter(
        progress.unit_subtree_q(scope, "submission__unit"),
        submission__period__campaign=campaign,
        submission__period__year=year,
        submission__status__in=statuses,
    )


def fund_totals(
    *,
    campaign: Campaign,
    year: int,
    scope: Unit,
    include_submitted: bool = False,
    section: "FundSection | None" = None,
) -> FundTotals:
    """Money mobilised for the "For the Poor" fund and given through sponsorships.

    `section`: the fund's section of the same page (same scope, year and reports), whose year
    is read rather than computed again."""
    # The fund's figures are the engine's, as in the fund's own section and its table by year.
    fund = next((f for f in section.years if f.year == year), None) if section else None
    if fund is None:
        (fund,) = progress.fund_by_year(
            campaign=campaign, scope=scope, years=[year], include_submitted=include_submitted
        )
    support = _support(
        campaign=campaign, year=year, scope=scope, include_submitted=include_submitted
    ).aggregate(
        money=Sum("money_vnd"),
        in_kind=Sum("in_kind_value_vnd"),
        sponsors=Count("submission__unit", distinct=True),
    )
    return FundTotals(
        mobilised_vnd=fund.mobilised_vnd,
        reports=fund.reports,
        pledged_vnd=fund.pledged_vnd,
        sponsorship_money_vnd=support["money"] or 0,
        sponsorship_in_kind_vnd=support["in_kind"] or 0,
        sponsors=support["sponsors"],
    )


def sponsor_ranking(
    *,
    campaign: Campaign,
    year: int,
    scope: Unit,
    include_submitted: bool = False,
    limit: int | None = SPONSORS_SHOWN,
) -> list[SponsorRow]:
    """Sponsors ranked by what they gave (money and value in kind) to the communes they sponsor."""
    rows = (
        _support(campaign=campaign, year=year, scope=scope, include_submitted=include_submitted)
        .values("submission__unit_id", "submission__unit__code", "submission__unit__name")
        .annotate(
            communes=Count("commune", distinct=True),
            money=Sum("money_vnd"),
            in_kind=Sum("in_kind_value_vnd"),
            total=Sum(F("money_vnd") + F("in_kind_value_vnd")),
        )
        .order_by("-total", "submission__unit__code")
    )
    if limit is not None:
        rows = rows[:limit]
    return [
        SponsorRow(
            rank=i,
            unit_id=row["submission__unit_id"],
            code=row["submission__unit__code"],
            name=row["submission__unit__name"],
            communes=row["communes"],
            money_vnd=row["money"] or 0,
            in_kind_vnd=row["in_kind"] or 0,
        )
        for i, row in enumerate(rows, start=1)
    ]


# --- Indicator cards ---------------------------------------------------------------------------

STATUS_STYLES = {
    progress.Status.ACHIEVED: "success",
    progress.Status.PROVISIONAL: "info",
    progress.Status.ON_TRACK: "primary",
    progress.Status.BEHIND: "warning",
    progress.Status.AT_RISK: "warning",
    progress.Status.OFF_TRACK: "danger",
    progress.Status.NOT_ENOUGH_DATA: "secondary",
    progress.Status.NO_DATA: "secondary",
}


@dataclass(frozen=True)
class Card:
    progress: progress.Progress
    spark: charts.Chart
    # The indicator itself, for the help the Board wrote (definition, legal source).
    indicator: Indicator | None = None

    @property
    def style(self) -> str:
        return STATUS_STYLES[self.progress.status]


def indicator_roadmaps(*, indicators: list[Indicator], scope: Unit) -> dict[int, Roadmap]:
    """Each indicator's baseline and milestones in `scope`, for charts and the detail list."""
    return roadmaps(indicators, scope)


def indicator_cards(
    overview: progress.Overview,
    plans: dict[int, Roadmap] | None = None,
    indicators: list[Indicator] | None = None,
) -> list[Card]:
    """One card per indicator: its figure, status and a sparkline of its years and milestones;
    `indicators` (already read by the caller) carry the help shown on each card."""
    roadmap = {pk: plan.line_points() for pk, plan in (plans or {}).items()}
    helps = {i.pk: i for i in indicators or []}
    return [
        Card(
            progress=p,
            indicator=helps.get(p.indicator_id),
            spark=charts.line_chart(
                title=_("%(code)s by year") % {"code": p.name},
                points=[(t.year, t.value) for t in p.trend],
                target=p.target.line,
                unit=p.unit_of_measure,
                width=160,
                height=48,
                compact=True,
                milestones=roadmap.get(p.indicator_id, []),
            ),
        )
        for p in overview.indicators
    ]


@dataclass(frozen=True)
class Glance:
    """A scope's indicator cards for the latest year with figures: the leader's home page."""

    campaign: Campaign | None
    scope: Unit
    year: int
    cards: list[Card]


def glance(*, scope: Unit) -> Glance:
    """The scope's cards for the latest year with figures."""
    campaign = current_campaign()
    if campaign is None:
        return Glance(campaign=None, scope=scope, year=0, cards=[])
    year = pick_year(years=campaign_years(campaign=campaign), requested=None)
    indicators = progress.campaign_indicators(campaign=campaign)
    plans = indicator_roadmaps(indicators=indicators, scope=scope)
    overview = progress.progress_overview(
        campaign=campaign, scope=scope, year=year, indicators=indicators, plans=plans
    )
    return Glance(
        campaign=campaign,
        scope=scope,
        year=year,
        cards=indicator_cards(overview, plans, indicators),
    )


# --- PDF jobs -----------------------------------------------------------------------------------


def jobs_for_user(*, user: User, limit: int = 30) -> list[ReportJob]:
    """The reports `user` asked for, newest first."""
    return list(ReportJob.objects.filter(requested_by=user).order_by("-created_at")[:limit])


def job_filename(job: ReportJob) -> str:
    """The name the browser saves a report under ("bao-cao-...-2019.pdf")."""
    suffix = ".zip" if job.kind == ReportKind.UNIT_SHEETS_ZIP else ".pdf"
    return job.params.get("filename") or f"report-{job.pk}{suffix}"


# --- Deprivation by dimension and the fund ------------------------------------------------------


@dataclass(frozen=True)
class DeprivationTrendRow:
    """One indicator's rate for poor households, year by year."""

    deprivation: str
    label: str
    service_label: str
    rates: list[float | None]

    @property
    def change(self) -> float | None:
        """Percentage points from the year before to the last year, both with a rate."""
        if len(self.rates) < 2 or self.rates[-1] is None or self.rates[-2] is None:
            return None
        return float(round_half_up(self.rates[-1] - self.rates[-2], 2))


@dataclass(frozen=True)
class DeprivationSection:
    """Which basic social services poor and near-poor households lack, where, and since when."""

    year: int
    years: list[progress.DeprivationYear]
    this_year: progress.DeprivationYear | None
    children: list[progress.DeprivationChild]
    chart: charts.Chart | None

    @property
    def year_numbers(self) -> list[int]:
        return [y.year for y in self.years]

    @property
    def trend(self) -> list[DeprivationTrendRow]:
        """Each indicator's rate among poor households in every year with figures."""
        rows = []
        for code, label in Deprivation.choices:
            rates = [next(f.rate for f in y.poor if f.deprivation == code) for y in self.years]
            rows.append(
                DeprivationTrendRow(
                    deprivation=code,
                    label=str(label),
                    service_label=str(Service(DEPRIVATION_SERVICE[code]).label),
                    rates=rates,
                )
            )
        return rows

    @property
    def child_columns(self) -> list[tuple[str, str]]:
        return [(code, str(label)) for code, label in Deprivation.choices]


def deprivation_section(
    *, campaign: Campaign, scope: Unit, year: int, font_family: str = charts.FONT
) -> DeprivationSection:
    """The deprivation figures a dashboard, the public page, an export or the province report
    shows for a scope and year: all from `indicators.progress.deprivation`."""
    years = progress.deprivation_by_year(campaign=campaign, scope=scope, year=year)
    this_year = progress.deprivation_this_year(years, year)
    chart = None
    if this_year is not None and this_year.has_data:
        chart = charts.bar_chart(
            title=_("Poor households lacking each basic social service, %(scope)s, %(year)s")
            % {"scope": scope.name, "year": year},
            rows=[charts.ChartRow(label=f.label, value=f.rate) for f in this_year.poor],
            font_family=font_family,
            # The standard's indicator names are long: 26 characters need about 200 px at 12 px.
            label_width=210,
        )
    children = progress.deprivation_by_child(campaign=campaign, scope=scope, year=year)
    return DeprivationSection(
        year=year, years=years, this_year=this_year, children=children, chart=chart
    )


@dataclass(frozen=True)
class FundSection:
    """The "For the Poor" fund: the scope's years, and this year by district."""

    year: int
    years: list[progress.FundFigures]
    children: list[progress.FundChild]

    @property
    def this_year(self) -> progress.FundFigures | None:
        return next((f for f in self.years if f.year == self.year), None)


def fund_section(
    *,
    campaign: Campaign,
    scope: Unit,
    year: int,
    include_submitted: bool = False,
    known_years: list[int] | None = None,
) -> FundSection:
    """The fund against its pledges in every campaign year up to `year`, and by district.

    `known_years`: the campaign's years when the caller has read them already."""
    if known_years is None:
        known_years = campaign_years(campaign=campaign)
    years = [y for y in known_years if y <= year]
    by_year, children = progress.fund_by_year_and_child(
        campaign=campaign, scope=scope, years=years, year=year, include_submitted=include_submitted
    )
    return FundSection(year=year, years=by_year, children=children)
