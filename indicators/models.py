import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, DecimalShape, Registration, Submission
from kontum_poverty.history import ValueHistory
from units.models import Unit

VALUE: DecimalShape = {"max_digits": 14, "decimal_places": 2}


class Measure(models.TextChoices):
    SHARE_OF_COMMUNES = "share_of_communes", _("Share of communes")
    RATE = "rate", _("Rate")
    GROWTH = "growth", _("Year-on-year growth")
    COUNT = "count", _("Count")
    AMOUNT = "amount", _("Amount")


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "up", _("Higher is better")
    LOWER_IS_BETTER = "down", _("Lower is better")


class Denominator(models.TextChoices):
    """Which units a province or district figure counts, and so what its coverage counts."""

    COMMUNES = "communes", _("communes (xã) only")
    COMMUNE_LEVEL = "commune_level", _("communes, wards and towns")
    DISTRICTS = "districts", _("districts and the city")
    MODEL_UNITS = "model_units", _("units with poverty-reduction models")


class Indicator(models.Model):
    """A campaign target: a range (15–20) has both ends, "at least 52" only the low end."""

    campaign = models.ForeignKey(
        Campaign, models.CASCADE, related_name="indicators", verbose_name=_("campaign")
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("how it is measured"), blank=True)
    # The help beside every field that shows this indicator; the Board edits it (board:help).
    help_definition = models.TextField(_("what it means"), blank=True)
    legal_source = models.TextField(
        _("legal source"),
        blank=True,
        help_text=_("The document number and the article or criterion that defines it."),
    )
    measure = models.CharField(_("kind of measure"), max_length=20, choices=Measure)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=20, default="%")
    direction = models.CharField(
        _("direction"), max_length=4, choices=Direction, default=Direction.HIGHER_IS_BETTER
    )
    target_low = models.DecimalField(_("target (low end)"), null=True, blank=True, **VALUE)
    target_high = models.DecimalField(_("target (high end)"), null=True, blank=True, **VALUE)
    target_year = models.PositiveSmallIntegerField(_("target year"))
    # "trên 52 %", "hơn 10 %": the target is passed only above its value, not at it.
    target_strict = models.BooleanField(
        _("strictly above the target"),
        default=False,
        help_text=_(
            "Tick when the document says “more than” (trên, hơn): reaching it is not enough."
        ),
    )
    target_wording = models.TextField(_("the target in the source document's words"), blank=True)
    denominator = models.CharField(
        _("counts"), max_length=16, choices=Denominator, default=Denominator.COMMUNE_LEVEL
    )
    # Which commune-statistics field a share-of-communes indicator counts (e.g. "paved_road").
    commune_field = models.CharField(_("commune statistics field"), max_length=40, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["campaign", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "code"],
                name="indicators_indicator_unique_code",
                violation_error_code="unique_code",
                violation_error_message=_("This campaign already has an indicator with this code."),
            ),
            models.CheckConstraint(
                condition=Q(target_low__isnull=True)
                | Q(target_high__isnull=True)
                | Q(target_low__lte=F("target_high")),
                name="indicators_indicator_target_range_in_order",
                violation_error_code="target_range_in_order",
                violation_error_message=_(
                    "The low end of a target range cannot be above its high end."
                ),
            ),
            models.CheckConstraint(
                condition=Q(target_low__isnull=False) | Q(target_high__isnull=False),
                name="indicators_indicator_has_target",
                violation_error_code="has_target",
                violation_error_message=_("An indicator needs a target."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    @property
    def is_range(self) -> bool:
        return (
            self.target_low is not None
            and self.target_high is not None
            and self.target_low != self.target_high
        )


class Milestone(models.Model):
    """A yearly milestone on the way to the target; without a scope it holds for the province."""

    indicator = models.ForeignKey(
        Indicator, models.CASCADE, related_name="milestones", verbose_name=_("indicator")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    scope = models.ForeignKey(
        Unit,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="milestones",
        verbose_name=_("scope"),
    )
    target_low = models.DecimalField(_("milestone (low end)"), null=True, blank=True, **VALUE)
    target_high = models.DecimalField(_("milestone (high end)"), null=True, blank=True, **VALUE)
    # Empty for milestones loaded by an admin import; the Board's roadmap page always sets both.
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    set_at = models.DateTimeField(_("set at"), null=True, blank=True)

    class Meta:
        verbose_name = _("yearly milestone")
        verbose_name_plural = _("yearly milestones")
        ordering = ["indicator", "year"]
        constraints = [
            # Two partial indexes because NULL scopes would otherwise never collide.
            models.UniqueConstraint(
                fields=["indicator", "year"],
                condition=Q(scope__isnull=True),
                name="indicators_milestone_one_per_year",
                violation_error_code="one_per_year",
                violation_error_message=_("This indicator already has a milestone for this year."),
            ),
            models.UniqueConstraint(
                fields=["indicator", "year", "scope"],
                condition=Q(scope__isnull=False),
                name="indicators_milestone_one_per_year_scope",
                violation_error_code="one_per_year_scope",
                violation_error_message=_(
                    "This indicator already has a milestone for this year and scope."
                ),
            ),
            models.CheckConstraint(
                condition=Q(target_low__isnull=True)
                | Q(target_high__isnull=True)
                | Q(target_low__lte=F("target_high")),
                name="indicators_milestone_range_in_order",
                violation_error_code="range_in_order",
                violation_error_message=_("The low end of a range cannot be above its high end."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year}"


def _not_above(small: str, big: str) -> Q:
    return (
        Q(**{f"{small}__isnull": True})
        | Q(**{f"{big}__isnull": True})
        | Q(**{f"{small}__lte": F(big)})
    )


class Service(models.TextChoices):
    """The basic social services of the multidimensional poverty standard (QĐ 59/2015/QĐ-TTg)."""

    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    HOUSING = "housing", _("Housing")
    WATER = "water", _("Clean water and sanitation")
    INFORMATION = "information", _("Information")


class Deprivation(models.TextChoices):
    """The standard's ten indicators, two per service, in the order the standard lists them."""

    HEALTH_SERVICES = "health_services", _("Access to health services")
    HEALTH_INSURANCE = "health_insurance", _("Health insurance")
    ADULT_SCHOOLING = "adult_schooling", _("Adults' schooling")
    CHILD_SCHOOLING = "child_schooling", _("Children's school attendance")
    HOUSING_QUALITY = "housing_quality", _("Quality of housing")
    HOUSING_AREA = "housing_area", _("Housing area per person")
    CLEAN_WATER = "clean_water", _("Clean water")
    LATRINE = "latrine", _("Hygienic latrine")
    TELECOM = "telecom", _("Use of telecommunication services")
    INFORMATION_ASSETS = "information_assets", _("Assets for access to information")


DEPRIVATION_SERVICE: dict[str, str] = {
    Deprivation.HEALTH_SERVICES: Service.HEALTH,
    Deprivation.HEALTH_INSURANCE: Service.HEALTH,
    Deprivation.ADULT_SCHOOLING: Service.EDUCATION,
    Deprivation.CHILD_SCHOOLING: Service.EDUCATION,
    Deprivation.HOUSING_QUALITY: Service.HOUSING,
    Deprivation.HOUSING_AREA: Service.HOUSING,
    Deprivation.CLEAN_WATER: Service.WATER,
    Deprivation.LATRINE: Service.WATER,
    Deprivation.TELECOM: Service.INFORMATION,
    Deprivation.INFORMATION_ASSETS: Service.INFORMATION,
}


class HouseholdGroup(models.TextChoices):
    POOR = "poor", _("Poor households")
    NEAR_POOR = "near_poor", _("Near-poor households")


# The group's own count on CommuneStatistics: none of its households lacking an indicator can
# be more than it.
GROUP_TOTAL_FIELD: dict[str, str] = {
    HouseholdGroup.POOR: "poor_households",
    HouseholdGroup.NEAR_POOR: "near_poor_households",
}


def deprivation_field(group: str, deprivation: str) -> str:
    """The CommuneStatistics field counting `group` households lacking `deprivation`."""
    return f"{group}_lacking_{deprivation}"


DEPRIVATION_FIELDS: tuple[str, ...] = tuple(
    deprivation_field(group, code) for group in HouseholdGroup.values for code in Deprivation.values
)


def _lacking(group: HouseholdGroup, deprivation: Deprivation) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        format_lazy(
            _("{group} lacking: {indicator}"), group=group.label, indicator=deprivation.label
        ),
        null=True,
        blank=True,
    )


def _deprivation_constraints() -> list[models.CheckConstraint]:
    messages = {
        HouseholdGroup.POOR: _(
            "Poor households lacking a basic social service cannot be more than poor households."
        ),
        HouseholdGroup.NEAR_POOR: _(
            "Near-poor households lacking a basic social service cannot be more than near-poor "
            "households."
        ),
    }
    return [
        models.CheckConstraint(
            condition=_not_above(deprivation_field(group, code), GROUP_TOTAL_FIELD[group]),
            # "_le": not above the group; longer names pass PostgreSQL's 63 characters.
            name=f"indicators_communestats_{deprivation_field(group, code)}_le",
            violation_error_code=f"{group}_lacking_not_above_group",
            violation_error_message=messages[group],
        )
        for group in HouseholdGroup
        for code in Deprivation
    ]


class CommuneStatistics(models.Model):
    """One commune's official figures for one year. An empty value means "not reported"."""

    commune = models.ForeignKey(
        Unit,
        models.PROTECT,
        related_name="statistics",
        verbose_name=_("commune"),
        limit_choices_to={"level": "commune"},
    )
    year = models.PositiveSmallIntegerField(_("year"))
    total_households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    ethnic_minority_households = models.PositiveIntegerField(
        _("ethnic-minority households"), null=True, blank=True
    )
    poor_households = models.PositiveIntegerField(_("poor households"), null=True, blank=True)
    near_poor_households = models.PositiveIntegerField(
        _("near-poor households"), null=True, blank=True
    )
    # Published tables give "of which ethnic-minority households" under each group: a subset of
    # the poor (or near-poor) households, not of all households.
    poor_ethnic_minority_households = models.PositiveIntegerField(
        _("poor ethnic-minority households"), null=True, blank=True
    )
    near_poor_ethnic_minority_households = models.PositiveIntegerField(
        _("near-poor ethnic-minority households"), null=True, blank=True
    )
    escaped_poverty = models.PositiveIntegerField(
        _("households that escaped poverty"), null=True, blank=True
    )
    newly_poor = models.PositiveIntegerField(_("newly poor households"), null=True, blank=True)
    fell_back = models.PositiveIntegerField(
        _("households that fell back into poverty"), null=True, blank=True
    )
    # "Of which ethnic-minority households" for the year's movements (issue 21): a part of the
    # matching count for all households, blank when the commune did not report it.
    escaped_poverty_ethnic_minority = models.PositiveIntegerField(
        _("ethnic-minority households that escaped poverty"), null=True, blank=True
    )
    newly_poor_ethnic_minority = models.PositiveIntegerField(
        _("newly poor ethnic-minority households"), null=True, blank=True
    )
    fell_back_ethnic_minority = models.PositiveIntegerField(
        _("ethnic-minority households that fell back into poverty"), null=True, blank=True
    )
    paved_road = models.BooleanField(
        _("paved or concreted car road to the commune centre"), null=True, blank=True
    )
    adequate_schools = models.BooleanField(
        _("enough kindergartens, schools and a community learning centre"), null=True, blank=True
    )
    health_criteria_met = models.BooleanField(
        _("meets the national commune-health criteria"), null=True, blank=True
    )
    cultural_house = models.BooleanField(_("has a cultural house"), null=True, blank=True)
    # Households lacking each indicator of the multidimensional standard, poor and near-poor
    # apart: blank is "not reported", never zero.
    poor_lacking_health_services = _lacking(HouseholdGroup.POOR, Deprivation.HEALTH_SERVICES)
    poor_lacking_health_insurance = _lacking(HouseholdGroup.POOR, Deprivation.HEALTH_INSURANCE)
    poor_lacking_adult_schooling = _lacking(HouseholdGroup.POOR, Deprivation.ADULT_SCHOOLING)
    poor_lacking_child_schooling = _lacking(HouseholdGroup.POOR, Deprivation.CHILD_SCHOOLING)
    poor_lacking_housing_quality = _lacking(HouseholdGroup.POOR, Deprivation.HOUSING_QUALITY)
    poor_lacking_housing_area = _lacking(HouseholdGroup.POOR, Deprivation.HOUSING_AREA)
    poor_lacking_clean_water = _lacking(HouseholdGroup.POOR, Deprivation.CLEAN_WATER)
    poor_lacking_latrine = _lacking(HouseholdGroup.POOR, Deprivation.LATRINE)
    poor_lacking_telecom = _lacking(HouseholdGroup.POOR, Deprivation.TELECOM)
    poor_lacking_information_assets = _lacking(HouseholdGroup.POOR, Deprivation.INFORMATION_ASSETS)
    near_poor_lacking_health_services = _lacking(
        HouseholdGroup.NEAR_POOR, Deprivation.HEALTH_SERVICES
    )
    near_poor_lacking_health_insurance = _lacking(
        HouseholdGroup.NEAR_POOR, Deprivation.HEALTH_INSURANCE
    )
    near_poor_lacking_adult_schooling = _lacking(
        HouseholdGroup.NEAR_POOR, Deprivation.ADULT_SCHOOLING
    )
    near_poor_lacking_child_schooling = _lacking(
        HouseholdGroup.NEAR_POOR, Deprivation.CHILD_SCHOOLING
    )
    near_poor_lacking_housing_quality = _lacking(
        HouseholdGroup.NEAR_POOR, Deprivation.HOUSING_QUALITY
    )
    near_poor_lacking_housing_area = _lacking(HouseholdGroup.NEAR_POOR, Deprivation.HOUSING_AREA)
    near_poor_lacking_clean_water = _lacking(HouseholdGroup.NEAR_POOR, Deprivation.CLEAN_WATER)
    near_poor_lacking_latrine = _lacking(HouseholdGroup.NEAR_POOR, Deprivation.LATRINE)
    near_poor_lacking_telecom = _lacking(HouseholdGroup.NEAR_POOR, Deprivation.TELECOM)
    near_poor_lacking_information_assets = _lacking(
        HouseholdGroup.NEAR_POOR, Deprivation.INFORMATION_ASSETS
    )
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    # The Excel import writes its own records (indicators/imports/apply.py): same columns.
    history = ValueHistory(
        verbose_name=_("commune statistics change"),
        verbose_name_plural=_("commune statistics changes"),
        excluded_fields=["updated_at", "is_demo"],
    )

    class Meta:
        verbose_name = _("commune statistics")
        verbose_name_plural = _("commune statistics")
        ordering = ["year", "commune__code"]
        # The dashboard's latest year with figures (`reports.selectors.pick_year`) and the
        # year's figures of a scope read by year: without it, every commune of the country.
        indexes = [models.Index(fields=["year"], name="indicators_communestats_year")]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "year"],
                name="indicators_communestats_one_per_commune_year",
                violation_error_code="one_per_commune_year",
                violation_error_message=_("This commune already has figures for this year."),
            ),
            models.CheckConstraint(
                condition=_not_above("poor_households", "total_households"),
                name="indicators_communestats_poor_not_above_total",
                violation_error_code="poor_not_above_total",
                violation_error_message=_("Poor households cannot be more than all households."),
            ),
            models.CheckConstraint(
                condition=_not_above("near_poor_households", "total_households"),
                name="indicators_communestats_near_poor_not_above_total",
                violation_error_code="near_poor_not_above_total",
                violation_error_message=_(
                    "Near-poor households cannot be more than all households."
                ),
            ),
            # Poor and near-poor are separate groups of households (QĐ 59/2015/QĐ-TTg).
            models.CheckConstraint(
                condition=Q(poor_households__isnull=True)
                | Q(near_poor_households__isnull=True)
                | Q(total_households__isnull=True)
                | Q(
                    total_households__gte=F("poor_households") + F("near_poor_households"),
                ),
                name="indicators_communestats_poor_and_near_poor_not_above_total",
                violation_error_code="poor_and_near_poor_not_above_total",
                violation_error_message=_(
                    "Poor and near-poor households together cannot be more than all households."
                ),
            ),
            models.CheckConstraint(
                condition=_not_above("ethnic_minority_households", "total_households"),
                name="indicators_communestats_ethnic_not_above_total",
                violation_error_code="ethnic_not_above_total",
                violation_error_message=_(
                    "Ethnic-minority households cannot be more than all households."
                ),
            ),
            models.CheckConstraint(
                condition=_not_above("poor_ethnic_minority_households", "poor_households"),
                name="indicators_communestats_poor_ethnic_not_above_poor",
                violation_error_code="poor_ethnic_not_above_poor",
                violation_error_message=_(
                    "Poor ethnic-minority households cannot be more than poor households."
                ),
            ),
            models.CheckConstraint(
                condition=_not_above(
                    "near_poor_ethnic_minority_households", "near_poor_households"
                ),
                name="indicators_communestats_near_poor_ethnic_not_above_near_poor",
                violation_error_code="near_poor_ethnic_not_above_near_poor",
                violation_error_message=_(
                    "Near-poor ethnic-minority households cannot be more than near-poor households."
                ),
            ),
            models.CheckConstraint(
                condition=_not_above("escaped_poverty_ethnic_minority", "escaped_poverty"),
                name="indicators_communestats_escaped_ethnic_not_above_escaped",
                violation_error_code="escaped_ethnic_not_above_escaped",
                violation_error_message=_(
                    "Ethnic-minority households that escaped poverty cannot be more than all "
                    "households that escaped poverty."
                ),
            ),
            models.CheckConstraint(
                condition=_not_above("newly_poor_ethnic_minority", "newly_poor"),
                name="indicators_communestats_newly_poor_ethnic_not_above_newly_poor",
                violation_error_code="newly_poor_ethnic_not_above_newly_poor",
                violation_error_message=_(
                    "Newly poor ethnic-minority households cannot be more than all newly poor "
                    "households."
                ),
            ),
            models.CheckConstraint(
                condition=_not_above("fell_back_ethnic_minority", "fell_back"),
                name="indicators_communestats_fell_back_ethnic_not_above_fell_back",
                violation_error_code="fell_back_ethnic_not_above_fell_back",
                violation_error_message=_(
                    "Ethnic-minority households that fell back into poverty cannot be more than "
                    "all households that fell back into poverty."
                ),
            ),
            *_deprivation_constraints(),
        ]

    def __str__(self) -> str:
        return f"{self.commune} – {self.year}"


class PovertyModel(models.Model):
    """A sustainable poverty-reduction model (mô hình giảm nghèo bền vững)."""

    unit = models.ForeignKey(
        Unit, models.PROTECT, related_name="poverty_models", verbose_name=_("implementing unit")
    )
    commune = models.ForeignKey(
        Unit,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="poverty_models_here",
        verbose_name=_("commune"),
        limit_choices_to={"level": "commune"},
    )
    name = models.CharField(_("name"), max_length=300)
    start_year = models.PositiveSmallIntegerField(_("start year"))
    participating_households = models.PositiveIntegerField(_("participating households"))
    description = models.TextField(_("description"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("sustainable poverty-reduction model")
        verbose_name_plural = _("sustainable poverty-reduction models")
        ordering = ["unit__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "name"],
                name="indicators_povertymodel_unique_name",
                violation_error_code="unique_name",
                violation_error_message=_("This unit already has a model with this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ModelResult(models.Model):
    """A model's results for one year, as reported by its unit."""

    model = models.ForeignKey(
        PovertyModel, models.CASCADE, related_name="results", verbose_name=_("model")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    submission = models.ForeignKey(
        Submission,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="model_results",
        verbose_name=_("yearly report"),
    )
    participating_households = models.PositiveIntegerField(_("participating households"))
    average_income_vnd = models.PositiveBigIntegerField(
        _("average income per household (VND)"), null=True, blank=True
    )
    escaped_households = models.PositiveIntegerField(
        _("households that escaped poverty"), default=0
    )
    comment = models.TextField(_("comment"), blank=True)

    history = ValueHistory(
        verbose_name=_("model result change"), verbose_name_plural=_("model result changes")
    )

    class Meta:
        verbose_name = _("model result")
        verbose_name_plural = _("model results")
        ordering = ["model", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "year"],
                name="indicators_modelresult_one_per_year",
                violation_error_code="one_per_year",
                violation_error_message=_("This model already has results for this year."),
            ),
            models.CheckConstraint(
                condition=Q(escaped_households__lte=F("participating_households")),
                name="indicators_modelresult_escaped_not_above_participating",
                violation_error_code="escaped_not_above_participating",
                violation_error_message=_(
                    "Households that escaped poverty cannot be more than participating households."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model} – {self.year}"


class ReportedValue(models.Model):
    """An indicator value a unit reports; rates carry their two counts, never a bare percentage."""

    submission = models.ForeignKey(
        Submission, models.CASCADE, related_name="values", verbose_name=_("yearly report")
    )
    indicator = models.ForeignKey(
        Indicator, models.PROTECT, related_name="reported_values", verbose_name=_("indicator")
    )
    value = models.DecimalField(_("value"), null=True, blank=True, **VALUE)
    numerator = models.PositiveBigIntegerField(_("count"), null=True, blank=True)
    denominator = models.PositiveBigIntegerField(_("out of"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    warning_explanation = models.TextField(_("explanation of the warning"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = ValueHistory(
        verbose_name=_("reported value change"),
        verbose_name_plural=_("reported value changes"),
        excluded_fields=["updated_at"],
    )

    class Meta:
        verbose_name = _("reported value")
        verbose_name_plural = _("reported values")
        ordering = ["submission", "indicator__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "indicator"],
                name="indicators_reportedvalue_one_per_indicator",
                violation_error_code="one_per_indicator",
                violation_error_message=_("This indicator is already reported in this report."),
            ),
            models.CheckConstraint(
                condition=_not_above("numerator", "denominator"),
                name="indicators_reportedvalue_count_not_above_total",
                violation_error_code="count_not_above_total",
                violation_error_message=_("The count cannot be more than the total."),
            ),
            # A rate "out of 0" would divide by zero in every total it joins.
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
                name="indicators_reportedvalue_total_positive",
                violation_error_code="total_positive",
                violation_error_message=_("The total must be above zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission} – {self.indicator.code}"


class RegisteredTarget(models.Model):
    """A target value a unit commits to for one indicator in its yearly registration."""

    registration = models.ForeignKey(
        Registration, models.CASCADE, related_name="targets", verbose_name=_("registration")
    )
    indicator = models.ForeignKey(
        Indicator, models.PROTECT, related_name="registered_targets", verbose_name=_("indicator")
    )
    value = models.DecimalField(_("committed value"), **VALUE)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("registered target")
        verbose_name_plural = _("registered targets")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "indicator"],
                name="indicators_registeredtarget_one_per_indicator",
                violation_error_code="one_per_indicator",
                violation_error_message=_("This indicator is already in the registration."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration} – {self.indicator.code}"


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    PREVIEWING = "previewing", _("Reading the file")
    PREVIEWED = "previewed", _("Waiting for confirmation")
    APPLYING = "applying", _("Applying")
    APPLIED = "applied", _("Applied")
    FAILED = "failed", _("Failed")
    REFUSED = "refused", _("Refused")
    # A preview nobody confirmed within a day: the figures it compared against may be stale.
    EXPIRED = "expired", _("Expired")


def import_upload_to(instance: "ImportBatch", filename: str) -> str:
    # Generated names only: an uploaded name never reaches the file system.
    return f"imports/{instance.year}/{uuid.uuid4().hex}.xlsx"


class ImportBatch(models.Model):
    """One uploaded commune-statistics file: its preview, its confirmation and its outcome."""

    year = models.PositiveSmallIntegerField(_("year"))
    # Empty when the file came through the import_commune_stats command.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="import_batches",
        verbose_name=_("uploaded by"),
    )
    # Set when a district officer uploads: only the district's own communes may be written.
    district = models.ForeignKey(
        Unit,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="import_batches",
        verbose_name=_("district"),
    )
    file = models.FileField(_("file"), upload_to=import_upload_to, max_length=200)
    original_name = models.CharField(_("original name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    state = models.CharField(
        _("state"), max_length=16, choices=ImportState, default=ImportState.UPLOADED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    total_rows = models.PositiveIntegerField(_("rows read"), default=0)
    new_count = models.PositiveIntegerField(_("new"), default=0)
    changed_count = models.PositiveIntegerField(_("changed"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    skipped_count = models.PositiveIntegerField(_("subtotal and empty rows"), default=0)
    # Commune rows whose figure cells are all blank: not data, so neither new nor stored.
    blank_count = models.PositiveIntegerField(_("rows left blank"), default=0)
    # Why the whole file was refused (code and its parameters); empty when it was read.
    refusal = models.JSONField(_("refusal"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    # The validated rows, applied as they are on confirmation: the file is not read twice.
    rows = models.JSONField(_("validated rows"), default=list, blank=True)
    columns = models.JSONField(_("columns found"), default=list, blank=True)
    # Digest of the stored figures the preview compared against: if they change before the
    # confirmation, the differences shown are no longer true and the import is refused.
    fingerprint = models.CharField(
        _("fingerprint of the stored figures"), max_length=64, blank=True
    )
    needs_note = models.BooleanField(_("needs a note"), default=False)
    note = models.TextField(_("note"), blank=True)
    # One-time secret the confirmation must echo; cleared when used.
    confirm_token = models.CharField(_("confirmation token"), max_length=64, blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    previewed_at = models.DateTimeField(_("previewed at"), null=True, blank=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("applied by"),
    )

    class Meta:
        verbose_name = _("commune statistics import")
        verbose_name_plural = _("commune statistics imports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="indicators_importbatch_progress_at_most_100",
            ),
            models.CheckConstraint(
                condition=~Q(state=ImportState.APPLIED) | Q(applied_at__isnull=False),
                name="indicators_importbatch_applied_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.year})"

    @property
    def is_running(self) -> bool:
        return self.state in (ImportState.UPLOADED, ImportState.PREVIEWING, ImportState.APPLYING)

    @property
    def can_confirm(self) -> bool:
        return self.state == ImportState.PREVIEWED and self.error_count == 0


class Baseline(models.Model):
    """An indicator's value at the campaign's starting point, from an official document.

    For a share or a rate the value is the percentage in the baseline year; for a growth
    (INCOME) it is the average income per participating household in VND, the figure the first
    reporting year's growth is measured against. Without a scope it holds for the province."""

    indicator = models.ForeignKey(
        Indicator, models.CASCADE, related_name="baselines", verbose_name=_("indicator")
    )
    scope = models.ForeignKey(
        Unit,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="baselines",
        verbose_name=_("scope"),
    )
    year = models.PositiveSmallIntegerField(_("baseline year"))
    value = models.DecimalField(_("baseline value"), **VALUE)
    source_document = models.CharField(_("source document"), max_length=300)
    note = models.TextField(_("note"), blank=True)
    # What the value was measured under: a successor campaign's baseline carries the standard
    # of the campaign it comes from (a poverty figure under QĐ 59/2015/QĐ-TTg is not one under
    # NĐ 07/2021/NĐ-CP), and is flagged when it must be entered again under the new one.
    standard = models.CharField(_("measured under"), max_length=100, blank=True)
    needs_reentry = models.BooleanField(_("to be entered again"), default=False)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("set by"),
    )
    set_at = models.DateTimeField(_("set at"))

    class Meta:
        verbose_name = _("baseline")
        verbose_name_plural = _("baselines")
        ordering = ["indicator", "scope"]
        constraints = [
            # Two partial indexes because NULL scopes would otherwise never collide.
            models.UniqueConstraint(
                fields=["indicator"],
                condition=Q(scope__isnull=True),
                name="indicators_baseline_one_per_indicator",
                violation_error_code="one_per_indicator",
                violation_error_message=_("This indicator already has a province-wide baseline."),
            ),
            models.UniqueConstraint(
                fields=["indicator", "scope"],
                condition=Q(scope__isnull=False),
                name="indicators_baseline_one_per_indicator_scope",
                violation_error_code="one_per_indicator_scope",
                violation_error_message=_("This indicator already has a baseline for this scope."),
            ),
            # A baseline nobody can trace back to a document is not a baseline.
            models.CheckConstraint(
                condition=~Q(source_document=""),
                name="indicators_baseline_has_source",
                violation_error_code="has_source",
                violation_error_message=_("Name the document the baseline comes from."),
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="indicators_baseline_not_negative",
                violation_error_code="not_negative",
                violation_error_message=_("A baseline cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year}"


class BaselineChange(models.Model):
    """One change to a baseline, kept for good: what it became (empty when removed), who, when."""

    indicator = models.ForeignKey(
        Indicator, models.CASCADE, related_name="baseline_changes", verbose_name=_("indicator")
    )
    scope = models.ForeignKey(
        Unit,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="baseline_changes",
        verbose_name=_("scope"),
    )
    year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    value = models.DecimalField(_("baseline value"), null=True, blank=True, **VALUE)
    source_document = models.CharField(_("source document"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("set by")
    )
    set_at = models.DateTimeField(_("set at"))

    class Meta:
        verbose_name = _("baseline change")
        verbose_name_plural = _("baseline changes")
        ordering = ["-set_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.set_at:%Y-%m-%d %H:%M}"


class ReportFormVersion(models.Model):
    """One row whose counter moves whenever what a report form is made of may have changed:
    criteria, blocs and their members, indicators, poverty models, sponsorships, units.

    Each process keeps the forms it has read (`indicators.submissions.shapes`) under this
    counter; the database keeps it so that every process sees a change at once."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    value = models.BigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("report form version")
        verbose_name_plural = _("report form versions")

    def __str__(self) -> str:
        return str(self.value)


class FiguresVersion(models.Model):
    """One row whose counter moves whenever figures change; cached pages put it in their key.

    The database keeps it, not the cache: a Redis outage, flush or eviction must not take the
    counter back to a value that pages with older figures were cached under.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    value = models.BigIntegerField(_("version"), default=0)
    # Moves with `value` except for a report's own changes (a submission, its values and model
    # results): what is computed from commune statistics alone keeps its cached copy then.
    statistics = models.BigIntegerField(_("version of everything but reports"), default=0)

    class Meta:
        verbose_name = _("figures version")
        verbose_name_plural = _("figures versions")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="indicators_figuresversion_one_row"),
        ]

    def __str__(self) -> str:
        return str(self.value)


class DistrictConfirmation(models.Model):
    """A district vouches for the year's figures of its own communes. Any later change to
    those figures removes it: the district must look again and confirm again."""

    year = models.PositiveSmallIntegerField(_("year"))
    district = models.ForeignKey(
        Unit,
        models.PROTECT,
        related_name="figure_confirmations",
        verbose_name=_("district"),
        limit_choices_to={"level": "district"},
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("confirmed by")
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("district confirmation of commune figures")
        verbose_name_plural = _("district confirmations of commune figures")
        ordering = ["year", "district__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "district"],
                name="indicators_districtconfirmation_once_a_year",
                violation_error_code="once_a_year",
                violation_error_message=_("This district has already confirmed this year."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district} – {self.year}"
