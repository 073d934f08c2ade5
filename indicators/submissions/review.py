"""What the Board reads when it reviews one yearly report, fetched in a fixed number of queries.

Each indicator's value is set beside the unit's commitment, last year's accepted value, the
2020 target and, for districts and communes, the imported commune statistics; each criterion's
self-assessed points beside the Board's, with a suggestion for criteria tied to an indicator.
"""

import copy
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, overload

from django.utils.translation import get_language

from campaigns import deadlines, diffs
from campaigns import selectors as campaign_selectors
from campaigns.models import (
    CommunicationItem,
    Criterion,
    CriterionScore,
    Evidence,
    SponsorshipSupport,
    StepAction,
    Submission,
    SubmissionStatus,
    SubmissionStep,
)
from indicators.models import Indicator, ModelResult, RegisteredTarget, ReportedValue
from indicators.progress import (
    MODEL_SOURCES,
    Coverage,
    PovertyFigures,
    Source,
    Target,
    campaign_indicators,
    computed_once,
    income_growth,
    indicator_source,
    progress_overview,
    report_figures,
    report_model_results,
    statistics_key,
)
from indicators.submissions import scoring, shapes
from indicators.submissions.services import is_territorial
from indicators.submissions.warnings import report_warnings
from kontum_poverty.bulk import stored_rows
from kontum_poverty.compiled import CompiledQuery
from units.models import Unit

# As long as a dashboard keeps its pages: the key moves with commune statistics anyway.
STATISTICS_CACHE_SECONDS = 600


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
    # Communes of the territory that gave data ("9/12 xã"); the value is withheld below the
    # Board's minimum coverage.
    coverage: Coverage | None = None

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
    growth: float | None  # percent, against the accepted income of the year before


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
    totals: campaign_selectors.ScoreTotals
    suggested_total: Decimal | None
    evidence_general: list[Evidence]
    support: list[Any]
    communication: list[Any]
    latest_return: SubmissionStep | None
    # None when a submission before or after the return kept no snapshot (sent before the
    # portal recorded them): the Board is told it cannot be compared, not that nothing changed.
    diff: list[diffs.DiffRow] | None
    timeline: list[campaign_selectors.TimelineEntry]
    comment_keys: list[tuple[str, str]] = field(default_factory=list)

    @property
    def reviewable(self) -> bool:
        return self.submission.status == SubmissionStatus.SUBMITTED

    @property
    def latest_appraisal(self) -> campaign_selectors.TimelineEntry | None:
        """DOLISA's latest appraisal of the report, with its opinions under readable names."""
        return next((e for e in reversed(self.timeline) if e.appraisal is not None), None)

    @property
    def appraisal_current(self) -> bool:
        """The latest appraisal is of the report as it was last sent."""
        entry = self.latest_appraisal
        sent = self.submission.submitted_at
        return entry is not None and entry.at is not None and (sent is None or entry.at >= sent)


@overload
def plain(value: Decimal) -> Decimal: ...
@overload
def plain(value: None) -> None: ...
def plain(value: Decimal | None) -> Decimal | None:
    """Points without trailing zeros, so 10.50 reads 10,5 and 8.00 reads 8."""
    return None if value is None else value.normalize()


# Read on every load of the review page (twice per report at the deadline): compiled once per
# process, like the report itself (`campaigns.selectors.submission_for_user`).
_MODEL_RESULTS = CompiledQuery(
    lambda report: (
        report_model_results(report=report)
        .select_related("model__commune")
        .order_by("model__name", "year")
    ),
    report=int,
)
_LAST_ACCEPTED = CompiledQuery(
    lambda unit, campaign, year: campaign_selectors.accepted_reports(
        unit=unit, campaign=campaign, year=year
    ).order_by()[:1],
    unit=int,
    campaign=int,
    year=int,
)
_TARGETS = CompiledQuery(
    lambda period, unit: RegisteredTarget.objects.filter(
        registration__period_id=period, registration__unit_id=unit
    ),
    period=int,
    unit=int,
)
_SUPPORT = CompiledQuery(
    lambda report: (
        SponsorshipSupport.objects.select_related("commune")
        .filter(submission_id=report)
        .order_by("pk")
    ),
    report=int,
)


def _model_rows(submission: Submission) -> list[ModelRow]:
    """This report's model results, each beside its accepted income of the year before."""
    rows = []
    for result in _MODEL_RESULTS(report=submission.pk):
        previous = result.previous_income  # annotated by report_model_results
        rows.append(
            ModelRow(
                result=result,
                previous_income=previous,
                growth=income_growth(result.average_income_vnd, previous),
            )
        )
    return rows


@dataclass(frozen=True)
class _LastYear:
    """The unit's accepted report of the year before in the same campaign, with its values."""

    submission: Submission | None
    values: list[ReportedValue]


def _last_accepted(submission: Submission) -> _LastYear:
    """Last year's accepted report and its reported values, read once for the figures beside
    this report's and for the warnings."""
    found = _LAST_ACCEPTED(
        unit=submission.unit_id,
        campaign=submission.period.campaign_id,
        year=submission.period.year - 1,
    )
    previous = found[0] if found else None
    if previous is None:
        return _LastYear(submission=None, values=[])
    # A plain read of one report's rows: the raw statement, not an ORM query to compile.
    return _LastYear(submission=previous, values=stored_rows(ReportedValue, submission=previous.pk))


def _rubric(submission: Submission) -> tuple[list[Criterion], list[Indicator]]:
    """The unit's leaf criteria and the campaign's indicators, kept per process like a report
    form's make-up (`shapes`): they change a few times a year, and every review reads them."""
    period, unit = submission.period, submission.unit
    version = shapes.forms_version()
    criteria = shapes.kept(
        ("review-criteria", period.pk, period.campaign_id, unit.pk),
        lambda: campaign_selectors.leaf_criteria(period=period, unit=unit),
        version=version,
    )
    # Every unit's review shares the campaign's indicators.
    kept = shapes.kept(
        ("review-indicators", period.campaign_id),
        lambda: campaign_indicators(campaign=period.campaign),
        version=version,
    )
    # The minimum coverage is the campaign's, read with this request: noted on copies, so a
    # kept indicator never carries a threshold the Board has changed since.
    indicators = [copy.copy(indicator) for indicator in kept]
    for indicator in indicators:
        indicator._coverage_threshold = period.campaign.coverage_threshold  # type: ignore[attr-defined]
    return list(criteria), indicators


def _indicator_rows(
    submission: Submission, indicators: list[Indicator], previous: _LastYear
) -> tuple[list[IndicatorRow], list[PovertyFigures]]:
    period, unit = submission.period, submission.unit
    territorial = is_territorial(unit)
    read = list(submission.values.all())  # read with the report (`submission_for_user`)
    values = {v.indicator_id: v for v in read}
    targets = {t.indicator_id: t for t in _TARGETS(period=period.pk, unit=unit.pk)}
    sources = {i.pk: indicator_source(i) for i in indicators}
    # A district or commune answers for every indicator; other units for their models and
    # whatever they committed to or reported.
    shown = [
        i
        for i in indicators
        if territorial or i.pk in values or i.pk in targets or sources[i.pk] in MODEL_SOURCES
    ]
    # This report's figures and last year's accepted report's, by the progress engine's rules.
    now = report_figures(submission=submission, indicators=shown, values=read)
    last_year = (
        report_figures(submission=previous.submission, indicators=shown, values=previous.values)
        if previous.submission is not None
        else {}
    )
    communes: dict[int, Any] = {}
    poverty: list[PovertyFigures] = []
    if territorial:
        # Commune statistics count as imported, without the Board's acceptance. Nothing a report
        # holds changes them: the Board's second look (after scoring) reads the same copy.
        from_communes = [i for i in shown if sources[i.pk] == Source.COMMUNES]
        key = ":".join(
            [
                "review-communes",
                str(period.campaign_id),
                str(unit.pk),
                str(period.year),
                ",".join(str(i.pk) for i in from_communes),
                get_language() or "",
                statistics_key(),
            ]
        )
        overview = computed_once(
            key,
            lambda: progress_overview(
                campaign=period.campaign, scope=unit, year=period.year, indicators=from_communes
            ),
            timeout=STATISTICS_CACHE_SECONDS,
        )
        communes = {p.indicator_id: p for p in overview.indicators}
        poverty = [p for p in overview.poverty if p.year >= period.year - 1]
    rows = []
    for indicator in shown:
        source = sources[indicator.pk]
        value = values.get(indicator.pk)
        target = targets.get(indicator.pk)
        row: dict[str, Any] = {
            "indicator": indicator,
            "source": source,
            "target": Target.of(indicator, indicator.direction),
            "commitment": target.value if target else None,
            "commitment_comment": target.comment if target else "",
            "last_year": last_year.get(indicator.pk),
        }
        if source in MODEL_SOURCES:
            row["reported"] = now.get(indicator.pk)
        if value is not None:
            row.update(
                reported=now.get(indicator.pk),
                numerator=value.numerator,
                denominator=value.denominator,
                comment=value.comment,
                explanation=value.warning_explanation,
            )
        progress = communes.get(indicator.pk)
        if progress is not None:
            last = next((p.value for p in progress.trend if p.year == period.year - 1), None)
            row.update(
                commune_value=progress.value,
                coverage=progress.coverage,
                last_year=last,
            )
        rows.append(IndicatorRow(**row))
    return rows, poverty


def comment_keys(rows: list[IndicatorRow], criteria: list[Criterion]) -> list[tuple[str, str]]:
    """The keys the Board's return form offers a comment box for, with what to call them; the
    timeline shows a comment under the same name."""
    keys = [
        ("narrative", campaign_selectors.field_label("narrative")),
        ("fund_mobilised_vnd", campaign_selectors.field_label("fund_mobilised_vnd")),
    ]
    keys += [
        (row.indicator.code, f"{row.indicator.code} – {row.indicator.name}")
        for row in rows
        if row.source == Source.REPORTED
    ]
    keys += [(key, campaign_selectors.field_label(key)) for key in campaign_selectors.REPORT_PARTS]
    keys += [(c.code, str(c)) for c in criteria]
    return keys


def _diff(
    *, steps: list[SubmissionStep], indicators: list[Indicator], criteria: list[Criterion]
) -> list[diffs.DiffRow] | None:
    """What the unit changed after the Board's return, under readable labels."""
    changes = diffs.changes_since_return(steps)
    if changes is None:
        return None
    support_codes = [c.key for c in changes if c.section == "support"]
    labels = {
        "values": {i.code: f"{i.code} – {i.name}" for i in indicators},
        "scores": {c.code: str(c) for c in criteria},
        "support": dict(Unit.objects.filter(code__in=support_codes).values_list("code", "name")),
    }
    return diffs.labelled_changes(changes, labels=labels)


def score_rows(*, submission: Submission) -> list[ScoreRow]:
    """The criteria the Board scores, without the report's points or what the page shows beside
    them (suggestions, evidence): what the Board's score form validates and saves."""
    criteria, _indicators = _rubric(submission)
    return [
        ScoreRow(criterion=c, score=None, suggestion=None, basis=None, evidence=[])
        for c in criteria
    ]


def review_page(*, submission: Submission) -> ReviewPage:
    """Everything the review page shows for one report (read with `submission_for_user`)."""
    period, unit = submission.period, submission.unit
    criteria, indicators = _rubric(submission)
    models = _model_rows(submission)
    previous = _last_accepted(submission)
    rows, poverty = _indicator_rows(submission, indicators, previous)
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
    # The report's values, results and last year's values as read above: no second read.
    found = report_warnings(
        submission=submission,
        values=submission.values.all(),
        results=[row.result for row in models],
        previous_values=previous.values,
    )
    for warning in found:
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
    keys = comment_keys(rows, criteria)
    # The timeline names every indicator, not only those shown: an older comment may be on one.
    labels = {i.code: f"{i.code} – {i.name}" for i in indicators} | dict(keys)
    latest_return = next((s for s in reversed(steps) if s.action == StepAction.RETURN), None)
    return ReviewPage(
        submission=submission,
        deadline=deadlines.unit_deadline(period=period, unit=unit),
        territorial=is_territorial(unit),
        indicators=rows,
        poverty=poverty,
        models=models,
        warnings=warnings,
        scores=score_rows,
        totals=_plain_totals(campaign_selectors.submission_score_totals(submission=submission)),
        suggested_total=plain(_sum([row.suggestion for row in score_rows])),
        evidence_general=evidence.get(None, []),
        support=_SUPPORT(report=submission.pk),
        communication=stored_rows(CommunicationItem, submission=submission.pk),
        latest_return=latest_return,
        diff=_diff(steps=steps, indicators=indicators, criteria=criteria),
        timeline=campaign_selectors.submission_timeline(submission=submission, labels=labels),
        comment_keys=keys,
    )


def _sum(values: list[Decimal | None]) -> Decimal | None:
    known = [v for v in values if v is not None]
    return sum(known, Decimal(0)) if known else None


def _plain_totals(totals: campaign_selectors.ScoreTotals) -> campaign_selectors.ScoreTotals:
    return campaign_selectors.ScoreTotals(
        max_points=plain(totals.max_points),
        self_points=plain(totals.self_points),
        board_points=plain(totals.board_points),
    )
