"""What the Board reads when it reviews one yearly report, fetched in a fixed number of queries.

Each indicator's value is set beside the unit's commitment, last year's accepted value, the
2020 target and, for districts and communes, the imported commune statistics; each criterion's
self-assessed points beside the Board's, with a suggestion for criteria tied to an indicator.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from campaigns import selectors as campaign_selectors
from campaigns.models import (
    Criterion,
    CriterionScore,
    Evidence,
    StepAction,
    Submission,
    SubmissionStatus,
    SubmissionStep,
)
from indicators.models import Indicator, ModelResult, RegisteredTarget, ReportedValue
from indicators.progress import (
    PovertyFigures,
    Source,
    Target,
    campaign_indicators,
    indicator_source,
    progress_overview,
)
from indicators.reporting.services import is_territorial
from indicators.reporting.warnings import report_warnings
from indicators.review import scoring
from indicators.review.diffs import DiffRow, report_diff

MODEL_SOURCES = (Source.MODEL_GROWTH, Source.MODEL_ESCAPE)


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    source: str
    target: Target
    # This report's value: the ratio of its two counts, or what its model results give.
    reported: float | None = None
    numerator: int | None = None
    denominator: int | None = None
    comment: str = ""
    explanation: str = ""
    commitment: Decimal | None = None
    commitment_comment: str = ""
    last_year: float | None = None
    # Share of communes in the unit's territory, from the imported commune statistics.
    commune_value: float | None = None
    communes_with_data: int | None = None
    communes_expected: int | None = None

    @property
    def basis(self) -> float | None:
        """The value a suggested Board score is read from."""
        return self.reported if self.reported is not None else self.commune_value

    @property
    def met(self) -> bool | None:
        return None if self.basis is None else self.target.is_met(self.basis)


@dataclass(frozen=True)
class ModelRow:
    result: ModelResult
    previous_income: int | None


@dataclass(frozen=True)
class WarningRow:
    key: str
    message: str
    explanation: str


@dataclass(frozen=True)
class ScoreRow:
    criterion: Criterion
    score: CriterionScore | None
    suggestion: Decimal | None
    basis: IndicatorRow | None
    evidence: list[Evidence]

    @property
    def max_points(self) -> Decimal:
        return plain(self.criterion.max_points)

    @property
    def self_points(self) -> Decimal | None:
        return plain(self.score.self_points) if self.score else None

    @property
    def board_points(self) -> Decimal | None:
        return plain(self.score.board_points) if self.score else None

    @property
    def differs(self) -> bool:
        return self.board_points is not None and self.board_points != self.self_points


@dataclass(frozen=True)
class ScoreTotals:
    max_points: Decimal | None
    self_points: Decimal | None
    board_points: Decimal | None
    suggested: Decimal | None


@dataclass
class ReviewPage:
    submission: Submission
    deadline: Any
    territorial: bool
    indicators: list[IndicatorRow]
    poverty: list[PovertyFigures]
    models: list[ModelRow]
    warnings: list[WarningRow]
    scores: list[ScoreRow]
    totals: ScoreTotals
    evidence_general: list[Evidence]
    support: list[Any]
    communication: list[Any]
    latest_return: SubmissionStep | None
    # None when a submission before or after the return kept no snapshot (sent before the
    # portal recorded them): the Board is told it cannot be compared, not that nothing changed.
    diff: list[DiffRow] | None
    timeline: list[campaign_selectors.TimelineEntry]
    comment_keys: list[tuple[str, str]] = field(default_factory=list)

    @property
    def reviewable(self) -> bool:
        return self.submission.status == SubmissionStatus.SUBMITTED


def plain(value: Decimal | None) -> Decimal | None:
    """Points without trailing zeros, so 10.50 reads 10,5 and 8.00 reads 8."""
    return None if value is None else value.normalize()


def _ratio(numerator: float | int | None, denominator: float | int | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(100.0 * float(numerator) / float(denominator), 2)


def _value_of(value: ReportedValue) -> float | None:
    if value.denominator is not None:
        return _ratio(value.numerator, value.denominator)
    return None if value.value is None else float(value.value)


def _model_figure(source: str, rows: list[dict], previous: dict[int, dict]) -> float | None:
    """A model indicator from one year's results: the progress engine's rules on fewer rows."""
    if not rows:
        return None
    if source == Source.MODEL_ESCAPE:
        return _ratio(
            sum(r["escaped_households"] for r in rows),
            sum(r["participating_households"] for r in rows),
        )
    weighted = households = 0.0
    for row in rows:
        before = previous.get(row["model_id"])
        income = row["average_income_vnd"]
        if income is None or before is None or not before["average_income_vnd"]:
            continue
        growth = income / before["average_income_vnd"] - 1.0
        weighted += row["participating_households"] * growth
        households += row["participating_households"]
    return _ratio(weighted, households) if households else None


def _model_rows(submission: Submission) -> tuple[list[ModelRow], dict[str, float | None]]:
    """This report's model results, and the model indicators they and last year's give."""
    year, unit = submission.period.year, submission.unit
    results = list(
        ModelResult.objects.filter(model__unit=unit, year__in=[year - 2, year - 1, year])
        .select_related("model__commune")
        .annotate(report_status=F("submission__status"))
        .order_by("model__name", "year")
    )
    accepted: dict[int, dict[int, dict]] = defaultdict(dict)  # year → model → figures
    current: list[dict] = []
    shown = []
    for result in results:
        figures = {
            "model_id": result.model_id,
            "participating_households": result.participating_households,
            "escaped_households": result.escaped_households,
            "average_income_vnd": result.average_income_vnd,
        }
        if result.year == year and result.submission_id == submission.pk:
            current.append(figures)
            shown.append(result)
        elif result.report_status == SubmissionStatus.ACCEPTED:
            accepted[result.year][result.model_id] = figures
    last = accepted[year - 1]
    values: dict[str, float | None] = {}
    for source in MODEL_SOURCES:
        values[f"{source}:now"] = _model_figure(source, current, last)
        values[f"{source}:last"] = _model_figure(source, list(last.values()), accepted[year - 2])
    rows = [
        ModelRow(
            result=result,
            previous_income=last.get(result.model_id, {}).get("average_income_vnd"),
        )
        for result in shown
    ]
    return rows, values


def _indicator_rows(
    submission: Submission, indicators: list[Indicator], model_values: dict[str, float | None]
) -> tuple[list[IndicatorRow], list[PovertyFigures]]:
    period, unit = submission.period, submission.unit
    territorial = is_territorial(unit)
    values = {v.indicator_id: v for v in submission.values.all()}
    targets = {
        t.indicator_id: t
        for t in RegisteredTarget.objects.filter(
            registration__period=period, registration__unit=unit
        )
    }
    last_year = {
        v.indicator_id: v
        for v in ReportedValue.objects.filter(
            submission__unit=unit,
            submission__period__campaign_id=period.campaign_id,
            submission__period__year=period.year - 1,
            submission__status=SubmissionStatus.ACCEPTED,
        )
    }
    sources = {i.pk: indicator_source(i) for i in indicators}
    # A district or commune answers for every indicator; other units for their models and
    # whatever they committed to or reported.
    shown = [
        i
        for i in indicators
        if territorial or i.pk in values or i.pk in targets or sources[i.pk] in MODEL_SOURCES
    ]
    communes: dict[int, Any] = {}
    poverty: list[PovertyFigures] = []
    if territorial:
        # Commune statistics count as imported, without the Board's acceptance.
        overview = progress_overview(
            campaign=period.campaign,
            scope=unit,
            year=period.year,
            indicators=[i for i in shown if sources[i.pk] == Source.COMMUNES],
        )
        communes = {p.indicator_id: p for p in overview.indicators}
        poverty = [p for p in overview.poverty if p.year >= period.year - 1]
    rows = []
    for indicator in shown:
        source = sources[indicator.pk]
        value = values.get(indicator.pk)
        target = targets.get(indicator.pk)
        before = last_year.get(indicator.pk)
        row: dict[str, Any] = {
            "indicator": indicator,
            "source": source,
            "target": Target.of(indicator, indicator.direction),
            "commitment": target.value if target else None,
            "commitment_comment": target.comment if target else "",
        }
        if value is not None:
            row.update(
                reported=_value_of(value),
                numerator=value.numerator,
                denominator=value.denominator,
                comment=value.comment,
                explanation=value.warning_explanation,
            )
        if before is not None:
            row["last_year"] = _value_of(before)
        if source in MODEL_SOURCES:
            row["reported"] = model_values.get(f"{source}:now")
            row["last_year"] = model_values.get(f"{source}:last")
        progress = communes.get(indicator.pk)
        if progress is not None:
            last = next((p.value for p in progress.trend if p.year == period.year - 1), None)
            row.update(
                commune_value=progress.value,
                communes_with_data=None
                if progress.denominator is None
                else int(progress.denominator),
                communes_expected=progress.communes_expected,
                last_year=last,
            )
        rows.append(IndicatorRow(**row))
    return rows, poverty


def _comment_keys(rows: list[IndicatorRow], criteria: list[Criterion]) -> list[tuple[str, str]]:
    """The keys the officer's form shows a Board comment on, with what to call them here."""
    keys = [
        ("narrative", campaign_selectors.field_label("narrative")),
        ("fund_mobilised_vnd", campaign_selectors.field_label("fund_mobilised_vnd")),
    ]
    keys += [
        (row.indicator.code, f"{row.indicator.code} – {row.indicator.name}")
        for row in rows
        if row.source == Source.REPORTED
    ]
    keys += [
        ("models", str(_("Poverty-reduction models"))),
        ("sponsorship_support", str(_("Sponsorship support"))),
        ("communication", str(_("Communication work"))),
    ]
    keys += [(c.code, str(c)) for c in criteria]
    return keys


def review_page(*, submission: Submission) -> ReviewPage:
    """Everything the review page shows for one report (read with `submission_for_user`)."""
    period, unit = submission.period, submission.unit
    criteria = list(campaign_selectors.leaf_criteria(period=period, unit=unit))
    indicators = campaign_indicators(campaign=period.campaign)
    models, model_values = _model_rows(submission)
    rows, poverty = _indicator_rows(submission, indicators, model_values)
    by_code = {row.indicator.code: row for row in rows}

    evidence: dict[int | None, list[Evidence]] = defaultdict(list)
    for item in submission.evidence.all():
        evidence[item.criterion_id].append(item)
    scores = {s.criterion_id: s for s in submission.scores.all()}
    score_rows = []
    for criterion in criteria:
        basis = by_code.get(criterion.indicator_code) if criterion.indicator_code else None
        suggestion = None
        if basis is not None:
            suggestion = scoring.suggested_points(
                value=basis.basis,
                target_low=basis.indicator.target_low,
                target_high=basis.indicator.target_high,
                direction=basis.indicator.direction,
                max_points=criterion.max_points,
            )
        score_rows.append(
            ScoreRow(
                criterion=criterion,
                score=scores.get(criterion.pk),
                suggestion=plain(suggestion),
                basis=basis,
                evidence=evidence.get(criterion.pk, []),
            )
        )

    values = {row.indicator.code: row for row in rows}
    results = {row.result.model_id: row.result for row in models}
    warnings = []
    for warning in report_warnings(submission=submission):
        kind, _sep, ref = warning.key.partition("-")
        explanation = ""
        if kind == "value" and ref in values:
            explanation = values[ref].explanation
        elif kind == "model" and ref.isdigit() and int(ref) in results:
            explanation = results[int(ref)].comment
        warnings.append(
            WarningRow(key=warning.key, message=warning.message, explanation=explanation)
        )

    steps = list(submission.steps.all())
    latest_return = next((s for s in reversed(steps) if s.action == StepAction.RETURN), None)
    return ReviewPage(
        submission=submission,
        deadline=campaign_selectors.unit_deadline(period=period, unit=unit),
        territorial=is_territorial(unit),
        indicators=rows,
        poverty=poverty,
        models=models,
        warnings=warnings,
        scores=score_rows,
        totals=_totals(score_rows),
        evidence_general=evidence.get(None, []),
        support=list(submission.sponsorship_support.select_related("commune").order_by("pk")),
        communication=list(submission.communication.order_by("pk")),
        latest_return=latest_return,
        diff=report_diff(steps=steps, indicators=indicators, criteria=criteria),
        timeline=campaign_selectors.submission_timeline(submission=submission),
        comment_keys=_comment_keys(rows, criteria),
    )


def _sum(values: list[Decimal | None]) -> Decimal | None:
    known = [v for v in values if v is not None]
    return sum(known, Decimal(0)) if known else None


def _totals(rows: list[ScoreRow]) -> ScoreTotals:
    return ScoreTotals(
        max_points=plain(sum((r.criterion.max_points for r in rows), Decimal(0))),
        self_points=plain(_sum([r.self_points for r in rows])),
        board_points=plain(_sum([r.board_points for r in rows])),
        suggested=plain(_sum([r.suggestion for r in rows])),
    )
