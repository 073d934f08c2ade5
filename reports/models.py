import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    UNIT_SHEET = "unit", _("Unit evaluation sheet")
    PROVINCE = "province", _("Province yearly report")
    AWARDS = "awards", _("Award proposal letter with its list")
    INTERIM = "interim", _("Mid-term review report")
    FINAL = "final", _("Final review report")
    UNIT_SHEETS_ZIP = "unit_zip", _("All unit sheets of a year (zip)")


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


def report_upload_to(instance: "ReportJob", filename: str) -> str:
    suffix = ".zip" if instance.kind == ReportKind.UNIT_SHEETS_ZIP else ".pdf"
    return f"reports/{instance.kind}/{uuid.uuid4().hex}{suffix}"


class FailureCode(models.TextChoices):
    UNAVAILABLE = "unavailable", _("The data this report needs no longer exists")
    TOO_LONG = "too_long", _("The report took too long to make")
    GAVE_UP = "gave_up", _("The report could not be made after several attempts")
    INTERNAL = "internal", _("An error in the portal stopped the report")


class ReportJob(models.Model):
    """A request for a PDF report. The row, not the broker, is the truth about the job."""

    kind = models.CharField(_("kind"), max_length=16, choices=ReportKind)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="report_jobs",
        verbose_name=_("requested by"),
    )
    state = models.CharField(_("state"), max_length=16, choices=JobState, default=JobState.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to=report_upload_to, max_length=200, blank=True)
    # SHA-256 of everything the report is made from: same inputs, same file, no new render.
    fingerprint = models.CharField(_("fingerprint of the inputs"), max_length=64, db_index=True)
    # What the requester is told (a code, so the message follows their language); `error` holds
    # the technical details for administrators.
    error_code = models.CharField(_("failure"), max_length=16, choices=FailureCode, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Long reports render in parts on several workers; the counts drive the progress bar.
    parts_total = models.PositiveIntegerField(_("parts"), default=0)
    parts_done = models.PositiveIntegerField(_("parts done"), default=0)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Moves on every change of state or progress: the reconciler's sign of life.
    updated_at = models.DateTimeField(_("last activity"), auto_now=True)

    class Meta:
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "created_at"], name="reports_job_state_created")]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="reports_reportjob_progress_at_most_100",
            ),
            # A file is attached only once it is complete.
            models.CheckConstraint(
                condition=~Q(state=JobState.DONE) | ~Q(file=""),
                name="reports_reportjob_done_has_file",
            ),
            models.CheckConstraint(
                condition=Q(parts_done__lte=F("parts_total")),
                name="reports_reportjob_parts_done_at_most_total",
            ),
            # A failed job always says why, in words its requester can read.
            models.CheckConstraint(
                condition=~Q(state=JobState.FAILED) | ~Q(error_code=""),
                name="reports_reportjob_failed_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def in_flight(self) -> bool:
        return self.state in (JobState.QUEUED, JobState.RUNNING)


# --- Open-data API tokens -------------------------------------------------------------------------


class ApiScope(models.TextChoices):
    """What a token may read beyond the public figures (docs/api.md)."""

    REPORTS = "reports:read", _("Unit reports and their review history")
    SCORES = "scores:read", _("Scores and rankings")
    AWARDS = "awards:read", _("Award proposals and decisions")
    UNACCEPTED = "unaccepted:read", _("Reports and figures the Board has not accepted yet")
    USERS = "users:read", _("Accounts")


class ApiToken(models.Model):
    """A read-only key an integration sends to the API; only its SHA-256 digest is stored.

    The token reads as its account reads the web pages, narrowed by its scopes and, when set,
    to one unit and the units under it: it never sees more than the account would."""

    name = models.CharField(_("integration"), max_length=120)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="api_tokens",
        verbose_name=_("acts as account"),
        help_text=_("The token sees what this account sees on the portal's pages, no more."),
    )
    unit = models.ForeignKey(
        "units.Unit",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="api_tokens",
        verbose_name=_("only this unit"),
        help_text=_("Leave empty for every unit the account may see."),
    )
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    # The first characters of the key, shown in the admin to tell tokens apart.
    prefix = models.CharField(_("key starts with"), max_length=12)
    key_hash = models.CharField(_("key digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]
        constraints = [
            # Who revoked a token is kept with when.
            models.CheckConstraint(
                condition=Q(revoked_by__isnull=True) | Q(revoked_at__isnull=False),
                name="reports_apitoken_revoked_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])


# --- Signable documents ---------------------------------------------------------------------------


class Signing(models.TextChoices):
    """How the signer signs, in the forms of Decree 30/2020/NĐ-CP (Article 13)."""

    HEAD = "head", _("The head signs")
    DEPUTY = "deputy", _("A deputy signs for the head (KT.)")
    ACTING = "acting", _("The acting head signs (Q.)")
    ON_ORDER = "on_order", _("Signed by order of the head (TL.)")
    DELEGATED = "delegated", _("Signed by delegation of the head (TUQ.)")


# Signing forms where the signer's own title is printed under the head's.
SIGNS_UNDER_HEAD = (Signing.DEPUTY, Signing.ON_ORDER, Signing.DELEGATED)


class DocumentSetup(models.Model):
    """Who issues and who signs one kind of document, as the Board set it up."""

    kind = models.CharField(_("kind of document"), max_length=16, choices=ReportKind, unique=True)
    parent_body = models.CharField(_("parent body"), max_length=200, blank=True)
    issuing_body = models.CharField(_("issuing body"), max_length=200)
    issuer_code = models.CharField(
        _("issuer's symbol"), max_length=20, help_text=_("As in “Số: …/BC-BTĐKT”: BTĐKT.")
    )
    collective = models.CharField(
        _("collective body (TM.)"),
        max_length=200,
        blank=True,
        help_text=_("Signed on behalf of a collective body, e.g. ỦY BAN NHÂN DÂN; else empty."),
    )
    head_title = models.CharField(_("title of the head"), max_length=100)
    signing = models.CharField(_("signing"), max_length=16, choices=Signing, default=Signing.HEAD)
    signer_title = models.CharField(
        _("title of the signer"),
        max_length=100,
        blank=True,
        help_text=_("When a deputy or another officer signs, e.g. PHÓ CHỦ TỊCH."),
    )
    signer_name = models.CharField(_("name of the signer"), max_length=100, blank=True)
    recipients = models.TextField(_("recipients"), blank=True, help_text=_("One a line."))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("updated by")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("document set-up")
        verbose_name_plural = _("document set-ups")
        constraints = [
            # "KT. CHỦ TỊCH" alone would leave the paper without the signer's own title.
            models.CheckConstraint(
                condition=~Q(signing__in=SIGNS_UNDER_HEAD) | ~Q(signer_title=""),
                name="reports_documentsetup_signer_title_when_not_head",
                violation_error_code="signer_title_needed",
                violation_error_message=_(
                    "When a deputy or another officer signs, give the signer's own title."
                ),
            ),
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class NarrativeKind(models.TextChoices):
    """Documents the Board writes text for (sections II–V)."""

    PROVINCE = ReportKind.PROVINCE.value, ReportKind.PROVINCE.label
    INTERIM = ReportKind.INTERIM.value, ReportKind.INTERIM.label
    FINAL = ReportKind.FINAL.value, ReportKind.FINAL.label
    AWARDS = ReportKind.AWARDS.value, ReportKind.AWARDS.label


class BoardDocument(models.Model):
    """One document the Board drafts for one year: its text versions, its approval, its number."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", models.PROTECT, related_name="+", verbose_name=_("campaign")
    )
    kind = models.CharField(_("kind of document"), max_length=16, choices=NarrativeKind)
    year = models.PositiveSmallIntegerField(_("year"))
    approved_version = models.ForeignKey(
        "NarrativeVersion",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved version"),
    )
    # The award letter has no text of its own: its approval holds what its list said then.
    approved_key = models.CharField(_("approved content"), max_length=64, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    registered_number = models.CharField(
        _("registered number"), max_length=60, blank=True, help_text=_("e.g. 125/BC-UBND")
    )
    issued_on = models.DateField(_("issued on"), null=True, blank=True)

    class Meta:
        verbose_name = _("Board document")
        verbose_name_plural = _("Board documents")
        ordering = ["campaign", "kind", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "kind", "year"],
                name="reports_boarddocument_one_per_kind_year",
                violation_error_code="one_per_kind_year",
                violation_error_message=_("This document already exists for this year."),
            ),
            # A campaign has one mid-term review and one final review.
            models.UniqueConstraint(
                fields=["campaign", "kind"],
                condition=Q(kind__in=["interim", "final"]),
                name="reports_boarddocument_one_review_per_campaign",
                violation_error_code="one_review_per_campaign",
                violation_error_message=_("The campaign already has this review report."),
            ),
            models.CheckConstraint(
                condition=Q(approved_at__isnull=True) | Q(approved_by__isnull=False),
                name="reports_boarddocument_approval_has_approver",
            ),
            # A number is registered when the signed paper is issued, with its date.
            models.CheckConstraint(
                condition=Q(registered_number="", issued_on__isnull=True)
                | (~Q(registered_number="") & Q(issued_on__isnull=False)),
                name="reports_boarddocument_number_with_date",
                violation_error_code="number_with_date",
                violation_error_message=_("Give both the number and the date of issue."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}"


class NarrativeVersion(models.Model):
    """One saved state of a document's sections II–V; a save never changes an earlier one."""

    document = models.ForeignKey(
        BoardDocument, models.CASCADE, related_name="versions", verbose_name=_("document")
    )
    number = models.PositiveIntegerField(_("version"))
    shortcomings = models.TextField(_("II. Shortcomings, limitations and causes"), blank=True)
    lessons = models.TextField(_("III. Lessons learned"), blank=True)
    directions = models.TextField(_("IV. Directions and tasks"), blank=True)
    proposals = models.TextField(_("V. Proposals and recommendations"), blank=True)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    written_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("text version")
        verbose_name_plural = _("text versions")
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"],
                name="reports_narrativeversion_one_number",
                violation_error_code="version_taken",
                violation_error_message=_("Someone saved this text meanwhile: reload the page."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="reports_narrativeversion_number_from_one"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"
