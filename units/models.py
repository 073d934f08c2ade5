from datetime import date
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District level")
    COMMUNE = "commune", _("Commune level")
    ORGANISATION = "organisation", _("Agency or organisation")


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")
    WARD = "ward", _("Ward")
    TOWNSHIP = "township", _("Township")
    DEPARTMENT = "department", _("Provincial department or agency")
    MASS_ORGANISATION = "mass_organisation", _("Mass organisation")
    ENTERPRISE = "enterprise", _("Enterprise")


# Which kinds belong to which level; the database checks every unit against this table.
KINDS_BY_LEVEL = {
    UnitLevel.PROVINCE: [UnitKind.PROVINCE],
    UnitLevel.DISTRICT: [UnitKind.CITY, UnitKind.DISTRICT],
    UnitLevel.COMMUNE: [UnitKind.COMMUNE, UnitKind.WARD, UnitKind.TOWNSHIP],
    UnitLevel.ORGANISATION: [
        UnitKind.DEPARTMENT,
        UnitKind.MASS_ORGANISATION,
        UnitKind.ENTERPRISE,
    ],
}


class UnitQuerySet(models.QuerySet):
    def districts(self):
        return self.filter(level=UnitLevel.DISTRICT)

    def communes(self):
        return self.filter(level=UnitLevel.COMMUNE)

    def participating(self):
        return self.filter(is_active=True).exclude(level=UnitLevel.PROVINCE)


class Unit(models.Model):
    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_(
            "Official statistics-office code for administrative units; a short code otherwise."
        ),
    )
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=16, choices=UnitLevel)
    kind = models.CharField(_("kind"), max_length=24, choices=UnitKind)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    is_active = models.BooleanField(_("takes part"), default=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level=UnitLevel.PROVINCE, parent__isnull=True)
                | (~Q(level=UnitLevel.PROVINCE) & Q(parent__isnull=False)),
                name="units_unit_only_province_is_root",
                violation_error_code="only_province_is_root",
                violation_error_message=_("Only the province has no parent unit."),
            ),
            models.CheckConstraint(
                condition=Q(
                    *[Q(level=level, kind__in=kinds) for level, kinds in KINDS_BY_LEVEL.items()],
                    _connector=Q.OR,
                ),
                name="units_unit_kind_fits_level",
                violation_error_code="kind_fits_level",
                violation_error_message=_("This kind of unit does not belong to this level."),
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="units_unit_not_own_parent",
            ),
            # The tree has exactly one root; a second province would split every total.
            models.UniqueConstraint(
                fields=["level"],
                condition=Q(level=UnitLevel.PROVINCE),
                name="units_unit_one_province",
                violation_error_code="one_province",
                violation_error_message=_("There is already a province."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_commune(self) -> bool:
        return self.level == UnitLevel.COMMUNE

    def name_on(self, day: date) -> str:
        """The unit's name as it stood on a given day (names change: 23473 became Măng Đen)."""
        change = self.changes.filter(effective_on__gt=day).order_by("effective_on").first()
        return change.name_before if change else self.name


class UnitFlagKind(models.TextChoices):
    ESPECIALLY_DIFFICULT = "especially_difficult", _("Especially difficult commune (Program 135)")
    BORDER = "border", _("Border commune")


class FlagSource(models.TextChoices):
    OFFICIAL_LIST = "official_list", _("Official list")
    BOARD = "board", _("Completed by the Board")


class UnitFlag(models.Model):
    """A dated status set by a decision, e.g. Program 135 under QĐ 900/QĐ-TTg for 2017–2020.

    The shipped lists are incomplete (units/data/PROVENANCE.md): the Board completes them in the
    portal, naming the deciding document, and pages say so."""

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="flags", verbose_name=_("unit"))
    flag = models.CharField(_("flag"), max_length=24, choices=UnitFlagKind)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=120)
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(
        _("source"), max_length=16, choices=FlagSource, default=FlagSource.OFFICIAL_LIST
    )
    added_by = models.ForeignKey(
        "User", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("added by")
    )
    added_at = models.DateTimeField(_("added at"), null=True, blank=True)

    class Meta:
        verbose_name = _("unit flag")
        verbose_name_plural = _("unit flags")
        ordering = ["unit__code", "flag", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "flag", "valid_from"],
                name="units_unitflag_unique_start",
                violation_error_code="unique_start",
                violation_error_message=_("This flag already starts on this day for this unit."),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="units_unitflag_valid_to_after_from",
                violation_error_code="valid_to_after_from",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            # A flag the Board added names who added it, when, and the deciding document.
            models.CheckConstraint(
                condition=~Q(source=FlagSource.BOARD)
                | (Q(added_by__isnull=False) & Q(added_at__isnull=False) & ~Q(decision="")),
                name="units_unitflag_board_flag_traced",
                violation_error_code="board_flag_traced",
                violation_error_message=_(
                    "A flag added by the Board needs the deciding document, who and when."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.get_flag_display()}"


class UnitChange(models.Model):
    """A dated change of name or kind; the unit row always holds the current state."""

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="changes", verbose_name=_("unit"))
    effective_on = models.DateField(_("effective on"))
    name_before = models.CharField(_("name before"), max_length=200)
    kind_before = models.CharField(_("kind before"), max_length=24, choices=UnitKind)
    name_after = models.CharField(_("name after"), max_length=200)
    kind_after = models.CharField(_("kind after"), max_length=24, choices=UnitKind)
    decision = models.CharField(_("decision"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("unit change")
        verbose_name_plural = _("unit changes")
        ordering = ["unit__code", "effective_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "effective_on"],
                name="units_unitchange_one_per_day",
                violation_error_code="one_per_day",
                violation_error_message=_("This unit already has a change on this day."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_before} → {self.name_after} ({self.effective_on:%d/%m/%Y})"


class Sponsorship(models.Model):
    """An agency or enterprise sponsors an especially difficult commune for some years."""

    sponsor = models.ForeignKey(
        Unit, models.PROTECT, related_name="sponsorships_given", verbose_name=_("sponsor")
    )
    commune = models.ForeignKey(
        Unit,
        models.PROTECT,
        related_name="sponsorships_received",
        verbose_name=_("sponsored commune"),
        limit_choices_to={"level": UnitLevel.COMMUNE},
    )
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    sponsor_commitment = models.TextField(_("sponsor's commitment"), blank=True)
    commune_commitment = models.TextField(_("commune's commitment"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("sponsorship")
        verbose_name_plural = _("sponsorships")
        ordering = ["commune__code", "first_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["sponsor", "commune", "first_year"],
                name="units_sponsorship_unique_start",
                violation_error_code="unique_start",
                violation_error_message=_("This sponsorship is already recorded."),
            ),
            models.CheckConstraint(
                condition=Q(last_year__gte=F("first_year")),
                name="units_sponsorship_years_in_order",
                violation_error_code="years_in_order",
                violation_error_message=_("The last year cannot be before the first year."),
            ),
            models.CheckConstraint(
                condition=~Q(sponsor=F("commune")),
                name="units_sponsorship_not_self",
                violation_error_code="not_self",
                violation_error_message=_("A commune cannot sponsor itself."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sponsor} → {self.commune} ({self.first_year}–{self.last_year})"


class Role(models.TextChoices):
    OFFICER = "officer", _("Unit officer")
    BOARD = "board", _("Board staff")
    LEADER = "leader", _("Leader")
    DOLISA = "dolisa", _("DOLISA staff")
    ADMIN = "admin", _("Administrator")


class PortalUserManager(UserManager["User"]):
    def create_superuser(
        self,
        username: str,
        email: str | None = None,
        password: str | None = None,
        **extra_fields: Any,
    ) -> "User":
        # A superuser is the portal's administrator, never an officer without a unit.
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=16, choices=Role, default=Role.OFFICER)
    unit = models.ForeignKey(
        Unit,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("unit"),
        help_text=_("The unit this person works for. Required for unit officers."),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects: ClassVar[PortalUserManager] = PortalUserManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.CheckConstraint(
                condition=~Q(role=Role.OFFICER) | Q(unit__isnull=False),
                name="units_user_officer_has_unit",
                violation_error_code="officer_has_unit",
                violation_error_message=_("A unit officer must belong to a unit."),
            ),
        ]

    @property
    def is_officer(self) -> bool:
        return self.role == Role.OFFICER

    @property
    def is_board(self) -> bool:
        return self.role == Role.BOARD

    @property
    def is_leader(self) -> bool:
        return self.role == Role.LEADER

    @property
    def is_admin_role(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser


class AccountAction(models.TextChoices):
    CREATED = "created", _("Account created")
    INVITED = "invited", _("Invitation sent")
    DEACTIVATED = "deactivated", _("Deactivated")
    REACTIVATED = "reactivated", _("Reactivated")
    MOVED = "moved", _("Moved to another unit")
    UNLOCKED = "unlocked", _("Sign-in lock removed")


class AccountChange(models.Model):
    """One change the Board or an admin made to an account: what it was, what it became, who
    made it and when. Kept for good; the account's page lists them."""

    account = models.ForeignKey(
        User, models.PROTECT, related_name="account_changes", verbose_name=_("account")
    )
    action = models.CharField(_("change"), max_length=16, choices=AccountAction)
    # The fields the change touched, as they were and as they became ({"unit": 12} …).
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    by = models.ForeignKey(User, models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("account change")
        verbose_name_plural = _("account changes")
        ordering = ["-at", "-pk"]
        constraints = [
            # Nobody locks themselves out: another Board member or an admin must do it.
            models.CheckConstraint(
                condition=~Q(action=AccountAction.DEACTIVATED) | ~Q(account=F("by")),
                name="units_accountchange_not_own_deactivation",
                violation_error_code="not_own_deactivation",
                violation_error_message=_("You cannot deactivate your own account."),
            ),
            # A move names both units, so the page can say from where to where.
            models.CheckConstraint(
                condition=~Q(action=AccountAction.MOVED)
                | (Q(before__has_key="unit") & Q(after__has_key="unit")),
                name="units_accountchange_move_names_units",
                violation_error_code="move_names_units",
            ),
            models.CheckConstraint(
                condition=~Q(action__in=[AccountAction.DEACTIVATED, AccountAction.REACTIVATED])
                | (Q(before__has_key="is_active") & Q(after__has_key="is_active")),
                name="units_accountchange_activation_names_state",
                violation_error_code="activation_names_state",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} – {self.get_action_display()}"


# Notices live in their own package; importing them here registers them with the units app.
from units.notifications.models import (  # noqa: E402, F401
    EmailOptOut,
    Notification,
    NotificationKind,
    ReminderSent,
    ReminderStage,
)
