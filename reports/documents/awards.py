"""The Board's proposal letter for a year's awards (tờ trình) and the list attached to it (danh
sách đề nghị khen thưởng): the units proposed, grouped by award, with their points,
classification, rank and achievements.

Withdrawn proposals are deleted (campaigns.services.awards.proposal_remove) and rejected ones
are not proposed any more: the list holds the proposals still standing and those approved.
"""

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import F, Sum
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from campaigns.models import (
    AwardKind,
    AwardProposal,
    Classification,
    NomineeKind,
    ProposalStatus,
    ReportingPeriod,
    SponsorshipSupport,
    Submission,
    SubmissionStatus,
)
from campaigns.ranking import bloc_rankings
from indicators.models import ModelResult
from reports.documents.base import DocHeader, doc_header
from reports.documents.unit_sheet import period_for_year, plain
from reports.models import ReportKind
from reports.narratives import CLOSED_STATES, board_document, content_key
from reports.pdf import Annex

LISTED = (ProposalStatus.PROPOSED, ProposalStatus.APPROVED)
ROMAN = ("I", "II", "III", "IV", "V", "VI")


@dataclass(frozen=True)
class AwardLine:
    unit_name: str
    unit_code: str
    bloc: str
    points: Decimal | None
    classification: str
    rank: int | None
    rank_count: int
    reason: str
    approved: bool
    decision_number: str
    decision_date: datetime.date | None
    fund_mobilised: int | None
    support_vnd: int | None
    model_households: int | None
    escaped_households: int | None


@dataclass(frozen=True)
class AwardGroup:
    number: str
    award: str
    lines: list[AwardLine]


@dataclass(frozen=True)
class _Standing:
    bloc: str
    bloc_order: tuple[int, str]
    rank: int | None
    count: int


def listed_proposals(*, period: ReportingPeriod) -> list[AwardProposal]:
    """The year's proposals still standing or approved, with their units."""
    return list(
        AwardProposal.objects.filter(period=period, status__in=LISTED)
        .select_related("unit", "nominee")
        .order_by("award", "unit__code", "nominee__kind", "nominee__name")
    )


def _standings(period: ReportingPeriod) -> dict[int, _Standing]:
    """Each unit's bloc and rank; a unit in two blocs stands where it ranks best."""
    standings: dict[int, _Standing] = {}
    for ranking in bloc_rankings(period=period):
        for row in ranking.rows:
            standing = _Standing(
                bloc=ranking.bloc.name,
                bloc_order=(ranking.bloc.order, ranking.bloc.code),
                rank=row.rank,
                count=len(ranking.ranked),
            )
            known = standings.get(row.unit.pk)
            if known is None or (known.rank is None and row.rank is not None):
                standings[row.unit.pk] = standing
    return standings


def _main_figures(
    period: ReportingPeriod, unit_ids: list[int]
) -> dict[str, Mapping[int, Mapping[str, Any]]]:
    """Board points, fund, support and model figures of the proposed units' reports, grouped."""
    reports = {
        row["unit_id"]: row
        for row in Submission.objects.filter(period=period, unit_id__in=unit_ids)
        .annotate(total=Sum("scores__board_points"))
        .values("unit_id", "status", "classification", "fund_mobilised_vnd", "total")
    }
    support = {
        row["unit_id"]: row
        for row in SponsorshipSupport.objects.filter(
            submission__period=period, submission__unit_id__in=unit_ids
        )
        .values(unit_id=F("submission__unit_id"))
        .annotate(money=Sum("money_vnd"), in_kind=Sum("in_kind_value_vnd"))
        .order_by()
    }
    models = {
        row["unit_id"]: row
        for row in ModelResult.objects.filter(
            year=period.year, submission__period=period, submission__unit_id__in=unit_ids
        )
        .values(unit_id=F("submission__unit_id"))
        .annotate(households=Sum("participating_households"), escaped=Sum("escaped_households"))
        .order_by()
    }
    return {"reports": reports, "support": support, "models": models}


def award_groups(*, period: ReportingPeriod) -> list[AwardGroup]:
    """The proposals of the year by award, flag first, each unit with its standing and figures."""
    proposals = listed_proposals(period=period)
    if not proposals:
        return []
    standings = _standings(period)
    figures = _main_figures(period, sorted({p.unit_id for p in proposals}))
    classifications = dict(Classification.choices)
    by_award: dict[str, list[tuple[tuple, AwardLine]]] = defaultdict(list)
    for proposal in proposals:
        # A person's or household's line names them and their achievements, not their unit's
        # points, rank and figures.
        collective = proposal.nominee.kind == NomineeKind.COLLECTIVE
        standing = standings.get(proposal.unit_id) if collective else None
        report = figures["reports"].get(proposal.unit_id, {}) if collective else {}
        support = figures["support"].get(proposal.unit_id) if collective else None
        models = figures["models"].get(proposal.unit_id) if collective else None
        accepted = report.get("status") == SubmissionStatus.ACCEPTED
        nominee = proposal.nominee
        where = nominee.details or proposal.unit.name
        line = AwardLine(
            unit_name=proposal.unit.name
            if collective
            else f"{nominee.get_kind_display()}: {nominee.name} ({where})",
            unit_code=proposal.unit.code,
            bloc=standing.bloc if standing else "",
            points=plain(report.get("total")),
            classification=str(classifications.get(report.get("classification", ""), ""))
            if accepted
            else "",
            rank=standing.rank if standing else None,
            rank_count=standing.count if standing else 0,
            reason="\n".join(text for text in (proposal.summary, proposal.reason) if text),
            approved=proposal.status == ProposalStatus.APPROVED,
            decision_number=proposal.decision_number,
            decision_date=proposal.decision_date,
            fund_mobilised=report.get("fund_mobilised_vnd"),
            support_vnd=(support["money"] or 0) + (support["in_kind"] or 0) if support else None,
            model_households=models["households"] if models else None,
            escaped_households=models["escaped"] if models else None,
        )
        # Bloc by bloc, best rank first; units outside every bloc close the group.
        key = (
            standing is None,
            standing.bloc_order if standing else (0, ""),
            standing is None or standing.rank is None,
            standing.rank or 0 if standing else 0,
            proposal.unit.code,
        )
        by_award[proposal.award].append((key, line))
    groups: list[AwardGroup] = []
    for award in AwardKind:
        if award.value in by_award:
            lines = [line for _key, line in sorted(by_award[award.value], key=lambda i: i[0])]
            groups.append(
                AwardGroup(number=ROMAN[len(groups)], award=str(award.label), lines=lines)
            )
    return groups


def award_list_key(groups: list[AwardGroup]) -> str:
    """What the list says, as a fingerprint: an approval holds only for the list it saw."""
    return content_key([dataclasses.asdict(group) for group in groups])


def award_list_html(*, groups: list[AwardGroup], year: int, letter_symbol: str) -> str:
    """The list attached to the letter: units by award with their standing and achievements.

    Kept apart from the letter so that further columns (nominee kind, summary) slot in here.
    """
    return render_to_string(
        "reports/pdf/_award_list.html",
        {
            "groups": groups,
            "count": sum(len(group.lines) for group in groups),
            "year": year,
            "letter_symbol": letter_symbol,
        },
    )


@dataclass
class AwardLetter:
    """The Board's proposal letter (tờ trình) for a year, with the award list attached."""

    header: DocHeader
    year: int
    campaign_number: str
    campaign_date: datetime.date
    campaign_body: str
    groups: list[AwardGroup]

    @property
    def count(self) -> int:
        return sum(len(group.lines) for group in self.groups)

    @classmethod
    def build(cls, *, year: int, on: datetime.date) -> "AwardLetter":
        """The Board's letter for `year`; ValidationError(code="unavailable") without the year."""
        period = period_for_year(year)
        campaign = period.campaign
        groups = award_groups(period=period)
        document = board_document(campaign=campaign, kind=ReportKind.AWARDS, year=year)
        approved = (
            document is not None
            and document.approved_at is not None
            and document.approved_key == award_list_key(groups)
        )
        header = doc_header(
            kind_title=_("PROPOSAL LETTER"),
            title=_("Award proposal letter %(year)s") % {"year": year},
            on=on,
            subtitle=_(
                "On awards for the collectives with achievements in the emulation movement "
                "“%(title)s” in %(year)s"
            )
            % {"title": campaign.title, "year": year},
            kind=ReportKind.AWARDS,
            recipients=[_("As above"), _("Emulation and Commendation Council of the province")],
            draft=not (approved and period.state in CLOSED_STATES),
            registered_number=document.registered_number if document else "",
            issued_on=document.issued_on if document else None,
        )
        return cls(
            header=header,
            year=year,
            campaign_number=campaign.number,
            campaign_date=campaign.issued_on,
            campaign_body=campaign.issuing_body,
            groups=groups,
        )

    def filename(self) -> str:
        return f"to-trinh-khen-thuong-{self.year}.pdf"

    def main_html(self) -> str:
        attached = award_list_html(
            groups=self.groups,
            year=self.year,
            letter_symbol=self.header.symbol,
        )
        return render_to_string(
            "reports/pdf/awards.html",
            {
                "doc": self.header,
                "letter": self,
                "attached": attached,
                "place": settings.REPORT_PLACE,
            },
        )

    def annex(self) -> Annex | None:
        return None
