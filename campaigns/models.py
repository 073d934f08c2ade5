import uuid
from datetime import date
from pathlib import PurePath
from typing import TypedDict

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from kontum_poverty.history import ValueHistory
from units.models import Unit


class DecimalShape(TypedDict):
    """A DecimalField's size, typed so that `**POINTS` is checked against the field's arguments."""

    max_digits: int
    decimal_places: int


POINTS: DecimalShape = {"max_digits": 6, "decimal_places": 2}


class Campaign(models.Model):
    number = models.CharField(_("number and symbol"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    issuing_body = models.CharField(_("issuing body"), max_length=200)
    issued_on = models.DateField(_("issued on"))
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    source_document = models.CharField(
        _("source document"), max_length=300, blank=True, help_text=_("Where the text can be read.")
    )
    successor = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="predecessors",
        verbose_name=_("successor campaign"),
    )
    # The poverty standard households are counted under (QĐ 59/2015/QĐ-TTg until 2020,
    # NĐ 07/2021/NĐ-CP from 2021): figures under two standards do not compare.
    poverty_standard = models.CharField(_("poverty standard"), max_length=60, blank=True)
    # Classification thresholds on total Board points (out of 100).
    excellent_min = models.DecimalField(_("Excellent from"), default=90, **POINTS)
    good_min = models.DecimalField(_("Good from"), default=70, **POINTS)
    completed_min = models.DecimalField(_("Completed from"), default=50, **POINTS)
    # Below this share of reporting units a province or district figure is not shown at all.
    coverage_threshold = models.PositiveSmallIntegerField(
        _("minimum coverage (%)"),
        default=50,
        help_text=_(
            "A figure based on fewer of its units than this share is shown as “not enough data”."
        ),
    )
    # Document 3198/UBND-TH asks to limit falling back into poverty: districts whose rate of
    # re-poverty or new poverty is above this line are flagged for the Board.
    falling_back_threshold = models.DecimalField(
        _("warning threshold for re-poverty and new poverty (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "A district whose households that fell back into poverty, or became newly poor, "
            "are more than this share of its households is flagged."
        ),
    )
    appraisal_required = models.BooleanField(
        _("DOLISA's appraisal required before acceptance"),
        default=False,
        help_text=_(
            "When ticked, the Board can accept a yearly report only after DOLISA has appraised "
            "the figures it was sent with."
        ),
    )

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-issued_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__gte=F("first_year")),
                name="campaigns_campaign_years_in_order",
                violation_error_code="years_in_order",
                violation_error_message=_("The last year cannot be before the first year."),
            ),
            models.CheckConstraint(
                condition=Q(excellent_min__gte=F("good_min"))
                & Q(good_min__gte=F("completed_min"))
                & Q(completed_min__gte=0),
                name="campaigns_campaign_thresholds_in_order",
                violation_error_code="thresholds_in_order",
                violation_error_message=_(
                    "Thresholds must go down from Excellent to Good to Completed."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(successor=F("pk")),
                name="campaigns_campaign_not_own_successor",
            ),
            models.CheckConstraint(
                condition=Q(falling_back_threshold__isnull=True)
                | (Q(falling_back_threshold__gte=0) & Q(falling_back_threshold__lte=100)),
                name="campaigns_campaign_falling_back_threshold_percent",
                violation_error_code="falling_back_threshold_percent",
                violation_error_message=_("The warning threshold is a percentage (0–100)."),
            ),
            models.CheckConstraint(
                condition=Q(coverage_threshold__lte=100),
                name="campaigns_campaign_coverage_threshold_percent",
                violation_error_code="coverage_threshold_percent",
                violation_error_message=_("The minimum coverage is a percentage (0–100)."),
            ),
        ]

    def __str__(self) -> str:
        return self.number


class PeriodState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    LOCKED = "locked", _("Locked")


class ReportingPeriod(models.Model):
    campaign = models.ForeignKey(
        Campaign, models.PROTECT, related_name="periods", verbose_name=_("campaign")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    opens_on = models.DateField(_("opens on"))
    deadline = models.DateField(_("deadline"))
    state = models.CharField(
        _("state"), max_length=16, choices=PeriodState, default=PeriodState.OPEN
    )

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["campaign", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "year"],
                name="campaigns_period_one_per_year",
                violation_error_code="one_per_year",
                violation_error_message=_("This campaign already has this year."),
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=F("opens_on")),
                name="campaigns_period_deadline_after_opening",
                violation_error_code="deadline_after_opening",
                violation_error_message=_("The deadline cannot be before the opening day."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} – {self.year}"

    @property
    def is_locked(self) -> bool:
        return self.state == PeriodState.LOCKED

    def is_open(self, *, on: date) -> bool:
        return self.state == PeriodState.OPEN and self.opens_on <= on <= self.deadline


class PeriodEventKind(models.TextChoices):
    CLOSED = "closed", _("Closed")
    LOCKED = "locked", _("Locked")
    UNLOCKED = "unlocked", _("Unlocked")
    REOPENED = "reopened", _("Reopened")


class PeriodEvent(models.Model):
    """Who closed, locked or unlocked a year, when and why."""

    period = models.ForeignKey(
        ReportingPeriod, models.CASCADE, related_name="events", verbose_name=_("reporting period")
    )
    kind = models.CharField(_("event"), max_length=16, choices=PeriodEventKind)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("period event")
        verbose_name_plural = _("period events")
        ordering = ["period", "at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=PeriodEventKind.UNLOCKED) | ~Q(reason=""),
                name="campaigns_periodevent_unlock_has_reason",
                violation_error_code="unlock_has_reason",
                violation_error_message=_("Unlocking a year needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} – {self.get_kind_display()}"


class DeadlineExtension(models.Model):
    period = models.ForeignKey(
        ReportingPeriod,
        models.CASCADE,
        related_name="extensions",
        verbose_name=_("reporting period"),
    )
    unit = models.ForeignKey(
        Unit, models.PROTECT, related_name="deadline_extensions", verbose_name=_("unit")
    )
    deadline = models.DateField(_("extended deadline"))
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("granted by")
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "unit"],
                name="campaigns_extension_one_per_unit_period",
                violation_error_code="one_per_unit_period",
                violation_error_message=_("This unit already has an extension for this year."),
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="campaigns_extension_has_reason",
                violation_error_code="has_reason",
                violation_error_message=_("An extension needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.deadline:%d/%m/%Y}"


class EmulationBloc(models.Model):
    """Units ranked against their peers: districts with districts, departments with departments."""

    campaign = models.ForeignKey(
        Campaign, models.CASCADE, related_name="blocs", verbose_name=_("campaign")
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    units = models.ManyToManyField(
        Unit, through="BlocMembership", related_name="blocs", verbose_name=_("units")
    )

    class Meta:
        verbose_name = _("emulation bloc")
        verbose_name_plural = _("emulation blocs")
        ordering = ["campaign", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "code"],
                name="campaigns_bloc_unique_code",
                violation_error_code="unique_code",
                violation_error_message=_("This campaign already has a bloc with this code."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BlocMembership(models.Model):
    bloc = models.ForeignKey(
        EmulationBloc, models.CASCADE, related_name="memberships", verbose_name=_("bloc")
    )
    unit = models.ForeignKey(
        Unit, models.PROTECT, related_name="bloc_memberships", verbose_name=_("unit")
    )

    class Meta:
        verbose_name = _("bloc member")
        verbose_name_plural = _("bloc members")
        constraints = [
            models.UniqueConstraint(
                fields=["bloc", "unit"],
                name="campaigns_blocmembership_unique",
                violation_error_code="unique",
                violation_error_message=_("This unit is already in this bloc."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bloc} – {self.unit}"


class Criterion(models.Model):
    """A scoring criterion of a bloc's rubric; criteria form a tree, leaves are scored."""

    campaign = models.ForeignKey(
        Campaign, models.CASCADE, related_name="criteria", verbose_name=_("campaign")
    )
    bloc = models.ForeignKey(
        EmulationBloc, models.CASCADE, related_name="criteria", verbose_name=_("bloc")
    )
    parent = models.ForeignKey(
        "self",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent criterion"),
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=300)
    max_points = models.DecimalField(_("maximum points"), **POINTS)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    requires_evidence = models.BooleanField(_("requires evidence"), default=False)
    # The indicator code (see indicators.Indicator) a suggested Board score is derived from.
    indicator_code = models.CharField(_("indicator code"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["bloc", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["bloc", "code"],
                name="campaigns_criterion_unique_code",
                violation_error_code="unique_code",
                violation_error_message=_("This bloc already has a criterion with this code."),
            ),
            # Lets the score table reference (id, max_points) so the database itself keeps
            # points under the maximum (see the scores' composite foreign key migration).
            models.UniqueConstraint(
                fields=["id", "max_points"], name="campaigns_criterion_id_max_points"
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="campaigns_criterion_not_own_parent",
                violation_error_code="not_own_parent",
                violation_error_message=_("A criterion cannot be placed under itself."),
            ),
            models.CheckConstraint(
                condition=Q(max_points__gt=0),
                name="campaigns_criterion_max_points_positive",
                violation_error_code="max_points_positive",
                violation_error_message=_("Maximum points must be above zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for correction")
    ACCEPTED = "accepted", _("Accepted")


class Classification(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    COMPLETED = "completed", _("Completed")
    NOT_COMPLETED = "not_completed", _("Not completed")


class SubmissionQuerySet(models.QuerySet):
    def awaiting_review(self):
        return self.filter(status=SubmissionStatus.SUBMITTED)

    def accepted(self):
        return self.filter(status=SubmissionStatus.ACCEPTED)


class Registration(models.Model):
    """A unit's emulation registration at the start of the year (đăng ký thi đua)."""

    period = models.ForeignKey(
        ReportingPeriod, models.PROTECT, related_name="registrations", verbose_name=_("year")
    )
    unit = models.ForeignKey(
        Unit, models.PROTECT, related_name="registrations", verbose_name=_("unit")
    )
    fund_pledge_vnd = models.PositiveBigIntegerField(
        _("pledge to the For the Poor fund (VND)"), null=True, blank=True
    )
    sponsorship_commitment = models.TextField(_("sponsorship commitments"), blank=True)
    other_commitments = models.TextField(_("other commitments"), blank=True)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("emulation registration")
        verbose_name_plural = _("emulation registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "unit"],
                name="campaigns_registration_one_per_unit_period",
                violation_error_code="one_per_unit_period",
                violation_error_message=_("This unit has already registered for this year."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.period.year}"


class Submission(models.Model):
    """A unit's yearly report (báo cáo kết quả thi đua năm)."""

    period = models.ForeignKey(
        ReportingPeriod, models.PROTECT, related_name="submissions", verbose_name=_("year")
    )
    unit = models.ForeignKey(
        Unit, models.PROTECT, related_name="submissions", verbose_name=_("unit")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=SubmissionStatus, default=SubmissionStatus.DRAFT
    )
    # Optimistic locking: a save carries the version it was read at and fails if it moved on.
    version = models.PositiveIntegerField(_("version"), default=1)
    narrative = models.TextField(_("narrative"), blank=True)
    fund_mobilised_vnd = models.PositiveBigIntegerField(
        _("mobilised for the For the Poor fund (VND)"), null=True, blank=True
    )
    not_reporting = models.BooleanField(
        _("marked as not reporting"),
        default=False,
        help_text=_("Set by the Board for a unit that will not report this year."),
    )
    classification = models.CharField(
        _("classification"), max_length=16, choices=Classification, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = SubmissionQuerySet.as_manager()
    # The report's values only: its status, times and version are its steps' business.
    history = ValueHistory(
        verbose_name=_("yearly report change"),
        verbose_name_plural=_("yearly report changes"),
        excluded_fields=[
            "status",
            "version",
            "created_at",
            "updated_at",
            "updated_by",
            "submitted_at",
            "accepted_at",
            "is_demo",
        ],
    )

    class Meta:
        verbose_name = _("yearly report")
        verbose_name_plural = _("yearly reports")
        ordering = ["period", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "unit"],
                name="campaigns_submission_one_per_unit_period",
                violation_error_code="one_per_unit_period",
                violation_error_message=_("This unit already has a report for this year."),
            ),
            # Late-submission counts in reports rely on this timestamp.
            models.CheckConstraint(
                condition=Q(status=SubmissionStatus.DRAFT) | Q(submitted_at__isnull=False),
                name="campaigns_submission_submitted_has_time",
                violation_error_code="submitted_has_time",
                violation_error_message=_("A submitted report needs its submission time."),
            ),
            models.CheckConstraint(
                condition=~Q(status=SubmissionStatus.ACCEPTED) | Q(accepted_at__isnull=False),
                name="campaigns_submission_accepted_has_time",
                violation_error_code="accepted_has_time",
                violation_error_message=_("An accepted report needs its acceptance time."),
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1),
                name="campaigns_submission_version_positive",
            ),
            # A classification is the Board's verdict on an accepted report, nothing earlier.
            models.CheckConstraint(
                condition=Q(classification="") | Q(status=SubmissionStatus.ACCEPTED),
                name="campaigns_submission_classified_when_accepted",
                violation_error_code="classified_when_accepted",
                violation_error_message=_("Only an accepted report has a classification."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.period.year}"

    @property
    def is_editable_by_unit(self) -> bool:
        return self.status in (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)


class StepAction(models.TextChoices):
    SUBMIT = "submit", _("Submitted")
    RETURN = "return", _("Returned for correction")
    ACCEPT = "accept", _("Accepted")
    SCORE = "score", _("Scored by the Board")
    NOT_REPORTING = "not_reporting", _("Marked as not reporting")
    REPORTING = "reporting", _("Marked as reporting again")


# The action each status change is; Board scoring and "not reporting" leave the status as it was.
ACTION_TO_STATUS = {
    StepAction.SUBMIT: SubmissionStatus.SUBMITTED,
    StepAction.RETURN: SubmissionStatus.RETURNED,
    StepAction.ACCEPT: SubmissionStatus.ACCEPTED,
}
STATUS_ACTION = {status: action for action, status in ACTION_TO_STATUS.items()}


class SubmissionStep(models.Model):
    """One step of a submission's life: who did what, from which status to which, when and why."""

    submission = models.ForeignKey(
        Submission, models.CASCADE, related_name="steps", verbose_name=_("yearly report")
    )
    from_status = models.CharField(_("from"), max_length=16, choices=SubmissionStatus, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=SubmissionStatus)
    action = models.CharField(_("action"), max_length=16, choices=StepAction)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)
    # Comments on particular fields when the Board returns a report: {"field key": "comment"}.
    # For a Board scoring step: {"criterion code": "points – justification"}.
    field_comments = models.JSONField(_("comments on fields"), default=dict, blank=True)
    # What the unit sent, on a submit step: the Board's diff after a return compares two of them.
    snapshot = models.JSONField(_("content sent"), default=dict, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("report step")
        verbose_name_plural = _("report steps")
        ordering = ["submission", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(action=StepAction.RETURN) | ~Q(comment="") | ~Q(field_comments={}),
                name="campaigns_step_return_has_reason",
                violation_error_code="return_has_reason",
                violation_error_message=_("Returning a report needs a reason."),
            ),
            models.CheckConstraint(
                condition=Q(action=StepAction.SUBMIT, to_status=SubmissionStatus.SUBMITTED)
                | Q(action=StepAction.RETURN, to_status=SubmissionStatus.RETURNED)
                | Q(action=StepAction.ACCEPT, to_status=SubmissionStatus.ACCEPTED)
                | Q(
                    action__in=[StepAction.SCORE, StepAction.NOT_REPORTING, StepAction.REPORTING],
                    to_status=F("from_status"),
                ),
                name="campaigns_step_action_matches_status",
                violation_error_code="action_matches_status",
                violation_error_message=_("This step does not change the report that way."),
            ),
            models.CheckConstraint(
                condition=~Q(action__in=[StepAction.NOT_REPORTING, StepAction.REPORTING])
                | ~Q(comment=""),
                name="campaigns_step_not_reporting_has_reason",
                violation_error_code="not_reporting_has_reason",
                violation_error_message=_("Marking a unit as not reporting needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission}: {self.from_status or '–'} → {self.to_status}"


def evidence_upload_to(instance: "Evidence", filename: str) -> str:
    # Generated names only: an uploaded name never reaches the file system.
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"evidence/{instance.submission.period.year}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    submission = models.ForeignKey(
        Submission, models.CASCADE, related_name="evidence", verbose_name=_("yearly report")
    )
    criterion = models.ForeignKey(
        Criterion,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("criterion"),
    )
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=200)
    original_name = models.CharField(_("original name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    description = models.CharField(_("description"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["submission", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class CriterionScore(models.Model):
    """Self-assessed and Board points for one criterion of one yearly report."""

    submission = models.ForeignKey(
        Submission, models.CASCADE, related_name="scores", verbose_name=_("yearly report")
    )
    criterion = models.ForeignKey(
        Criterion, models.PROTECT, related_name="scores", verbose_name=_("criterion")
    )
    # Copy of the criterion's maximum, kept equal to it by a composite foreign key on
    # PostgreSQL, so the checks below can compare points within one row.
    max_points = models.DecimalField(_("maximum points"), **POINTS)
    self_points = models.DecimalField(
        _("self-assessed points"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        **POINTS,
    )
    self_justification = models.TextField(_("self-assessment justification"), blank=True)
    board_points = models.DecimalField(
        _("Board points"), null=True, blank=True, validators=[MinValueValidator(0)], **POINTS
    )
    board_justification = models.TextField(_("Board justification"), blank=True)
    board_scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scored by"),
    )
    board_scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)

    # Who scored and when is the history record's own user and time.
    history = ValueHistory(
        verbose_name=_("criterion score change"),
        verbose_name_plural=_("criterion score changes"),
        excluded_fields=["board_scored_by", "board_scored_at"],
    )

    class Meta:
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")
        ordering = ["submission", "criterion__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "criterion"],
                name="campaigns_score_one_per_criterion",
                violation_error_code="one_per_criterion",
                violation_error_message=_("This criterion is already scored in this report."),
            ),
            models.CheckConstraint(
                condition=Q(self_points__isnull=True)
                | (Q(self_points__gte=0) & Q(self_points__lte=F("max_points"))),
                name="campaigns_score_self_points_within_max",
                violation_error_code="self_points_within_max",
                violation_error_message=_("Points cannot be above the criterion's maximum."),
            ),
            models.CheckConstraint(
                condition=Q(board_points__isnull=True)
                | (Q(board_points__gte=0) & Q(board_points__lte=F("max_points"))),
                name="campaigns_score_board_points_within_max",
                violation_error_code="board_points_within_max",
                violation_error_message=_("Points cannot be above the criterion's maximum."),
            ),
            models.CheckConstraint(
                condition=Q(board_points__isnull=True)
                | (Q(self_points__isnull=False) & Q(board_points=F("self_points")))
                | ~Q(board_justification=""),
                name="campaigns_score_board_difference_justified",
                violation_error_code="board_difference_justified",
                violation_error_message=_(
                    "Board points that differ from the self-assessed points need a justification."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission} – {self.criterion.code}"


class AwardKind(models.TextChoices):
    FLAG = "flag", _("Provincial People's Committee emulation flag")
    CERTIFICATE = (
        "certificate",
        _("Certificate of merit of the Chairman of the Provincial People's Committee"),
    )
    PM_CERTIFICATE = "pm_certificate", _("Certificate of merit of the Prime Minister")
    COMMENDATION = "commendation", _("Certificate of commendation")


class AwardLevel(models.TextChoices):
    STATE = "state", _("State level")
    PROVINCE = "province", _("Provincial level")
    LOCAL = "local", _("District or department level")


class AwardStage(models.TextChoices):
    YEAR = "year", _("Yearly results")
    FINAL = "final", _("Final review of the campaign")


class AwardForm(models.Model):
    """A form of award the Board uses in a campaign, with who grants it and its quota.

    Forms a district or department grants under its own authority (a Giấy khen) are recorded in
    the award history only: the Board does not propose them."""

    campaign = models.ForeignKey(
        Campaign, models.CASCADE, related_name="award_forms", verbose_name=_("campaign")
    )
    kind = models.CharField(_("form of award"), max_length=16, choices=AwardKind)
    name = models.CharField(_("name"), max_length=300)
    level = models.CharField(_("level"), max_length=16, choices=AwardLevel)
    authority = models.CharField(_("granted by"), max_length=200)
    stage = models.CharField(
        _("proposed for"), max_length=16, choices=AwardStage, default=AwardStage.YEAR
    )
    board_proposes = models.BooleanField(_("proposed by the Board"), default=True)
    quota = models.PositiveSmallIntegerField(
        _("quota"),
        null=True,
        blank=True,
        help_text=_("Most nominees for this form per year (or at the final review); empty: none."),
    )
    # Board settings beyond the law's own rules.
    min_years_between = models.PositiveSmallIntegerField(
        _("years between two of this form"),
        default=0,
        help_text=_("A nominee given this form fewer years ago is not eligible; 0: no rule."),
    )
    requires = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("only for holders of"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("form of award")
        verbose_name_plural = _("forms of award")
        ordering = ["campaign", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "kind", "stage"],
                name="campaigns_awardform_one_per_kind_stage",
                violation_error_code="one_per_kind_stage",
                violation_error_message=_("This campaign already has this form for this stage."),
            ),
            models.CheckConstraint(
                condition=Q(quota__isnull=True) | Q(quota__gt=0),
                name="campaigns_awardform_quota_positive",
                violation_error_code="quota_positive",
                violation_error_message=_("A quota is at least 1; leave it empty for none."),
            ),
            # A Giấy khen is the district's or department's own: recorded, never proposed.
            models.CheckConstraint(
                condition=~Q(level=AwardLevel.LOCAL) | Q(board_proposes=False),
                name="campaigns_awardform_local_not_proposed",
                violation_error_code="local_not_proposed",
                violation_error_message=_(
                    "A district's or department's own award is recorded, not proposed by the Board."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(name="") & ~Q(authority=""),
                name="campaigns_awardform_named",
                violation_error_code="named",
                violation_error_message=_("Give the form's name and who grants it."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class NomineeKind(models.TextChoices):
    COLLECTIVE = "collective", _("Collective")
    INDIVIDUAL = "individual", _("Individual")
    HOUSEHOLD = "household", _("Household")


class Nominee(models.Model):
    """Who an award goes to: a collective (a territory's people and officials, or an agency),
    a person, or a household, each under the unit it belongs to. Keeps its award history."""

    kind = models.CharField(_("nominee kind"), max_length=16, choices=NomineeKind)
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="nominees", verbose_name=_("unit"))
    name = models.CharField(_("name"), max_length=300)
    details = models.CharField(
        _("position or address"),
        max_length=300,
        blank=True,
        help_text=_("A person's position and workplace, or a household's village and commune."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("nominee")
        verbose_name_plural = _("nominees")
        ordering = ["unit__code", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "unit", "name"],
                name="campaigns_nominee_unique_name",
                violation_error_code="unique_name",
                violation_error_message=_("This unit already has a nominee of this name."),
            ),
            # The collective of a unit is one nominee, so its history stays in one place.
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(kind=NomineeKind.COLLECTIVE),
                name="campaigns_nominee_one_collective_per_unit",
                violation_error_code="one_collective_per_unit",
                violation_error_message=_("This unit already has its collective nominee."),
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="campaigns_nominee_named",
                violation_error_code="named",
                violation_error_message=_("Give the nominee's name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class AwardProposal(models.Model):
    period = models.ForeignKey(
        ReportingPeriod, models.PROTECT, related_name="award_proposals", verbose_name=_("year")
    )
    unit = models.ForeignKey(
        Unit, models.PROTECT, related_name="award_proposals", verbose_name=_("unit")
    )
    award = models.CharField(_("award"), max_length=16, choices=AwardKind)
    # The nominee and the campaign's form; `unit` and `award` repeat them for the lists.
    nominee = models.ForeignKey(
        Nominee,
        models.PROTECT,
        related_name="proposals",
        verbose_name=_("nominee"),
    )
    form = models.ForeignKey(
        AwardForm,
        models.PROTECT,
        related_name="proposals",
        verbose_name=_("form of award"),
    )
    summary = models.TextField(_("summary of achievements"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ProposalStatus, default=ProposalStatus.PROPOSED
    )
    reason = models.TextField(_("reason"), blank=True)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("award proposal")
        verbose_name_plural = _("award proposals")
        ordering = ["period", "award", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "nominee", "form"],
                name="campaigns_proposal_one_per_nominee_form",
                violation_error_code="one_per_award",
                violation_error_message=_("This nominee is already proposed for this award."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ProposalStatus.APPROVED)
                | (~Q(decision_number="") & Q(decision_date__isnull=False)),
                name="campaigns_proposal_approved_has_decision",
                violation_error_code="approved_has_decision",
                violation_error_message=_(
                    "An approved proposal needs the decision's number and date."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.get_award_display()} ({self.period.year})"


class AwardDecision(models.Model):
    """A decision the committee signed, as the Board records it in the register."""

    period = models.ForeignKey(
        ReportingPeriod,
        models.PROTECT,
        related_name="award_decisions",
        verbose_name=_("year of the achievements"),
    )
    form = models.ForeignKey(
        AwardForm, models.PROTECT, related_name="decisions", verbose_name=_("form of award")
    )
    number = models.CharField(_("decision number"), max_length=60)
    signed_on = models.DateField(_("signed on"))
    signer_name = models.CharField(_("signed by"), max_length=200)
    signer_title = models.CharField(
        _("signer's title"),
        max_length=200,
        blank=True,
        help_text=_("For example “KT. CHỦ TỊCH – PHÓ CHỦ TỊCH”."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("award decision")
        verbose_name_plural = _("award decisions")
        ordering = ["-signed_on", "-pk"]
        constraints = [
            # Numbers start again each year: "15/QĐ-UBND" of 2020 is not that of 2021.
            models.UniqueConstraint(
                F("number"),
                ExtractYear("signed_on"),
                name="campaigns_awarddecision_unique_number_year",
                violation_error_code="unique_number",
                violation_error_message=_("A decision with this number is already recorded."),
            ),
            models.CheckConstraint(
                condition=~Q(number="") & ~Q(signer_name=""),
                name="campaigns_awarddecision_number_and_signer",
                violation_error_code="number_and_signer",
                violation_error_message=_("A decision needs its number and its signer."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.signed_on:%d/%m/%Y})"


class AwardRecord(models.Model):
    """One award a nominee received: from a decision in the register, or recorded from another
    authority (a district's or department's Giấy khen). The history eligibility reads."""

    nominee = models.ForeignKey(
        Nominee, models.PROTECT, related_name="awards", verbose_name=_("nominee")
    )
    form = models.ForeignKey(
        AwardForm, models.PROTECT, related_name="records", verbose_name=_("form of award")
    )
    # Copied from the form so that the database can hold the one-state-award-a-year rule.
    level = models.CharField(_("level"), max_length=16, choices=AwardLevel)
    # The achievement the award is for: a year's results, or the campaign at its final review.
    period = models.ForeignKey(
        ReportingPeriod,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="award_records",
        verbose_name=_("year of the achievements"),
    )
    stage = models.CharField(
        _("achievement"), max_length=16, choices=AwardStage, default=AwardStage.YEAR
    )
    decision = models.ForeignKey(
        AwardDecision,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("decision"),
    )
    proposal = models.OneToOneField(
        AwardProposal,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="record",
        verbose_name=_("proposal"),
    )
    decision_number = models.CharField(_("decision number"), max_length=60)
    decided_on = models.DateField(_("decided on"))
    granted_by = models.CharField(_("granted by"), max_length=200)
    summary = models.TextField(_("summary of achievements"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("award received")
        verbose_name_plural = _("award history")
        ordering = ["-decided_on", "-pk"]
        constraints = [
            # Law on Emulation and Commendation: one achievement earns one form of award.
            models.UniqueConstraint(
                fields=["nominee", "period", "stage"],
                condition=Q(period__isnull=False),
                name="campaigns_awardrecord_one_form_per_achievement",
                violation_error_code="one_form_per_achievement",
                violation_error_message=_(
                    "One achievement earns one form of award: this nominee already has an award "
                    "for it."
                ),
            ),
            # ... and no two state-level awards to one nominee in one year.
            models.UniqueConstraint(
                F("nominee"),
                ExtractYear("decided_on"),
                condition=Q(level=AwardLevel.STATE),
                name="campaigns_awardrecord_one_state_award_a_year",
                violation_error_code="one_state_award_a_year",
                violation_error_message=_(
                    "No two state-level awards go to one nominee in one year."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(decision_number="") & ~Q(granted_by=""),
                name="campaigns_awardrecord_has_decision",
                violation_error_code="has_decision",
                violation_error_message=_("Give the decision's number and who granted the award."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nominee} – {self.form} ({self.decision_number})"


class SponsorshipSupport(models.Model):
    """Support a unit gave, in its yearly report, to a commune it sponsors."""

    submission = models.ForeignKey(
        Submission,
        models.CASCADE,
        related_name="sponsorship_support",
        verbose_name=_("yearly report"),
    )
    commune = models.ForeignKey(
        Unit, models.PROTECT, related_name="support_received", verbose_name=_("commune")
    )
    money_vnd = models.PositiveBigIntegerField(_("money (VND)"), default=0)
    in_kind_value_vnd = models.PositiveBigIntegerField(_("value in kind (VND)"), default=0)
    in_kind = models.TextField(_("in kind"), blank=True)
    works = models.TextField(_("works"), blank=True)

    class Meta:
        verbose_name = _("sponsorship support")
        verbose_name_plural = _("sponsorship support")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "commune"],
                name="campaigns_support_one_per_commune",
                violation_error_code="one_per_commune",
                violation_error_message=_("Support to this commune is already listed."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission} → {self.commune}"


class CommunicationKind(models.TextChoices):
    ARTICLE = "article", _("Article")
    BROADCAST = "broadcast", _("Broadcast")
    WEB_POST = "web_post", _("Web post")
    EVENT = "event", _("Event or meeting")


class CommunicationItem(models.Model):
    submission = models.ForeignKey(
        Submission, models.CASCADE, related_name="communication", verbose_name=_("yearly report")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=CommunicationKind)
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("link"), blank=True)
    count = models.PositiveIntegerField(_("count"), default=1)
    published_on = models.DateField(_("published on"), null=True, blank=True)

    class Meta:
        verbose_name = _("communication item")
        verbose_name_plural = _("communication work")

    def __str__(self) -> str:
        return self.title


class AppraisalVerdict(models.TextChoices):
    AGREED = "agreed", _("Agrees with the figures")
    OPINION = "opinion", _("Gives an opinion on figures")


class Appraisal(models.Model):
    """DOLISA's appraisal of poverty figures: of one yearly report, or (without a report) of the
    commune statistics of a district for a year. Kept for good; the latest one counts."""

    period = models.ForeignKey(
        ReportingPeriod, models.PROTECT, related_name="appraisals", verbose_name=_("year")
    )
    unit = models.ForeignKey(
        Unit, models.PROTECT, related_name="appraisals", verbose_name=_("unit")
    )
    submission = models.ForeignKey(
        Submission,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="appraisals",
        verbose_name=_("yearly report"),
    )
    # The report's version appraised: a report sent again after a return needs a new appraisal.
    submission_version = models.PositiveIntegerField(_("report version"), null=True, blank=True)
    verdict = models.CharField(_("verdict"), max_length=16, choices=AppraisalVerdict)
    comment = models.TextField(_("overall opinion"), blank=True)
    # {"figure key": "opinion"}; the figure keys are those the appraisal page offered.
    opinions = models.JSONField(_("opinions on figures"), default=dict, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("DOLISA appraisal")
        verbose_name_plural = _("DOLISA appraisals")
        ordering = ["period", "unit__code", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(verdict=AppraisalVerdict.OPINION) | ~Q(comment="") | ~Q(opinions={}),
                name="campaigns_appraisal_opinion_has_text",
                violation_error_code="opinion_has_text",
                violation_error_message=_("An opinion needs its text, overall or on a figure."),
            ),
            models.CheckConstraint(
                condition=~Q(verdict=AppraisalVerdict.AGREED) | Q(opinions={}),
                name="campaigns_appraisal_agreement_has_no_opinions",
                violation_error_code="agreement_has_no_opinions",
                violation_error_message=_("Agreeing leaves no opinion on figures."),
            ),
            models.CheckConstraint(
                condition=Q(submission__isnull=True) | Q(submission_version__isnull=False),
                name="campaigns_appraisal_report_version_kept",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.period.year}: {self.get_verdict_display()}"

    @property
    def agreed(self) -> bool:
        return self.verdict == AppraisalVerdict.AGREED


class ExtensionRequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the Board")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class ExtensionRequest(models.Model):
    """A unit asks the Board for a later deadline; approving it writes the unit's
    `DeadlineExtension`. Every request stays, decided or not: the history of the asking."""

    period = models.ForeignKey(
        ReportingPeriod,
        models.CASCADE,
        related_name="extension_requests",
        verbose_name=_("reporting period"),
    )
    unit = models.ForeignKey(
        Unit, models.PROTECT, related_name="extension_requests", verbose_name=_("unit")
    )
    requested_deadline = models.DateField(_("requested deadline"))
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("asked by")
    )
    requested_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ExtensionRequestStatus,
        default=ExtensionRequestStatus.PENDING,
    )
    approved_deadline = models.DateField(_("approved deadline"), null=True, blank=True)
    decision_reason = models.TextField(_("Board's reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "unit"],
                condition=Q(status="pending"),
                name="campaigns_extensionrequest_one_pending",
                violation_error_code="one_pending",
                violation_error_message=_("This unit already has a request waiting for the Board."),
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="campaigns_extensionrequest_has_reason",
                violation_error_code="has_reason",
                violation_error_message=_("Say why the unit needs more time."),
            ),
            # An approval names its date; a refusal says why; both say who and when.
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | Q(status="approved", approved_deadline__isnull=False, decided_at__isnull=False)
                | (Q(status="refused", decided_at__isnull=False) & ~Q(decision_reason="")),
                name="campaigns_extensionrequest_decision_complete",
                violation_error_code="decision_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.requested_deadline:%d/%m/%Y}"
