"""What each API answer holds. Figures are the progress engine's, turned into plain rows."""

from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from campaigns.models import (
    AwardProposal,
    Campaign,
    CriterionScore,
    Evidence,
    ReportingPeriod,
    Submission,
    SubmissionStep,
)
from indicators import progress
from indicators.models import DEPRIVATION_FIELDS, CommuneStatistics, Indicator
from indicators.progress.results import coverage_kind
from indicators.progress.roadmap import Roadmap
from units.models import Unit, User

# --- Figures -----------------------------------------------------------------------------------


class TargetSerializer(serializers.Serializer):
    low = serializers.FloatField(allow_null=True, help_text=_("Low end, or the target itself."))
    high = serializers.FloatField(allow_null=True, help_text=_("High end of a range."))
    strict = serializers.BooleanField(help_text=_("Met only beyond the value (“more than”)."))
    text = serializers.CharField(help_text=_("As the portal prints it: “≥ 100”, “15–20”."))


def target_data(target: progress.Target | None) -> dict[str, Any] | None:
    if target is None:
        return None
    return {"low": target.low, "high": target.high, "strict": target.strict, "text": str(target)}


class CoverageSerializer(serializers.Serializer):
    reported = serializers.IntegerField(help_text=_("Units that gave data."))
    expected = serializers.IntegerField(help_text=_("Units the figure counts."))
    counts = serializers.CharField(help_text="communes, commune_level, districts, model_units")
    complete = serializers.BooleanField()
    text = serializers.CharField(help_text=_("“16/17 communes, wards and towns”."))


def coverage_data(coverage: progress.Coverage) -> dict[str, Any]:
    return {
        "reported": coverage.reported,
        "expected": coverage.expected,
        "counts": coverage.denominator,
        "complete": coverage.complete,
        "text": str(coverage),
    }


class FigureSerializer(serializers.Serializer):
    """One target's figure for one unit (the province or a district) and one year."""

    unit_code = serializers.CharField()
    unit_name = serializers.CharField()
    unit_level = serializers.CharField()
    year = serializers.IntegerField()
    indicator = serializers.CharField(
        help_text="ROAD, HEALTH, CULTURE, SCHOOL, EDU, LABOUR, INCOME, ESCAPE"
    )
    indicator_name = serializers.CharField()
    unit_of_measure = serializers.CharField()
    value = serializers.FloatField(
        allow_null=True, help_text=_("Withheld (null) below the Board's minimum coverage.")
    )
    year_value = serializers.FloatField(
        allow_null=True, help_text=_("This year's own figure where the value is an average.")
    )
    averaged = serializers.BooleanField()
    numerator = serializers.FloatField(allow_null=True)
    denominator = serializers.FloatField(allow_null=True)
    target = TargetSerializer()
    target_year = serializers.IntegerField()
    milestone = TargetSerializer(allow_null=True)
    status = serializers.ChoiceField(choices=progress.Status.ORDER)
    status_label = serializers.CharField()
    coverage = CoverageSerializer()
    includes_unaccepted = serializers.BooleanField(
        help_text=_("True only when a token asked for reports not yet accepted.")
    )
    unaccepted_reports = serializers.IntegerField()
    as_of = serializers.DateTimeField(allow_null=True, help_text=_("Figures as of this time."))


def figure_data(
    figure: progress.Progress, *, scope: Unit, as_of: datetime | None, includes_unaccepted: bool
) -> dict[str, Any]:
    return {
        "unit_code": scope.code,
        "unit_name": scope.name,
        "unit_level": scope.level,
        "year": figure.year,
        "indicator": figure.code,
        "indicator_name": figure.name,
        "unit_of_measure": figure.unit_of_measure,
        "value": figure.value,
        "year_value": figure.year_value if figure.averaged else figure.value,
        "averaged": figure.averaged,
        "numerator": figure.numerator,
        "denominator": figure.denominator,
        "target": target_data(figure.target),
        "target_year": figure.target_year,
        "milestone": target_data(figure.milestone),
        "status": figure.status,
        "status_label": figure.status_text,
        "coverage": coverage_data(figure.coverage),
        "includes_unaccepted": includes_unaccepted,
        "unaccepted_reports": figure.unaccepted_reports,
        "as_of": serializers.DateTimeField().to_representation(as_of) if as_of else None,
    }


# --- The campaign, its targets, the units ----------------------------------------------------


class PeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportingPeriod
        fields = ["year", "opens_on", "deadline", "state"]


class CampaignSerializer(serializers.ModelSerializer):
    years = PeriodSerializer(many=True, source="periods", read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "number",
            "title",
            "issuing_body",
            "issued_on",
            "first_year",
            "last_year",
            "source_document",
            "coverage_threshold",
            "years",
        ]


class BaselineSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    value = serializers.FloatField()
    source_document = serializers.CharField()


class MilestoneSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    text = serializers.CharField()
    set_by_board = serializers.BooleanField(
        help_text=_("Set by the Board; otherwise derived in a straight line from the baseline.")
    )


class TargetRowSerializer(serializers.Serializer):
    """One of the campaign's targets, with its baseline and yearly milestones."""

    code = serializers.CharField()
    name = serializers.CharField()
    wording = serializers.CharField(help_text=_("The target in the source document's words."))
    description = serializers.CharField()
    measure = serializers.CharField()
    unit_of_measure = serializers.CharField()
    direction = serializers.CharField()
    counts = serializers.CharField()
    target = TargetSerializer()
    target_year = serializers.IntegerField()
    scope_code = serializers.CharField(help_text=_("The unit the baseline and milestones are for."))
    baseline = BaselineSerializer(allow_null=True)
    milestones = MilestoneSerializer(many=True)


def target_row_data(
    indicator: Indicator, plan: Roadmap, *, scope: Unit, year: int | None
) -> dict[str, Any]:
    baseline = plan.baseline
    return {
        "code": indicator.code,
        "name": indicator.name,
        "wording": indicator.target_wording,
        "description": indicator.description,
        "measure": indicator.measure,
        "unit_of_measure": indicator.unit_of_measure,
        "direction": indicator.direction,
        "counts": coverage_kind(indicator),
        "target": target_data(plan.target),
        "target_year": indicator.target_year,
        "scope_code": scope.code,
        "baseline": None
        if baseline is None
        else {
            "year": baseline.year,
            "value": float(baseline.value),
            "source_document": baseline.source_document,
        },
        "milestones": [
            {**(target_data(row.milestone) or {}), "year": row.year, "set_by_board": row.is_set}
            for row in plan.years
            if row.milestone is not None and (year is None or row.year == year)
        ],
    }


class UnitSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", allow_null=True, default=None)
    flags = serializers.SerializerMethodField(
        help_text=_("The flags in force in the year asked for (especially_difficult, border).")
    )

    class Meta:
        model = Unit
        fields = ["code", "name", "level", "kind", "parent_code", "is_active", "flags"]

    def get_flags(self, unit: Unit) -> list[str]:
        return sorted({flag.flag for flag in getattr(unit, "flags_in_year", [])})


class CommuneStatisticsSerializer(serializers.ModelSerializer):
    commune_code = serializers.CharField(source="commune.code")
    commune_name = serializers.CharField(source="commune.name")
    district_code = serializers.CharField(source="commune.parent.code")
    poverty_rate = serializers.SerializerMethodField(
        help_text=_("Poor households in percent of households, as on the dashboard.")
    )

    class Meta:
        model = CommuneStatistics
        fields = [
            "commune_code",
            "commune_name",
            "district_code",
            "year",
            "total_households",
            "ethnic_minority_households",
            "poor_households",
            "near_poor_households",
            "poverty_rate",
            "escaped_poverty",
            "newly_poor",
            "fell_back",
            "paved_road",
            "adequate_schools",
            "health_criteria_met",
            "cultural_house",
            # Households lacking each indicator of the multidimensional standard, poor then
            # near-poor (null: not reported, never zero).
            *DEPRIVATION_FIELDS,
            "source",
            "updated_at",
        ]

    def get_poverty_rate(self, row: CommuneStatistics) -> float | None:
        return progress.poverty_rate(row.poor_households, row.total_households)


# --- Behind a token ----------------------------------------------------------------------------


class ReportedValueSerializer(serializers.Serializer):
    indicator = serializers.CharField(source="indicator.code")
    numerator = serializers.IntegerField(allow_null=True)
    denominator = serializers.IntegerField(allow_null=True)
    value = serializers.FloatField(allow_null=True)


class SubmissionSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    year = serializers.IntegerField(source="period.year")
    classification = serializers.SerializerMethodField(
        help_text=_("Empty until the Board's points may be shown (as on the report's page).")
    )
    values = ReportedValueSerializer(many=True, read_only=True)

    class Meta:
        model = Submission
        fields = [
            "id",
            "unit_code",
            "unit_name",
            "year",
            "status",
            "not_reporting",
            "submitted_at",
            "accepted_at",
            "classification",
            "fund_mobilised_vnd",
            "values",
        ]

    def get_classification(self, submission: Submission) -> str:
        visible = self.context.get("board_points_visible", {})
        return submission.classification if visible.get(submission.pk) else ""


class ReviewStepSerializer(serializers.ModelSerializer):
    submission = serializers.IntegerField(source="submission_id")
    by = serializers.SerializerMethodField()

    class Meta:
        model = SubmissionStep
        fields = ["submission", "at", "action", "from_status", "to_status", "by", "comment"]

    def get_by(self, step: SubmissionStep) -> str:
        return step.by.get_full_name() or step.by.username


class ScoreSerializer(serializers.ModelSerializer):
    submission = serializers.IntegerField(source="submission_id")
    criterion = serializers.CharField(source="criterion.code")
    criterion_name = serializers.CharField(source="criterion.name")
    board_points = serializers.SerializerMethodField(
        help_text=_("Hidden from the unit until the Board has closed the year.")
    )

    class Meta:
        model = CriterionScore
        fields = [
            "submission",
            "criterion",
            "criterion_name",
            "max_points",
            "self_points",
            "board_points",
        ]

    def get_board_points(self, score: CriterionScore) -> float | None:
        visible = self.context.get("board_points_visible", {})
        if not visible.get(score.submission_id) or score.board_points is None:
            return None
        return float(score.board_points)


class EvidenceSerializer(serializers.ModelSerializer):
    submission = serializers.IntegerField(source="submission_id")
    criterion = serializers.CharField(source="criterion.code", allow_null=True, default=None)

    class Meta:
        model = Evidence
        fields = [
            "id",
            "submission",
            "criterion",
            "original_name",
            "content_type",
            "size",
            "description",
            "uploaded_at",
        ]


class RankingSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    bloc = serializers.CharField()
    bloc_name = serializers.CharField()
    rank = serializers.IntegerField(allow_null=True)
    unit_code = serializers.CharField()
    unit_name = serializers.CharField()
    state = serializers.CharField()
    board_points = serializers.FloatField(allow_null=True)
    classification = serializers.CharField()


class AwardSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="period.year")
    unit_code = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    award_label = serializers.CharField(source="get_award_display")

    class Meta:
        model = AwardProposal
        fields = [
            "year",
            "unit_code",
            "unit_name",
            "award",
            "award_label",
            "status",
            "reason",
            "decision_number",
            "decision_date",
        ]


class AccountSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(source="get_full_name")
    unit_code = serializers.CharField(source="unit.code", allow_null=True, default=None)

    class Meta:
        model = User
        fields = ["username", "full_name", "role", "unit_code", "is_active", "last_login"]
