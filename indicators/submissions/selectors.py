"""Everything the report form shows for one unit and year, fetched in a fixed number of queries."""

from dataclasses import dataclass

from django.db import connections, router

from campaigns import selectors as campaign_selectors
from campaigns.models import (
    CommunicationItem,
    Criterion,
    CriterionScore,
    Evidence,
    Registration,
    SponsorshipSupport,
    Submission,
    SubmissionStep,
)
from indicators.models import Indicator, ModelResult, PovertyModel, RegisteredTarget, ReportedValue
from indicators.submissions import services, shapes
from kontum_poverty.bulk import stored_rows
from kontum_poverty.compiled import CompiledQuery, belonging_to
from units.models import Unit


@dataclass
class ReportContext:
    submission: Submission
    criteria: list[Criterion]
    scores: dict[int, CriterionScore]
    evidence: dict[int, list[Evidence]]
    indicators: list[Indicator]
    values: dict[int, ReportedValue]
    models: list[PovertyModel]
    results: dict[int, ModelResult]
    communes: list[Unit]
    support: dict[int, SponsorshipSupport]
    communication: list[CommunicationItem]
    registration: Registration | None
    targets: dict[int, RegisteredTarget]
    board_return: SubmissionStep | None
    # False for the save's context, which leaves the report's own rows unread.
    whole: bool = True

    @property
    def scored(self) -> set[int] | None:
        """The criteria given self-assessed points, as stored; None when not read."""
        if not self.whole:
            return None
        return {pk for pk, score in self.scores.items() if score.self_points is not None}

    @property
    def with_evidence(self) -> set[int] | None:
        """The criteria with at least one stored evidence file; None when not read."""
        if not self.whole:
            return None
        return {pk for pk in self.evidence if pk}

    @property
    def value_rows(self) -> list[ReportedValue] | None:
        """The stored values with their indicators, in the indicators' order; None when not
        read."""
        if not self.whole:
            return None
        return sorted(self.values.values(), key=lambda v: (v.indicator.order, v.indicator.code))

    @property
    def shape(self) -> services.ReportShape:
        return services.ReportShape(
            criteria=self.criteria,
            indicators=self.indicators,
            models=self.models,
            communes=self.communes,
        )

    @property
    def field_comments(self) -> dict[str, str]:
        if self.board_return is None:
            return {}
        return {str(k): str(v) for k, v in (self.board_return.field_comments or {}).items()}


# An officer's form page reads these on every load, and at the deadline after every save:
# statements compiled once per process (`kontum_poverty.compiled`), not by the ORM each time.
_EVIDENCE = CompiledQuery(
    lambda report: Evidence.objects.filter(submission_id=report).order_by("uploaded_at", "pk"),
    report=int,
)
_TARGETS = CompiledQuery(
    lambda registration: RegisteredTarget.objects.filter(
        registration_id=registration
    ).select_related("indicator"),
    registration=int,
)
# Keyed reads: `.order_by()` drops the default orderings, which join year and unit.
_SCORES = CompiledQuery(
    lambda report: CriterionScore.objects.filter(submission_id=report).order_by(), report=int
)
_VALUES = CompiledQuery(
    lambda report: (
        ReportedValue.objects.filter(submission_id=report).select_related("indicator").order_by()
    ),
    report=int,
)
_SUPPORT = CompiledQuery(
    lambda report: SponsorshipSupport.objects.filter(submission_id=report), report=int
)
_COMMUNICATION = CompiledQuery(
    lambda report: CommunicationItem.objects.filter(submission_id=report).order_by("pk"),
    report=int,
)


def report_with_forms_version(*, period_pk: int, unit_pk: int | None) -> Submission | None:
    """The unit's report for the year (`campaigns.selectors.unit_report`), with the report
    form counter read in the same statement as its `forms_version`: an officer's page and
    save then wait for one round trip, not two, before the form is known."""
    if unit_pk is None:
        return None
    connection = connections[router.db_for_read(Submission)]
    return campaign_selectors.unit_report(
        period_pk=period_pk,
        unit_pk=unit_pk,
        also={"forms_version": shapes.forms_version_sql(connection)},
    )


def report_context(
    *, submission: Submission, for_save: bool = False, version: str | None = None
) -> ReportContext:
    """The report with its rubric, values, models, support, evidence and the unit's commitments.

    A report not saved yet (`submission_get_or_new`) has none of its own rows: they are empty.
    `for_save` reads only what a posted form needs to be validated (its fields: rubric,
    indicators, models and communes); stored values, communication rows, evidence, the
    commitments and the Board's comments are left empty, since the save compares with the
    stored rows itself and the page is read again after it. `version`: the form counter as
    read with the report (`report_with_forms_version`)."""
    period, unit = submission.period, submission.unit
    saved = submission.pk is not None
    shape = services.report_shape(period=period, unit=unit, version=version)
    criteria, indicators = shape.criteria, shape.indicators
    models, communes = shape.models, shape.communes
    if for_save:
        return ReportContext(
            submission=submission,
            criteria=criteria,
            scores={},
            evidence={},
            indicators=indicators,
            values={},
            models=models,
            results={},
            communes=communes,
            support={},
            communication=[],
            registration=None,
            targets={},
            board_return=None,
            whole=False,
        )

    def own(accessor: str, rows: CompiledQuery) -> list:
        """The report's own rows; none before it is first saved."""
        if not saved:
            return []
        return belonging_to(submission, accessor, rows(report=submission.pk))

    evidence: dict[int, list[Evidence]] = {}
    for item in own("evidence", _EVIDENCE):
        evidence.setdefault(item.criterion_id or 0, []).append(item)
    registration = campaign_selectors.unit_registration(period=period, unit=unit)
    targets = (
        {t.indicator_id: t for t in _TARGETS(registration=registration.pk)} if registration else {}
    )
    return ReportContext(
        submission=submission,
        criteria=criteria,
        scores={s.criterion_id: s for s in own("scores", _SCORES)},
        evidence=evidence,
        indicators=indicators,
        values={v.indicator_id: v for v in own("values", _VALUES)},
        models=models,
        # A prepared statement (an IN list of the unit's models), not an ORM query to compile.
        results={
            r.model_id: r
            for r in stored_rows(ModelResult, model=[m.pk for m in models], year=period.year)
        },
        communes=communes,
        support={s.commune_id: s for s in own("sponsorship_support", _SUPPORT)},
        communication=own("communication", _COMMUNICATION),
        registration=registration,
        targets=targets,
        board_return=campaign_selectors.latest_return(submission=submission),
    )
