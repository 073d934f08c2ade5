"""A unit's evaluation sheet for a year (phiếu đánh giá): what it committed to and achieved, its
own points against the Board's per criterion, its classification and rank, the Board's comments.

The figures are the ones the Board reads on its review page (indicators.submissions.review), so
the paper never disagrees with the screen. A report not accepted yet still gets a sheet: it says so,
and leaves classification and rank undecided.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from campaigns import selectors as campaign_selectors
from campaigns.models import (
    Criterion,
    CriterionScore,
    Registration,
    ReportingPeriod,
    SponsorshipSupport,
    StepAction,
    Submission,
    SubmissionStatus,
    SubmissionStep,
)
from campaigns.ranking import bloc_rankings
from campaigns.selectors import ScoreTotals
from indicators.imports.districts import figures_unconfirmed
from indicators.models import ReportedValue
from indicators.progress import MODEL_SOURCES, Coverage, Target
from indicators.submissions.review import ReviewPage, review_page
from kontum_poverty.numbers import round_half_up
from reports.documents.base import DocHeader, doc_header
from reports.narratives import CLOSED_STATES
from reports.pdf import Annex
from units.models import Unit

# Steps where the Board speaks to the unit; scoring comments are read from the scores themselves.
BOARD_STEPS = (StepAction.RETURN, StepAction.ACCEPT, StepAction.NOT_REPORTING, StepAction.REPORTING)


@dataclass(frozen=True)
class IndicatorLine:
    code: str
    name: str
    unit_of_measure: str
    commitment: Decimal | None
    result: Decimal | None
    numerator: int | None
    denominator: int | None
    # Where a result without counts comes from: commune statistics or the model results.
    from_communes: bool
    from_models: bool
    coverage: Coverage | None
    target: Target
    target_year: int
    met: bool | None


@dataclass(frozen=True)
class ModelLine:
    name: str
    commune: str
    households: int
    escaped: int
    income: int | None
    previous_income: int | None
    growth: Decimal | None  # percent, against last year's accepted income
    comment: str


@dataclass(frozen=True)
class SupportLine:
    commune: str
    money: int
    in_kind_value: int
    in_kind: str
    works: str


@dataclass(frozen=True)
class PovertyLine:
    year: int
    communes: str
    households: int
    poor: int
    rate: Decimal | None
    escaped: int
    newly_poor: int
    fell_back: int


@dataclass(frozen=True)
class ScoreLine:
    criterion_id: int | None
    code: str
    name: str
    depth: int
    is_group: bool
    max_points: Decimal | None
    self_points: Decimal | None
    board_points: Decimal | None


@dataclass(frozen=True)
class RankLine:
    bloc: str
    rank: int | None
    count: int


@dataclass(frozen=True)
class NoteLine:
    label: str
    text: str


@dataclass(frozen=True)
class BoardNote:
    """One step where the Board told the unit something: a return, an acceptance, a marking."""

    at: datetime.datetime
    action: str
    text: str
    comments: list[NoteLine]


def plain(value: Decimal | float | int | None, places: int = 2) -> Decimal | None:
    """A figure rounded to `places` decimals without trailing zeros: 52,5 rather than 52,50."""
    number = round_half_up(value, places)
    return None if number is None else number.normalize()


def _sum(values: list[Decimal | None]) -> Decimal | None:
    known = [v for v in values if v is not None]
    return sum(known, Decimal(0)) if known else None


class Points(NamedTuple):
    """Maximum, self-assessed and Board points of a subtree's leaves (None: none scored)."""

    maximum: Decimal
    self: Decimal | None
    board: Decimal | None


def _add(parts: list[Points]) -> Points:
    return Points(
        sum((p.maximum for p in parts), Decimal(0)),
        _sum([p.self for p in parts]),
        _sum([p.board for p in parts]),
    )


def period_for_year(year: int) -> ReportingPeriod:
    """The reporting year of the latest campaign that has it; unavailable without one."""
    # Two campaigns may share a year (a successor campaign): the newest one is the one reported.
    period = (
        ReportingPeriod.objects.filter(year=year)
        .select_related("campaign")
        .order_by("-campaign__issued_on")
        .first()
    )
    if period is None:
        raise ValidationError(
            _("There is no reporting year %(year)s."), code="unavailable", params={"year": year}
        )
    return period


def _no_report(*, unit_code: str, year: int) -> ValidationError:
    return ValidationError(
        _("%(unit)s has no report for %(year)s."),
        code="unavailable",
        params={"unit": unit_code, "year": year},
    )


def sheet_filename(*, year: int, unit_code: str) -> str:
    """The sheet's file name once its year and report exist: all that asking for one needs."""
    period = period_for_year(year)
    if not Submission.objects.filter(period=period, unit__code=unit_code).exists():
        raise _no_report(unit_code=unit_code, year=year)
    return f"phieu-danh-gia-{year}-{slugify(unit_code)}.pdf"


def sheet_submission(*, period: ReportingPeriod, unit_code: str) -> Submission:
    """The unit's report for the year with everything the sheet reads; unavailable without one."""
    submission = (
        Submission.objects.filter(period=period, unit__code=unit_code)
        .select_related("period__campaign", "unit")
        .prefetch_related(
            Prefetch(
                "steps",
                queryset=SubmissionStep.objects.select_related("by").order_by("at", "pk"),
            ),
            Prefetch("scores", queryset=CriterionScore.objects.select_related("criterion")),
            Prefetch("values", queryset=ReportedValue.objects.select_related("indicator")),
            "evidence",
            Prefetch(
                "sponsorship_support",
                queryset=SponsorshipSupport.objects.select_related("commune").order_by(
                    "commune__name", "pk"
                ),
            ),
        )
        .first()
    )
    if submission is None:
        raise _no_report(unit_code=unit_code, year=period.year)
    return submission


def unit_criteria(*, period: ReportingPeriod, unit: Unit) -> list[Criterion]:
    """The whole rubric of the unit's blocs in the year's campaign, groups and leaves, in order."""
    return list(
        Criterion.objects.filter(campaign_id=period.campaign_id, bloc__memberships__unit=unit)
        .select_related("bloc")
        .order_by("bloc__order", "bloc__code", "order", "code")
    )


def score_lines(
    *, criteria: list[Criterion], scores: dict[int, CriterionScore], totals: ScoreTotals
) -> tuple[list[ScoreLine], ScoreLine]:
    """The criterion tree in rubric order, each group with its leaves' subtotals, and the total
    (the report's one total, `campaigns.selectors.score_totals`)."""
    children: dict[int | None, list[Criterion]] = defaultdict(list)
    known = {c.pk for c in criteria}
    for criterion in criteria:
        children[criterion.parent_id if criterion.parent_id in known else None].append(criterion)

    def walk(criterion: Criterion, depth: int) -> tuple[list[ScoreLine], Points]:
        """The criterion's line and its subtree's, with the maximum and points of its leaves."""
        kids = children.get(criterion.pk, [])
        below: list[ScoreLine] = []
        if kids:
            walked = [walk(kid, depth + 1) for kid in kids]
            for kid_lines, _points in walked:
                below += kid_lines
            points = _add([p for _lines, p in walked])
        else:
            score = scores.get(criterion.pk)
            points = Points(
                criterion.max_points,
                score.self_points if score else None,
                score.board_points if score else None,
            )
        line = ScoreLine(
            criterion_id=criterion.pk,
            code=criterion.code,
            name=criterion.name,
            depth=depth,
            is_group=bool(kids),
            max_points=plain(criterion.max_points),
            self_points=plain(points.self),
            board_points=plain(points.board),
        )
        return [line, *below], points

    lines: list[ScoreLine] = []
    for root in children.get(None, []):
        lines += walk(root, 0)[0]
    total = ScoreLine(
        criterion_id=None,
        code="",
        name=_("Total"),
        depth=0,
        is_group=True,
        max_points=plain(totals.max_points),
        self_points=plain(totals.self_points),
        board_points=plain(totals.board_points),
    )
    return lines, total


def _indicator_lines(page: ReviewPage) -> list[IndicatorLine]:
    lines = []
    for row in page.indicators:
        from_models = row.source in MODEL_SOURCES
        from_communes = row.reported is None and row.commune_value is not None
        lines.append(
            IndicatorLine(
                code=row.indicator.code,
                name=row.indicator.name,
                unit_of_measure=row.indicator.unit_of_measure,
                commitment=plain(row.commitment),
                result=plain(row.basis),
                numerator=row.numerator if row.reported is not None else None,
                denominator=row.denominator if row.reported is not None else None,
                from_communes=from_communes,
                from_models=from_models and row.reported is not None,
                coverage=row.coverage,
                target=row.target,
                target_year=row.indicator.target_year,
                met=row.met,
            )
        )
    return lines


def _model_lines(page: ReviewPage) -> list[ModelLine]:
    lines = []
    for row in page.models:
        result = row.result
        lines.append(
            ModelLine(
                name=result.model.name,
                commune=result.model.commune.name if result.model.commune else "",
                households=result.participating_households,
                escaped=result.escaped_households,
                income=result.average_income_vnd,
                previous_income=row.previous_income,
                growth=plain(row.growth, 1),
                comment=result.comment,
            )
        )
    return lines


def _board_notes(submission: Submission, labels: dict[str, str]) -> list[BoardNote]:
    notes = []
    for step in submission.steps.all():
        if step.action not in BOARD_STEPS or not (step.comment or step.field_comments):
            continue
        comments = [
            NoteLine(
                label=labels.get(str(key)) or campaign_selectors.field_label(str(key)),
                text=str(text),
            )
            for key, text in (step.field_comments or {}).items()
        ]
        notes.append(
            BoardNote(
                at=step.at,
                action=step.get_action_display(),
                text=step.comment,
                comments=comments,
            )
        )
    return notes


@dataclass
class UnitSheet:
    """Everything the sheet prints, as plain values; `main_html` only lays them out."""

    header: DocHeader
    year: int
    unit_name: str
    unit_code: str
    campaign_title: str
    status: str
    status_label: str
    not_reporting: bool
    submitted_at: datetime.datetime | None
    accepted_at: datetime.datetime | None
    territorial: bool
    narrative: str
    fund_pledge: int | None
    fund_mobilised: int | None
    fund_share: Decimal | None
    sponsorship_commitment: str
    other_commitments: str
    support: list[SupportLine]
    support_money: int
    support_in_kind: int
    indicators: list[IndicatorLine]
    poverty: list[PovertyLine]
    models: list[ModelLine]
    scores: list[ScoreLine]
    total: ScoreLine
    classification: str
    ranks: list[RankLine]
    score_notes: list[NoteLine]
    board_notes: list[BoardNote] = field(default_factory=list)
    # The year's commune figures include some the district has not confirmed.
    poverty_unconfirmed: bool = False

    @property
    def accepted(self) -> bool:
        return self.status == SubmissionStatus.ACCEPTED

    @classmethod
    def build(cls, *, year: int, unit_code: str, on: datetime.date) -> "UnitSheet":
        """The sheet of `unit_code` for `year`; ValidationError(code="unavailable") without one."""
        period = period_for_year(year)
        submission = sheet_submission(period=period, unit_code=unit_code)
        unit = submission.unit
        registration = Registration.objects.filter(period=period, unit=unit).first()
        page = review_page(submission=submission)
        scores = {s.criterion_id: s for s in submission.scores.all()}
        criteria = unit_criteria(period=period, unit=unit)
        lines, total = score_lines(criteria=criteria, scores=scores, totals=page.totals)

        ranks = [
            RankLine(bloc=ranking.bloc.name, rank=row.rank, count=len(ranking.ranked))
            for ranking in bloc_rankings(period=period)
            for row in ranking.rows
            if row.unit.pk == unit.pk
        ]
        support = [
            SupportLine(
                commune=item.commune.name,
                money=item.money_vnd,
                in_kind_value=item.in_kind_value_vnd,
                in_kind=item.in_kind,
                works=item.works,
            )
            for item in submission.sponsorship_support.all()
        ]
        pledge = registration.fund_pledge_vnd if registration else None
        mobilised = submission.fund_mobilised_vnd
        # In the order of the printed tree, under the criterion's code and name.
        score_notes = []
        for line in lines:
            score = scores.get(line.criterion_id or 0)
            if score is not None and score.board_justification:
                score_notes.append(
                    NoteLine(label=f"{line.code}. {line.name}", text=score.board_justification)
                )
        accepted = submission.status == SubmissionStatus.ACCEPTED
        # A notice (thông báo) of the Board's evaluation, a document type of Decree 30; final
        # once the Board has accepted the report and closed the year.
        final = accepted and period.state in CLOSED_STATES
        header = doc_header(
            kind_title=_("NOTICE"),
            title=_("Evaluation of %(unit)s in %(year)s") % {"year": year, "unit": unit.name},
            on=on,
            subtitle=_(
                "Results of the evaluation and scoring of %(unit)s in the emulation movement "
                "“%(title)s” in %(year)s"
            )
            % {"unit": unit.name, "title": period.campaign.title, "year": year},
            kind="unit",
            recipients=[unit.name],
            draft=not final,
        )
        return cls(
            header=header,
            year=year,
            unit_name=unit.name,
            unit_code=unit.code,
            campaign_title=period.campaign.title,
            status=submission.status,
            status_label=submission.get_status_display(),
            not_reporting=submission.not_reporting,
            submitted_at=submission.submitted_at,
            accepted_at=submission.accepted_at,
            territorial=page.territorial,
            narrative=submission.narrative,
            fund_pledge=pledge,
            fund_mobilised=mobilised,
            fund_share=plain(100 * mobilised / pledge, 1)
            if pledge and mobilised is not None
            else None,
            sponsorship_commitment=registration.sponsorship_commitment if registration else "",
            other_commitments=registration.other_commitments if registration else "",
            support=support,
            support_money=sum(s.money for s in support),
            support_in_kind=sum(s.in_kind_value for s in support),
            indicators=_indicator_lines(page),
            poverty=[
                PovertyLine(
                    year=p.year,
                    communes=str(p.coverage),
                    households=p.total_households,
                    poor=p.poor_households,
                    rate=plain(p.poverty_rate),
                    escaped=p.escaped_poverty,
                    newly_poor=p.newly_poor,
                    fell_back=p.fell_back,
                )
                for p in page.poverty
            ],
            models=_model_lines(page),
            scores=lines,
            total=total,
            classification=submission.get_classification_display() if accepted else "",
            ranks=ranks,
            score_notes=score_notes,
            board_notes=_board_notes(submission, dict(page.comment_keys)),
            poverty_unconfirmed=bool(page.poverty) and figures_unconfirmed(year=year, scope=unit),
        )

    def filename(self) -> str:
        return f"phieu-danh-gia-{self.year}-{slugify(self.unit_code)}.pdf"  # as sheet_filename

    def main_html(self) -> str:
        return render_to_string("reports/pdf/unit_sheet.html", {"doc": self.header, "sheet": self})

    def annex(self) -> Annex | None:
        return None
