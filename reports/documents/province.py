"""The province's yearly report on the campaign (BÁO CÁO), with every commune's figures as annex.

`build` only checks that the year exists; `main_html` runs the report's queries (a fixed number,
whatever the number of districts and communes) and `annex` reads nothing but a count, so a worker
rendering one annex part reads only that part's rows. Figures are the accepted ones: official
commune statistics and the reports the Board accepted.
"""

import dataclasses
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import formats
from django.utils.translation import gettext as _

from campaigns.models import (
    AwardKind,
    AwardProposal,
    Campaign,
    ProposalStatus,
    ReportingPeriod,
)
from campaigns.ranking import BlocRanking, bloc_rankings, state_labels, tie_break_rule
from indicators import progress
from indicators.imports.districts import unconfirmed_district_ids
from indicators.models import Direction
from indicators.progress import ChildProgress, Progress
from kontum_poverty.numbers import round_half_up
from reports import charts
from reports.documents.base import DocHeader, doc_header
from reports.documents.commune_annex import commune_annex
from reports.models import ReportKind
from reports.narratives import NarrativeState, narrative_state
from reports.pdf import Annex
from reports.selectors import (
    BlocCompleteness,
    DeprivationSection,
    FundSection,
    FundTotals,
    bloc_completeness,
    campaign_years,
    completeness_total,
    current_campaign,
    deprivation_section,
    fund_section,
    fund_totals,
    public_province,
)
from units.models import Unit

# A bar chart of this many districts still fits on a portrait page beside its table.
MAX_CHART_DISTRICTS = 15


# --- Figures of the main report -----------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorSection:
    """One of the eight targets: the province's figure and its value in each district."""

    number: int
    progress: Progress
    target_text: str
    milestone_text: str
    value_text: str
    districts: list[ChildProgress]
    # Each year's own figure where the target is judged on their average (ESCAPE): "2018: 8,0%;
    # 2019: 13,0%".
    years_text: str
    chart: charts.Chart | None

    @property
    def has_district_figures(self) -> bool:
        return any(row.value is not None for row in self.districts)


@dataclass(frozen=True)
class RankingRow:
    rank: int | None
    code: str
    name: str
    points: str
    classification: str
    state: str


def points_text(total: Decimal | None) -> str:
    """Board points as the Board's pages write them: 95, 92,5 (never 95,00 or 1E+2)."""
    if total is None:
        return "–"
    shown = total.quantize(Decimal(1)) if total == total.to_integral_value() else total.normalize()
    return formats.number_format(shown, use_l10n=True)


@dataclass(frozen=True)
class RankingSection:
    name: str
    rule: str
    ranked: list[RankingRow]
    unranked: list[RankingRow]


@dataclass(frozen=True)
class ProposalRow:
    code: str
    name: str
    reason: str
    status: str
    decision: str


@dataclass(frozen=True)
class AwardSection:
    label: str
    rows: list[ProposalRow]


@dataclass(frozen=True)
class YearsRow:
    """One target over the years of the period, each year's figure from the engine."""

    number: int
    name: str
    target_text: str
    values: list[str]
    coverage: str
    status: str


@dataclass(frozen=True)
class StatusCount:
    label: str
    count: int


@dataclass
class ReportContent:
    """Everything the main template shows, fetched up front."""

    overview: progress.Overview
    poverty: progress.PovertyFigures | None
    poverty_before: progress.PovertyFigures | None
    indicators: list[IndicatorSection]
    statuses: list[StatusCount]
    completeness: list[BlocCompleteness]
    completeness_total: BlocCompleteness
    funds: FundTotals
    rankings: list[RankingSection]
    awards: list[AwardSection]
    poverty_rows: list[progress.PovertyFigures] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    years_rows: list[YearsRow] = field(default_factory=list)
    deprivation: DeprivationSection | None = None
    fund: FundSection | None = None
    # Districts that have not confirmed their communes' figures of the year: marked wherever
    # commune figures are shown.
    unconfirmed_ids: set[int] = field(default_factory=set)
    unconfirmed_names: list[str] = field(default_factory=list)


def _number(value: float | Decimal | None, digits: int) -> str:
    shown = round_half_up(value, digits)
    return "–" if shown is None else formats.number_format(shown, digits, use_l10n=True)


def value_text(value: float | None, unit: str) -> str:
    """A result with its unit and one decimal: 94,9% or 12,5 VND."""
    if value is None:
        return "–"
    return f"{_number(value, 1)}%" if unit == "%" else f"{_number(value, 1)} {unit}"


def target_text(target: progress.Target, unit: str) -> str:
    """A target as leaders read it: 100% (full coverage), ≥ 52%, 15–20%."""
    if target.line is None:
        return "–"
    suffix = "%" if unit == "%" else f" {unit}"
    if target.is_range:
        return f"{_number(target.low, 0)}–{_number(target.high, 0)}{suffix}"
    value = _number(target.line, 1).removesuffix(formats.get_format("DECIMAL_SEPARATOR") + "0")
    if unit == "%" and target.line == 100 and target.direction == Direction.HIGHER_IS_BETTER:
        return f"{value}{suffix}"
    if target.direction == Direction.LOWER_IS_BETTER:
        sign = "<" if target.strict else "≤"
    else:
        sign = ">" if target.strict else "≥"
    return f"{sign} {value}{suffix}"


def _indicator_sections(
    *, overview: progress.Overview, indicators: list, province: Unit, year: int
) -> list[IndicatorSection]:
    """Each indicator against its target, broken down by district (two queries each)."""
    district_label = str(_("District")).lower()
    by_id = {p.indicator_id: p for p in overview.indicators}
    sections = []
    for number, indicator in enumerate(indicators, start=1):
        result = by_id[indicator.pk]
        districts = progress.progress_by_child(indicator=indicator, scope=province, year=year)
        chart = None
        # A chart of more districts than a page holds would be cut: the table alone says it.
        if districts and len(districts) <= MAX_CHART_DISTRICTS:
            chart = charts.bar_chart(
                title=_("%(indicator)s by %(level)s, %(year)s")
                % {"indicator": indicator.code, "level": district_label, "year": year},
                rows=[charts.ChartRow(label=row.name, value=row.value) for row in districts],
                met=[row.met for row in districts],
                target=result.target.line,
                target_label=_("target"),
                unit=indicator.unit_of_measure,
                font_family=charts.PDF_FONT,
                milestone=result.milestone.line if result.milestone else None,
            )
        sections.append(
            IndicatorSection(
                number=number,
                progress=result,
                target_text=target_text(result.target, result.unit_of_measure),
                milestone_text=target_text(result.milestone, result.unit_of_measure)
                if result.milestone
                else "–",
                value_text=value_text(result.value, result.unit_of_measure),
                years_text="; ".join(
                    f"{point.year}: {value_text(point.value, result.unit_of_measure)}"
                    for point in result.trend
                    if point.value is not None
                ),
                districts=districts,
                chart=chart,
            )
        )
    return sections


def unconfirmed_by_district(*, province: Unit, year: int) -> dict[int, str]:
    """The province's active districts whose communes' figures of the year are unconfirmed."""
    ids = unconfirmed_district_ids(year=year)
    if not ids:
        return {}
    return dict(
        Unit.objects.districts()
        .filter(pk__in=ids, parent=province, is_active=True)
        .order_by("code")
        .values_list("pk", "name")
    )


def _statuses(overview: progress.Overview) -> list[StatusCount]:
    order = progress.Status.ORDER
    counts = dict.fromkeys(order, 0)
    for result in overview.indicators:
        counts[result.status] += 1
    return [StatusCount(label=str(progress.Status.LABELS[s]), count=counts[s]) for s in order]


def _ranking_sections(rankings: list[BlocRanking]) -> list[RankingSection]:
    labels = state_labels()
    sections = []
    for ranking in rankings:
        rows = [
            RankingRow(
                rank=row.rank,
                code=row.unit.code,
                name=row.unit.name,
                points=points_text(row.total),
                classification=row.get_classification_display(),
                state=str(labels.get(row.state, row.state)),
            )
            for row in ranking.rows
        ]
        sections.append(
            RankingSection(
                name=ranking.bloc.name,
                rule=tie_break_rule(ranking.main_group),
                ranked=[r for r in rows if r.rank is not None],
                unranked=[r for r in rows if r.rank is None],
            )
        )
    return sections


def award_sections(*, period: ReportingPeriod) -> list[AwardSection]:
    """The year's proposals by award, flag first; rejected ones are no longer proposals."""
    # A withdrawn proposal is deleted (campaigns.services.awards.proposal_remove).
    proposals = (
        AwardProposal.objects.filter(period=period)
        .exclude(status=ProposalStatus.REJECTED)
        .select_related("unit")
        .order_by("unit__code")
    )
    by_award: dict[str, list[ProposalRow]] = {kind.value: [] for kind in AwardKind}
    for proposal in proposals:
        decision = ""
        # An approved proposal always has its decision's date (a check constraint).
        if proposal.status == ProposalStatus.APPROVED and proposal.decision_date is not None:
            decision = _("Decision %(number)s of %(date)s") % {
                "number": proposal.decision_number,
                "date": formats.date_format(proposal.decision_date, "SHORT_DATE_FORMAT"),
            }
        by_award.setdefault(proposal.award, []).append(
            ProposalRow(
                code=proposal.unit.code,
                name=proposal.unit.name,
                reason=proposal.reason,
                status=proposal.get_status_display(),
                decision=decision,
            )
        )
    return [
        AwardSection(label=str(AwardKind(award).label), rows=rows)
        for award, rows in by_award.items()
        if rows
    ]


def _years_rows(sections: list[IndicatorSection], years: list[int]) -> list[YearsRow]:
    """Each target's figure in every year of the period (the engine's trend), for a review."""
    rows = []
    for section in sections:
        p = section.progress
        by_year = {point.year: point.value for point in p.trend}
        rows.append(
            YearsRow(
                number=section.number,
                name=p.name,
                target_text=section.target_text,
                values=[value_text(by_year.get(y), p.unit_of_measure) for y in years],
                coverage=str(p.coverage),
                status=p.status_label,
            )
        )
    return rows


# --- The report ---------------------------------------------------------------------------------

REVIEW_KINDS = (ReportKind.INTERIM, ReportKind.FINAL)


@dataclass(frozen=True)
class ProvinceReport:
    """The yearly report of the province on the campaign, for one year."""

    year: int
    on: datetime.date
    campaign: Campaign
    province: Unit
    period: ReportingPeriod | None
    # The yearly report, or the mid-term (sơ kết) or final (tổng kết) review ending with `year`.
    kind: str = ReportKind.PROVINCE

    @property
    def is_review(self) -> bool:
        return self.kind in REVIEW_KINDS

    @property
    def first_year(self) -> int:
        """The first year the review covers: the year the campaign was launched (2017)."""
        return min(self.campaign.issued_on.year, self.campaign.first_year)

    def narrative(self) -> NarrativeState:
        return narrative_state(campaign=self.campaign, kind=self.kind, year=self.year)

    @classmethod
    def build_review(cls, *, kind: str, year: int, on: datetime.date) -> "ProvinceReport":
        """The mid-term review after `year`, or the final review of the campaign's last year."""
        report = cls.build(year=year, on=on)
        last = report.campaign.last_year
        if kind == ReportKind.FINAL and year != last:
            raise ValidationError(
                _("The final review covers the whole campaign: choose its last year, %(year)s.")
                % {"year": last},
                code="unavailable",
            )
        if kind == ReportKind.INTERIM and year >= last:
            raise ValidationError(
                _("The mid-term review follows a year before the campaign's last year, %(year)s.")
                % {"year": last},
                code="unavailable",
            )
        return dataclasses.replace(report, kind=kind)

    @classmethod
    def build(cls, *, year: int, on: datetime.date) -> "ProvinceReport":
        """The report for `year`; ValidationError(code="unavailable") if the year does not exist."""
        campaign = current_campaign()
        province = public_province()
        if campaign is None or province is None:
            raise ValidationError(_("No campaign is set up yet."), code="unavailable")
        if year not in campaign_years(campaign=campaign):
            raise ValidationError(
                _("The campaign has no year %(year)s.") % {"year": year}, code="unavailable"
            )
        period = ReportingPeriod.objects.filter(campaign=campaign, year=year).first()
        return cls(year=year, on=on, campaign=campaign, province=province, period=period)

    def filename(self) -> str:
        if self.kind == ReportKind.INTERIM:
            return f"bao-cao-so-ket-{self.year}.pdf"
        if self.kind == ReportKind.FINAL:
            return f"bao-cao-tong-ket-{self.year}.pdf"
        return f"bao-cao-tinh-{self.year}.pdf"

    def _titles(self) -> tuple[str, str]:
        span = {"title": self.campaign.title, "first": self.first_year, "year": self.year}
        if self.kind == ReportKind.INTERIM:
            return (
                _("Mid-term review of the campaign, %(first)s–%(year)s") % span,
                _("Mid-term review of the emulation movement “%(title)s”, %(first)s–%(year)s")
                % span,
            )
        if self.kind == ReportKind.FINAL:
            return (
                _("Final review of the campaign, %(first)s–%(year)s") % span,
                _("Final review of the emulation movement “%(title)s”, %(first)s–%(year)s") % span,
            )
        return (
            _("Report on the campaign in %(year)s") % span,
            _("Results of the emulation movement “%(title)s” in %(year)s") % span,
        )

    def header(self, narrative: NarrativeState | None = None) -> DocHeader:
        narrative = narrative or self.narrative()
        document = narrative.document
        title, subtitle = self._titles()
        return doc_header(
            kind_title=_("REPORT"),
            title=title,
            subtitle=subtitle,
            on=self.on,
            kind=self.kind,
            draft=narrative.draft,
            registered_number=document.registered_number if document else "",
            issued_on=document.issued_on if document else None,
            recipients=[
                _("People's Committee of the province (to report)"),
                _("Department of Labour, Invalids and Social Affairs"),
                _("Emulation and Commendation Council of the province"),
                _("Districts and the city"),
            ],
        )

    def content(self) -> ReportContent:
        """Every figure of the main report, in a fixed number of queries."""
        campaign, province, year = self.campaign, self.province, self.year
        indicators = progress.campaign_indicators(campaign=campaign)
        overview = progress.progress_overview(
            campaign=campaign, scope=province, year=year, indicators=indicators
        )
        poverty = {p.year: p for p in overview.poverty}
        completeness = bloc_completeness(campaign=campaign, year=year, scope=province)
        sections = _indicator_sections(
            overview=overview, indicators=indicators, province=province, year=year
        )
        years = list(range(campaign.first_year, year + 1)) if self.is_review else []
        unconfirmed = unconfirmed_by_district(province=province, year=year)
        return ReportContent(
            unconfirmed_ids=set(unconfirmed),
            unconfirmed_names=list(unconfirmed.values()),
            overview=overview,
            poverty=poverty.get(year),
            poverty_before=poverty.get(year - 1),
            poverty_rows=overview.poverty,
            indicators=sections,
            years=years,
            years_rows=_years_rows(sections, years) if years else [],
            statuses=_statuses(overview),
            completeness=completeness,
            completeness_total=completeness_total(completeness),
            funds=fund_totals(campaign=campaign, year=year, scope=province),
            rankings=_ranking_sections(bloc_rankings(period=self.period)) if self.period else [],
            awards=award_sections(period=self.period) if self.period else [],
            deprivation=deprivation_section(
                campaign=campaign, scope=province, year=year, font_family=charts.PDF_FONT
            ),
            fund=fund_section(campaign=campaign, scope=province, year=year),
        )

    def main_html(self) -> str:
        content = self.content()
        narrative = self.narrative()
        poverty, before = content.poverty, content.poverty_before
        change = None
        if poverty and before and poverty.poverty_rate is not None and before.poverty_rate:
            change = round(before.poverty_rate - poverty.poverty_rate, 2)
        return render_to_string(
            "reports/pdf/province.html",
            {
                "doc": self.header(narrative),
                "report": self,
                "narrative": narrative,
                "first_year": str(self.first_year),
                "year": str(self.year),
                "previous_year": str(self.year - 1),
                "campaign": self.campaign,
                "issued_on": formats.date_format(self.campaign.issued_on, "SHORT_DATE_FORMAT"),
                "c": content,
                "poverty_change": change,
                "poverty_change_abs": abs(change) if change is not None else None,
            },
        )

    def annex(self) -> Annex | None:
        narrative = self.narrative()
        header = self.header(narrative)
        document = narrative.document
        # The report's date is the clerk's to write until the signed paper is registered.
        issued_on = document.issued_on if document and document.registered_number else None
        return commune_annex(scope=self.province, year=self.year, header=header, on=issued_on)
