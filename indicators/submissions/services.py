"""A unit's yearly report as one whole: the campaigns part plus values and model results."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns import selectors as campaign_selectors
from campaigns import services as campaign_services
from campaigns.models import (
    Criterion,
    Evidence,
    Registration,
    ReportingPeriod,
    Submission,
)
from indicators.models import (
    Indicator,
    Measure,
    ModelResult,
    PovertyModel,
    RegisteredTarget,
    ReportedValue,
)
from indicators.progress import MODEL_SOURCES, Source, indicator_source
from indicators.submissions import shapes
from indicators.submissions.warnings import SoftWarning, report_warnings
from kontum_poverty.bulk import Rows, rows_read_together, writes_batched
from kontum_poverty.compiled import CompiledQuery
from kontum_poverty.history import Changes
from units.models import Unit, UnitLevel, User

__all__ = ["SoftWarning", "report_warnings"]  # re-exported: the form view reads them here


@dataclass(frozen=True)
class ValueInput:
    numerator: int | None
    denominator: int | None
    comment: str = ""
    explanation: str = ""


@dataclass(frozen=True)
class ResultInput:
    participating_households: int | None
    average_income_vnd: int | None
    escaped_households: int | None
    explanation: str = ""


@dataclass(frozen=True)
class NewModelInput:
    name: str
    participating_households: int
    commune_id: int | None = None


@dataclass(frozen=True)
class ReportShape:
    """What a unit's report is made of in a year: the fields of its form."""

    criteria: list[Criterion]
    indicators: list[Indicator]
    models: list[PovertyModel]
    communes: list[Unit]


@dataclass
class SaveOutcome:
    submission: Submission
    submit_error: ValidationError | None = None
    evidence_errors: list[tuple[int, ValidationError]] = field(default_factory=list)


def is_territorial(unit: Unit) -> bool:
    return unit.level in (UnitLevel.DISTRICT, UnitLevel.COMMUNE)


# The form page, every save and submit read a unit's report form; at the deadline a different
# unit's each time, so these are compiled once per process rather than built on each read.
_RATES = CompiledQuery(
    lambda campaign: Indicator.objects.filter(campaign_id=campaign, measure=Measure.RATE),
    campaign=int,
)
_MODELS = CompiledQuery(
    lambda unit, year: PovertyModel.objects.filter(
        unit_id=unit, start_year__lte=year
    ).select_related("commune"),
    unit=int,
    year=int,
)


def reported_indicators(*, period: ReportingPeriod, unit: Unit) -> list[Indicator]:
    """Indicators the unit reports as two counts: districts and communes report the rates."""
    if not is_territorial(unit):
        return []
    return [
        indicator
        for indicator in _RATES(campaign=period.campaign_id)
        if indicator_source(indicator) == Source.REPORTED
    ]


def registration_indicators(*, period: ReportingPeriod, unit: Unit) -> list[Indicator]:
    """Indicators a unit commits to: all of them for a territory, the model ones for the rest."""
    indicators = Indicator.objects.filter(campaign_id=period.campaign_id)
    if is_territorial(unit):
        return list(indicators)
    return [indicator for indicator in indicators if indicator_source(indicator) in MODEL_SOURCES]


def unit_models(*, period: ReportingPeriod, unit: Unit) -> list[PovertyModel]:
    """The unit's poverty-reduction models running in the year."""
    return _MODELS(unit=unit.pk, year=period.year)


def report_shape(*, period: ReportingPeriod, unit: Unit, version: str | None = None) -> ReportShape:
    """The unit's leaf criteria, reported indicators, models and sponsored communes.

    Kept per process until any of them may have changed (`indicators.submissions.shapes`);
    each caller gets lists of its own. `version`: the form counter as the caller has just read
    it (`report_with_forms_version`)."""

    def read() -> ReportShape:
        return ReportShape(
            criteria=campaign_selectors.leaf_criteria(period=period, unit=unit),
            indicators=reported_indicators(period=period, unit=unit),
            models=unit_models(period=period, unit=unit),
            communes=campaign_selectors.sponsored_communes(period=period, unit=unit),
        )

    key = (period.pk, period.campaign_id, period.year, unit.pk, unit.level)
    shape = shapes.kept(key, read, version=version)
    return ReportShape(
        criteria=list(shape.criteria),
        indicators=list(shape.indicators),
        models=list(shape.models),
        communes=list(shape.communes),
    )


@transaction.atomic
def registration_with_targets_save(
    *,
    period: ReportingPeriod,
    unit: Unit,
    by: User,
    fund_pledge_vnd: int | None,
    sponsorship_commitment: str,
    other_commitments: str,
    targets: Mapping[int, Decimal | None],
) -> Registration:
    """Record the unit's registration with its committed target per indicator."""
    registration = campaign_services.registration_save(
        period=period,
        unit=unit,
        by=by,
        fund_pledge_vnd=fund_pledge_vnd,
        sponsorship_commitment=sponsorship_commitment,
        other_commitments=other_commitments,
    )
    allowed = {i.pk for i in registration_indicators(period=period, unit=unit)}
    for indicator_id, value in targets.items():
        if indicator_id not in allowed:
            continue
        if value is None:
            RegisteredTarget.objects.filter(
                registration=registration, indicator_id=indicator_id
            ).delete()
        else:
            RegisteredTarget.objects.update_or_create(
                registration=registration, indicator_id=indicator_id, defaults={"value": value}
            )
    return registration


def report_checklist(
    *,
    submission: Submission,
    warnings: list[SoftWarning] | None = None,
    indicators: list[Indicator] | None = None,
    values: list[ReportedValue] | None = None,
) -> list[campaign_selectors.ChecklistItem]:
    """The indicators part of the checklist: rates reported, every warning explained.

    `indicators`: the unit's `reported_indicators` when the caller has read them already;
    `values`: the report's reported values, likewise."""
    if warnings is None:
        warnings = report_warnings(submission=submission)
    if indicators is None:
        indicators = reported_indicators(period=submission.period, unit=submission.unit)
    if values is not None:
        complete = {
            v.indicator_id for v in values if v.numerator is not None and v.denominator is not None
        }
    elif submission.pk is not None:
        complete = set(
            submission.values.filter(
                numerator__isnull=False, denominator__isnull=False
            ).values_list("indicator_id", flat=True)
        )
    else:  # a report not saved yet has no values (and cannot be queried through)
        complete = set()
    items = []
    if indicators:
        items.append(
            campaign_selectors.ChecklistItem(
                key="values",
                label=str(_("Both counts of every indicator you report")),
                done=all(i.pk in complete for i in indicators),
            )
        )
    items.append(
        campaign_selectors.ChecklistItem(
            key="warnings",
            label=str(_("An explanation for every warning")),
            done=all(w.explained for w in warnings),
            code="unexplained_warnings",
        )
    )
    return items


@transaction.atomic
def report_save(
    *,
    submission: Submission,
    by: User,
    expected_version: int,
    draft: campaign_services.DraftInput,
    values: Mapping[int, ValueInput],
    results: Mapping[int, ResultInput],
    new_model: NewModelInput | None = None,
    evidence_files: Sequence[tuple[int, UploadedFile]] = (),
    remove_evidence: Sequence[int] = (),
    submit: bool = False,
    shape: ReportShape | None = None,
) -> SaveOutcome:
    """Save the whole report as one draft; with `submit`, then send it if the checklist is met.

    A report never saved yet (`submission_get_or_new`) is created here, in this transaction: a
    refused first save leaves no empty draft behind. `shape` is the report's `report_shape()`
    when the caller has just read it to validate its form; it is read here otherwise."""
    if submission.pk is None:
        submission = campaign_services.submission_get_or_create_draft(
            period=submission.period, unit=submission.unit
        )
    if shape is None:
        shape = report_shape(period=submission.period, unit=submission.unit)
    # The changed rows and their history go to the database together once the draft is whole.
    # The row lock first: a second tab or a double click waits behind it. The stored rows are
    # read after it, all in one statement, so they are what the last save left; lock and read
    # go in one round trip.
    with (
        writes_batched(),
        rows_read_together(
            campaign_services.locked_report_row(submission),
            *campaign_services.draft_rows(submission),
            *([_value_rows(submission)] if shape.indicators else []),
            *([_result_rows(submission, shape.models)] if shape.models else []),
        ),
    ):
        submission = campaign_services.submission_lock_for_edit(
            submission=submission, expected_version=expected_version
        )
        submission = campaign_services.submission_save_draft(
            submission=submission,
            by=by,
            expected_version=expected_version,
            data=draft,
            criteria=shape.criteria,
            communes=shape.communes,
            locked=True,
        )
        _values_save(submission=submission, values=values, indicators=shape.indicators, by=by)
        _results_save(
            submission=submission,
            results=results,
            new_model=new_model,
            models=shape.models,
            by=by,
        )
    # Most saves remove nothing: no query to build then (building one costs a draft save
    # nearly a tenth of its time).
    if remove_evidence:
        for evidence in Evidence.objects.filter(submission=submission, pk__in=remove_evidence):
            campaign_services.evidence_remove(evidence=evidence, by=by)
    outcome = SaveOutcome(submission=submission)
    added: list[Evidence] = []
    try:
        for criterion_id, file in evidence_files:
            try:
                with transaction.atomic():
                    added.append(
                        campaign_services.evidence_add(
                            submission=submission, criterion_id=criterion_id, file=file, by=by
                        )
                    )
            except ValidationError as exc:
                outcome.evidence_errors.append((criterion_id, exc))
        if submit and not outcome.evidence_errors:
            try:
                # A savepoint: a refused submission still keeps the draft just saved. Batched:
                # the figures counter (`figures_changed`) is counted last, so its row, which
                # every submission and acceptance locks, is locked the least.
                with transaction.atomic(), writes_batched():
                    # Read once for the warnings, the checklist and the snapshot.
                    sent_values = _SENT_VALUES(report=submission.pk)
                    sent_results = _SENT_RESULTS(report=submission.pk)
                    warnings = report_warnings(
                        submission=submission, values=sent_values, results=sent_results
                    )
                    outcome.submission = campaign_services.submission_submit(
                        submission=submission,
                        by=by,
                        expected_version=submission.version,
                        extra_checklist=report_checklist(
                            submission=submission,
                            warnings=warnings,
                            indicators=shape.indicators,
                            values=sent_values,
                        ),
                        extra_snapshot=report_snapshot(
                            submission=submission, values=sent_values, results=sent_results
                        ),
                        criteria=shape.criteria,
                        locked=True,  # by the save above, in this transaction
                    )
            except ValidationError as exc:
                outcome.submit_error = exc
    except Exception:
        # The rows roll back with the transaction; stored files would not, so remove them.
        for evidence in added:
            if evidence.file.name:
                evidence.file.storage.delete(evidence.file.name)
        raise
    return outcome


# Read by every submit, for the warnings, the checklist and the snapshot.
_SENT_VALUES = CompiledQuery(
    lambda report: ReportedValue.objects.filter(submission_id=report).select_related("indicator"),
    report=int,
)
_SENT_RESULTS = CompiledQuery(
    lambda report: ModelResult.objects.filter(submission_id=report).select_related("model"),
    report=int,
)


def report_snapshot(
    *,
    submission: Submission,
    values: Sequence[ReportedValue] | None = None,
    results: Sequence[ModelResult] | None = None,
) -> dict[str, dict[str, str]]:
    """Indicator values and model results as sent, beside the campaigns app's own snapshot.

    `values` and `results`: the report's, with their indicators and models, when the caller
    has just read them."""

    def text(*parts: object) -> str:
        return " – ".join(str(part) for part in parts if part not in (None, ""))

    sent_values: Iterable[ReportedValue] = (
        values
        if values is not None
        else ReportedValue.objects.filter(submission=submission).select_related("indicator")
    )
    sent_results: Iterable[ModelResult] = (
        results
        if results is not None
        else ModelResult.objects.filter(submission=submission).select_related("model")
    )
    return {
        "values": {
            v.indicator.code: text(
                f"{v.numerator}/{v.denominator}" if v.denominator is not None else v.value,
                v.comment,
                v.warning_explanation,
            )
            for v in sent_values
        },
        "models": {
            r.model.name: text(
                r.participating_households, r.escaped_households, r.average_income_vnd, r.comment
            )
            for r in sent_results
        },
    }


def _value_rows(submission: Submission) -> Rows:
    return Rows.of(ReportedValue, history=True, submission=submission.pk)


def _result_rows(submission: Submission, models: Sequence[PovertyModel]) -> Rows:
    return Rows.of(
        ModelResult, history=True, model=[m.pk for m in models], year=submission.period.year
    )


def _values_save(
    *,
    submission: Submission,
    values: Mapping[int, ValueInput],
    indicators: Sequence[Indicator],
    by: User,
) -> None:
    allowed = {i.pk for i in indicators}
    if not allowed:
        return  # an agency reports no rates: nothing to compare, nothing to read
    existing = {v.indicator_id: v for v in _value_rows(submission).read()}
    changes = Changes(ReportedValue)
    for indicator_id, item in values.items():
        if indicator_id not in allowed:
            continue
        if (
            item.numerator is not None
            and item.denominator is not None
            and item.numerator > item.denominator
        ):
            raise ValidationError(
                _("The count cannot be more than the total."), code="share_above_100"
            )
        row = existing.get(indicator_id) or ReportedValue(
            submission=submission, indicator_id=indicator_id
        )
        changes.note(
            row,
            {
                "numerator": item.numerator,
                "denominator": item.denominator,
                "comment": item.comment,
                "warning_explanation": item.explanation,
            },
            has_history=getattr(row, "has_history", True),
        )
    now = timezone.now()
    for row in changes.changed:
        row.updated_at = now  # bulk_update skips auto_now
    # A draft's values count in no figure (indicators.progress.cache), so the figures version
    # stays: these bulk writes send no signal and need none.
    changes.save(
        fields=["numerator", "denominator", "comment", "warning_explanation", "updated_at"], by=by
    )


def _results_save(
    *,
    submission: Submission,
    results: Mapping[int, ResultInput],
    new_model: NewModelInput | None,
    models: Sequence[PovertyModel],
    by: User,
) -> None:
    year, unit = submission.period.year, submission.unit
    running = {m.pk: m for m in models}
    if new_model is not None:
        try:
            with transaction.atomic():
                model = PovertyModel.objects.create(
                    unit=unit,
                    commune_id=new_model.commune_id,
                    name=new_model.name,
                    start_year=year,
                    participating_households=new_model.participating_households,
                )
        except IntegrityError:
            raise ValidationError(
                {
                    "newmodel-name": ValidationError(
                        _("Your unit already has a model with this name."), code="model_exists"
                    )
                }
            ) from None
        running[model.pk] = model
        results = {
            **results,
            model.pk: ResultInput(
                participating_households=new_model.participating_households,
                average_income_vnd=None,
                escaped_households=0,
            ),
        }
    if not running:
        return  # no model running and none added: nothing to compare, nothing to read
    reported = {r.model_id: r for r in _result_rows(submission, list(running.values())).read()}
    changes = Changes(ModelResult)
    for model_id, item in results.items():
        if model_id not in running or item.participating_households is None:
            continue
        # An untouched model gets no result: no made-up zero of households out of poverty.
        untouched = item.average_income_vnd is None and item.escaped_households is None
        if model_id not in reported and untouched and not item.explanation:
            continue
        escaped = item.escaped_households or 0
        if escaped > item.participating_households:
            raise ValidationError(
                {
                    f"model-{model_id}-escaped": ValidationError(
                        _("Households that escaped poverty cannot be more than participating."),
                        code="escaped_above_participating",
                    )
                }
            )
        row = reported.get(model_id) or ModelResult(model_id=model_id, year=year)
        changes.note(
            row,
            {
                "submission_id": submission.pk,
                "participating_households": item.participating_households,
                "average_income_vnd": item.average_income_vnd,
                "escaped_households": escaped,
                "comment": item.explanation,
            },
            has_history=getattr(row, "has_history", True),
        )
    changes.save(
        fields=[
            "submission",
            "participating_households",
            "average_income_vnd",
            "escaped_households",
            "comment",
        ],
        by=by,
    )
