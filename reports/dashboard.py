"""Reads behind the leaders' dashboard and the public progress page.

Figures come from the progress engine; this module adds who may see which scope, the reporting
completeness of each emulation bloc, and what was mobilised for the poor. Every read is one
grouped query whatever the number of units.
"""

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from campaigns.models import (
    BlocMembership,
    Campaign,
    DeadlineExtension,
    Registration,
    ReportingPeriod,
    SponsorshipSupport,
    Submission,
    SubmissionStatus,
    SubmissionStep,
)
from indicators import progress
from indicators.models import CommuneStatistics, Indicator
from reports import charts
from units.models import Role, Unit, UnitLevel, User

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


def may_see_everything(user: User) -> bool:
    return user.is_superuser or user.role in (Role.ADMIN, Role.BOARD, Role.LEADER)


def may_include_submitted(user: User) -> bool:
    return user.is_superuser or user.role in (Role.ADMIN, Role.BOARD)


def dashboard_scope(*, user: User, unit_id: int | None) -> Unit:
    """The unit a user asked to see, or 404: an officer sees only their unit and its communes."""
    units = Unit.objects.select_related("parent__parent")
    if may_see_everything(user):
        if unit_id is None:
            province = public_province()
            if province is None:
                raise Http404
            return province
        try:
            return units.get(pk=unit_id)
        except Unit.DoesNotExist:
            raise Http404 from None
    if user.role != Role.OFFICER or user.unit_id is None:
        raise Http404
    if unit_id is None or unit_id == user.unit_id:
        return units.get(pk=user.unit_id)
    try:
        return units.get(pk=unit_id, parent_id=user.unit_id, level=UnitLevel.COMMUNE)
    except Unit.DoesNotExist:
        raise Http404 from None


def scope_trail(*, scope: Unit, user: User) -> list[Unit]:
    """Breadcrumbs from the highest unit the user may see down to the scope."""
    trail = [scope]
    while trail[0].parent_id is not None and trail[0].parent is not None:
        trail.insert(0, trail[0].parent)
    if may_see_everything(user):
        return trail
    return [u for u in trail if u.pk in (user.unit_id, scope.pk)]


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
        return round(100 * self.reported / self.expected, 1) if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.reported, 1) if self.reported else None


def bloc_completeness(*, campaign: Campaign, year: int, scope: Unit) -> list[BlocCompleteness]:
    """Per emulation bloc: members, how many reported, how many on time, how many accepted."""
    period = ReportingPeriod.objects.filter(campaign=campaign, year=year).first()
    if period is None:
        return []
    submission = Submission.objects.filter(period=period, unit=OuterRef("unit")).order_by()
    # On time is judged on the first submission: a report returned and sent again is not late.
    first_sent = SubmissionStep.objects.filter(
        submission__period=period,
        submission__unit=OuterRef("unit"),
        to_status=SubmissionStatus.SUBMITTED,
    ).order_by("at")
    extension = DeadlineExtension.objects.filter(period=period, unit=OuterRef("unit"))
    rows = (
        BlocMembership.objects.filter(bloc__campaign=campaign)
        .filter(progress.unit_subtree_q(scope, "unit"))
        .annotate(
            sent_at=Coalesce(
                Subquery(first_sent.values("at")[:1]),
                Subquery(submission.values("submitted_at")[:1]),
            ),
            status=Subquery(submission.values("status")[:1]),
            excused=Subquery(submission.values("not_reporting")[:1]),
            deadline=Coalesce(Subquery(extension.values("deadline")[:1]), Value(period.deadline)),
        )
        .annotate(sent_on=TruncDate("sent_at"))
        .values("bloc_id", "bloc__name", "bloc__order", "bloc__code")
        .annotate(
            members=Count("pk"),
            excused_count=Count("pk", filter=Q(excused=True)),
            reported=Count("pk", filter=Q(sent_at__isnull=False)),
            on_time=Count("pk", filter=Q(sent_on__lte=F("deadline"))),
            accepted=Count("pk", filter=Q(status=SubmissionStatus.ACCEPTED)),
        )
        .order_by("bloc__order", "bloc__code")
    )
    return [
        BlocCompleteness(
            bloc_id=row["bloc_id"],
            name=row["bloc__name"],
            members=row["members"],
            excused=row["excused_count"],
            reported=row["reported"],
            on_time=row["on_time"],
            accepted=row["accepted"],
        )
        for row in rows
    ]


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
    *, campaign: Campaign, year: int, scope: Unit, include_submitted: bool = False
) -> FundTotals:
    """Money mobilised for the "For the Poor" fund and given through sponsorships."""
    statuses = [SubmissionStatus.ACCEPTED]
    if include_submitted:
        statuses.append(SubmissionStatus.SUBMITTED)
    in_scope = progress.unit_subtree_q(scope, "unit")
    fund = Submission.objects.filter(
        in_scope, period__campaign=campaign, period__year=year, status__in=statuses
    ).aggregate(
        total=Sum("fund_mobilised_vnd"),
        reports=Count("pk", filter=Q(fund_mobilised_vnd__isnull=False)),
    )
    pledged = _pledged(campaign=campaign, year=year, scope=scope)
    support = _support(
        campaign=campaign, year=year, scope=scope, include_submitted=include_submitted
    ).aggregate(
        money=Sum("money_vnd"),
        in_kind=Sum("in_kind_value_vnd"),
        sponsors=Count("submission__unit", distinct=True),
    )
    return FundTotals(
        mobilised_vnd=fund["total"] or 0,
        reports=fund["reports"],
        pledged_vnd=pledged,
        sponsorship_money_vnd=support["money"] or 0,
        sponsorship_in_kind_vnd=support["in_kind"] or 0,
        sponsors=support["sponsors"],
    )


def _pledged(*, campaign: Campaign, year: int, scope: Unit) -> int:
    total = Registration.objects.filter(
        progress.unit_subtree_q(scope, "unit"), period__campaign=campaign, period__year=year
    ).aggregate(total=Sum("fund_pledge_vnd"))["total"]
    return total or 0


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


# --- Pages --------------------------------------------------------------------------------------

STATUS_STYLES = {
    progress.Status.ACHIEVED: "success",
    progress.Status.ON_TRACK: "primary",
    progress.Status.AT_RISK: "warning",
    progress.Status.OFF_TRACK: "danger",
    progress.Status.NO_DATA: "secondary",
}


@dataclass(frozen=True)
class Card:
    progress: progress.Progress
    spark: charts.Chart

    @property
    def style(self) -> str:
        return STATUS_STYLES[self.progress.status]


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
    cards: list[Card] = field(default_factory=list)
    selected: progress.Progress | None = None
    breakdown: list[progress.ChildProgress] = field(default_factory=list)
    breakdown_chart: charts.Chart | None = None
    trend_chart: charts.Chart | None = None
    poverty_chart: charts.Chart | None = None
    completeness: list[BlocCompleteness] = field(default_factory=list)
    funds: FundTotals | None = None
    sponsors: list[SponsorRow] = field(default_factory=list)
    sources: list[progress.SourceRow] = field(default_factory=list)
    as_of: datetime | None = None

    @property
    def as_of_text(self) -> str:
        if self.as_of is None:
            return ""
        return formats.date_format(timezone.localtime(self.as_of), "SHORT_DATE_FORMAT")

    @property
    def query(self) -> str:
        """The year and the unaccepted-reports switch, to carry across dashboard links."""
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


def _cards(overview: progress.Overview) -> list[Card]:
    return [
        Card(
            progress=p,
            spark=charts.line_chart(
                title=_("%(code)s by year") % {"code": p.code},
                points=[(t.year, t.value) for t in p.trend],
                target=p.target.line,
                unit=p.unit_of_measure,
                width=160,
                height=48,
                compact=True,
            ),
        )
        for p in overview.indicators
    ]


def leader_glance(*, user: User) -> DashboardPage:
    """The province's eight cards for the latest year with figures: the leader's home page."""
    scope = dashboard_scope(user=user, unit_id=None)
    campaign = current_campaign()
    if campaign is None:
        return DashboardPage(title=scope.name, campaign=None, scope=scope, year=0)
    chosen = pick_year(years=campaign_years(campaign=campaign), requested=None)
    overview = progress.progress_overview(campaign=campaign, scope=scope, year=chosen)
    return DashboardPage(
        title=_("Progress of %(scope)s, %(year)s") % {"scope": scope.name, "year": chosen},
        campaign=campaign,
        scope=scope,
        year=chosen,
        overview=overview,
        cards=_cards(overview),
    )


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
    scope = dashboard_scope(user=user, unit_id=unit_id)
    include_submitted = include_submitted and may_include_submitted(user)
    campaign = current_campaign()
    trail = scope_trail(scope=scope, user=user)
    if campaign is None:
        return DashboardPage(title=scope.name, campaign=None, scope=scope, year=0, trail=trail)
    years = campaign_years(campaign=campaign)
    chosen = pick_year(years=years, requested=year)
    indicators = progress.campaign_indicators(campaign=campaign)
    overview = progress.progress_overview(
        campaign=campaign,
        scope=scope,
        year=chosen,
        include_submitted=include_submitted,
        indicators=indicators,
    )
    indicator = pick_indicator(indicators=indicators, code=indicator_code)
    page = DashboardPage(
        title=_("Progress of %(scope)s, %(year)s") % {"scope": scope.name, "year": chosen},
        campaign=campaign,
        scope=scope,
        year=chosen,
        years=years,
        trail=trail,
        include_submitted=include_submitted,
        can_include_submitted=may_include_submitted(user),
        overview=overview,
        cards=_cards(overview),
        completeness=bloc_completeness(campaign=campaign, year=chosen, scope=scope),
        funds=fund_totals(
            campaign=campaign, year=chosen, scope=scope, include_submitted=include_submitted
        ),
        sponsors=sponsor_ranking(
            campaign=campaign, year=chosen, scope=scope, include_submitted=include_submitted
        ),
        as_of=progress.figures_as_of(scope=scope),
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
        )
        page.trend_chart = charts.line_chart(
            title=_("%(indicator)s in %(scope)s by year")
            % {"indicator": indicator.code, "scope": scope.name},
            points=[(t.year, t.value) for t in page.selected.trend],
            target=target.line,
            unit=indicator.unit_of_measure,
            width=480,
            height=220,
        )
        if with_sources:
            page.sources = progress.progress_sources(
                indicator=indicator, scope=scope, year=chosen, include_submitted=include_submitted
            )
    return page


def public_page(*, year: str = "") -> DashboardPage:
    """The province's figures for the public: accepted reports and official statistics only."""
    province = public_province()
    campaign = current_campaign()
    if province is None or campaign is None:
        raise Http404
    years = campaign_years(campaign=campaign)
    chosen = pick_year(years=years, requested=year)
    overview = progress.progress_overview(
        campaign=campaign, scope=province, year=chosen, include_submitted=False
    )
    page = DashboardPage(
        title=_("Progress of %(scope)s, %(year)s") % {"scope": province.name, "year": chosen},
        campaign=campaign,
        scope=province,
        year=chosen,
        years=years,
        overview=overview,
        cards=_cards(overview),
        as_of=progress.figures_as_of(scope=province),
    )
    page.poverty_chart = charts.line_chart(
        title=_("Poverty rate by year"),
        points=[(p.year, p.poverty_rate) for p in overview.poverty],
        width=640,
        height=200,
    )
    return page
