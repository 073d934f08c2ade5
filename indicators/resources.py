"""django-import-export mappings for the Django admin, with this portal's row rules.

The admin is the second way in (the import page is the first); both use the same row rules from
`indicators.imports.validation`. Library defaults that would let bad data through are closed
here: unreadable number errors, duplicate keys becoming updates, missing columns ignored,
partial imports, lost row numbers, import by any staff user and formulas in exports.
"""

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.formats import base_formats

from indicators.imports import services
from indicators.imports.columns import (
    BY_FIELD,
    COUNT_FIELDS,
    DEPRIVATION_COLUMN_FIELDS,
    FLAG_FIELDS,
)
from indicators.imports.problems import message
from indicators.imports.safety import check_upload
from indicators.imports.validation import CellProblem, clean_count, clean_flag, clean_text
from indicators.models import CommuneStatistics, Indicator, Milestone
from indicators.progress.cache import figures_changed
from kontum_poverty.spreadsheets import escape_formula
from units import access
from units.models import Unit, UnitLevel

YEAR_HEADER = "Năm"


def _clear(problem: CellProblem) -> ValueError:
    return ValueError(message(problem.code, problem.params))


class CountWidget(widgets.IntegerWidget):
    """Whole numbers as people type them ("1.234"); a clear message instead of InvalidOperation."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int | None:
        try:
            return clean_count(value)
        except CellProblem as exc:
            raise _clear(exc) from None


class FlagWidget(widgets.BooleanWidget):
    """có/không, x, 1/0, yes/no, true/false; anything else is an error, not a silent no."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> bool | None:
        try:
            return clean_flag(value)
        except CellProblem as exc:
            raise _clear(exc) from None

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return {True: "có", False: "không"}.get(value, "")


class TextWidget(widgets.CharWidget):
    def __init__(self, field: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.field = field

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        try:
            return clean_text(value, field=self.field)
        except CellProblem as exc:
            raise _clear(exc) from None


class DecimalWidget(widgets.DecimalWidget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Decimal | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation:
            raise ValueError(_("“%(value)s” is not a number.") % {"value": value}) from None


class CodeWidget(widgets.ForeignKeyWidget):
    """A unit by its official code; Excel's lost leading zeros are put back."""

    def __init__(self, level: str | None = None, **kwargs: Any) -> None:
        super().__init__(Unit, "code", **kwargs)
        self.level = level

    def get_queryset(self, value: Any, row: Any, *args: Any, **kwargs: Any) -> Any:
        queryset = Unit.objects.all()
        return queryset.filter(level=self.level) if self.level else queryset

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Unit | None:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        code = str(value).strip() if value is not None else ""
        if not code:
            return None
        found = self.get_queryset(code, row).filter(code__in={code, code.zfill(5)}).first()
        if found is None:
            raise ValueError(message("unknown_code", {"code": code}))
        return found


class SafeXLSX(base_formats.XLSX):
    """The library's .xlsx reader behind the same file checks as the import page."""

    def create_dataset(self, in_stream: Any, **kwargs: Any) -> Any:
        import io

        raw = in_stream if isinstance(in_stream, bytes) else in_stream.read()
        try:
            check_upload(io.BytesIO(raw), size=len(raw))
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from None
        return super().create_dataset(raw, **kwargs)


class EscapingResource(resources.ModelResource):
    """Exports neutralise cells that a spreadsheet would run as formulas (= + - @ tab)."""

    # Headers that must be in the file; the library would otherwise ignore a missing column.
    required_headers: tuple[str, ...] = ()

    def export_field(self, field: fields.Field, instance: Any, **kwargs: Any) -> Any:
        return escape_formula(super().export_field(field, instance, **kwargs))

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        super().before_import(dataset, **kwargs)
        headers = set(dataset.headers or [])
        missing = [header for header in self.required_headers if header not in headers]
        if missing:
            raise ValueError(message("missing_column", {"column": ", ".join(missing)}))
        self._seen_keys: dict[tuple, int] = {}

    def after_import(self, dataset: Any, result: Any, **kwargs: Any) -> None:
        super().after_import(dataset, result, **kwargs)
        if not kwargs.get("dry_run") and not result.has_errors():
            # Dashboards cache their figures; they must be recomputed once the rows are in.
            transaction.on_commit(figures_changed)

    def _once_per_file(self, key: tuple, row_number: int | None, label: str) -> None:
        # The library would turn a second row with the same key into an update of the first.
        first = self._seen_keys.setdefault(key, row_number or 0)
        if first != (row_number or 0):
            raise ValueError(message("duplicate_commune", {"commune": label, "first_row": first}))


def _stat_field(name: str) -> fields.Field:
    header = BY_FIELD[name].header
    if name in COUNT_FIELDS:
        widget: widgets.Widget = CountWidget()
    elif name in FLAG_FIELDS:
        widget = FlagWidget()
    else:
        widget = TextWidget(name)
    return fields.Field(attribute=name, column_name=header, widget=widget)


class CommuneStatisticsResource(EscapingResource):
    commune = fields.Field(
        attribute="commune", column_name="Mã xã", widget=CodeWidget(UnitLevel.COMMUNE)
    )
    year = fields.Field(attribute="year", column_name=YEAR_HEADER, widget=widgets.IntegerWidget())
    total_households = _stat_field("total_households")
    ethnic_minority_households = _stat_field("ethnic_minority_households")
    poor_households = _stat_field("poor_households")
    poor_ethnic_minority_households = _stat_field("poor_ethnic_minority_households")
    near_poor_households = _stat_field("near_poor_households")
    near_poor_ethnic_minority_households = _stat_field("near_poor_ethnic_minority_households")
    escaped_poverty = _stat_field("escaped_poverty")
    newly_poor = _stat_field("newly_poor")
    fell_back = _stat_field("fell_back")
    escaped_poverty_ethnic_minority = _stat_field("escaped_poverty_ethnic_minority")
    newly_poor_ethnic_minority = _stat_field("newly_poor_ethnic_minority")
    fell_back_ethnic_minority = _stat_field("fell_back_ethnic_minority")
    paved_road = _stat_field("paved_road")
    adequate_schools = _stat_field("adequate_schools")
    health_criteria_met = _stat_field("health_criteria_met")
    cultural_house = _stat_field("cultural_house")
    note = _stat_field("note")
    source = _stat_field("source")
    # The twenty deprivation columns, each under its template header (the class body's
    # namespace is a dict: this declares them as if written out one by one).
    locals().update({name: _stat_field(name) for name in DEPRIVATION_COLUMN_FIELDS})

    required_headers = ("Mã xã", YEAR_HEADER, "Tổng số hộ", "Số hộ nghèo")

    class Meta:
        model = CommuneStatistics
        import_id_fields = ("commune", "year")
        fields = (
            "commune",
            "year",
            "total_households",
            "ethnic_minority_households",
            "poor_households",
            "poor_ethnic_minority_households",
            "near_poor_households",
            "near_poor_ethnic_minority_households",
            "escaped_poverty",
            "newly_poor",
            "fell_back",
            "escaped_poverty_ethnic_minority",
            "newly_poor_ethnic_minority",
            "fell_back_ethnic_minority",
            "paved_road",
            "adequate_schools",
            "health_criteria_met",
            "cultural_house",
            "note",
            "source",
            *DEPRIVATION_COLUMN_FIELDS,
        )
        # Every row runs full_clean(): the database constraints become row errors.
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        # Row by row keeps row numbers on every error; bulk mode loses them.
        use_bulk = False

    def before_import_row(self, row: Any, row_number: int | None = None, **kwargs: Any) -> None:
        super().before_import_row(row, row_number=row_number, **kwargs)
        year = row.get(YEAR_HEADER)
        try:
            year_number = int(year)
        except (TypeError, ValueError):
            raise ValueError(_("The year “%(value)s” is not a year.") % {"value": year}) from None
        if services.year_is_locked(year=year_number):
            raise ValueError(message("year_locked", {"year": year_number}))
        code = str(row.get("Mã xã") or "").strip()
        self._once_per_file((code, year_number), row_number, code)


class UnitResource(EscapingResource):
    parent = fields.Field(attribute="parent", column_name="parent", widget=CodeWidget())
    required_headers = ("code", "name", "level", "kind")

    class Meta:
        model = Unit
        import_id_fields = ("code",)
        fields = ("code", "name", "level", "kind", "parent", "is_active")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        use_bulk = False

    def before_import_row(self, row: Any, row_number: int | None = None, **kwargs: Any) -> None:
        super().before_import_row(row, row_number=row_number, **kwargs)
        code = str(row.get("code") or "").strip()
        self._once_per_file((code,), row_number, code)


class IndicatorWidget(widgets.ForeignKeyWidget):
    """An indicator by its code inside the campaign named in the same row."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(Indicator, "code", **kwargs)

    def get_queryset(self, value: Any, row: Any, *args: Any, **kwargs: Any) -> Any:
        return Indicator.objects.filter(campaign__number=(row or {}).get("campaign"))

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Indicator | None:
        try:
            return super().clean(value, row=row, **kwargs)
        except Indicator.DoesNotExist:
            raise ValueError(
                _("No indicator %(code)s in campaign %(campaign)s.")
                % {"code": value, "campaign": (row or {}).get("campaign")}
            ) from None


class MilestoneResource(EscapingResource):
    campaign = fields.Field(attribute="indicator__campaign__number", column_name="campaign")
    indicator = fields.Field(
        attribute="indicator", column_name="indicator", widget=IndicatorWidget()
    )
    scope = fields.Field(attribute="scope", column_name="scope", widget=CodeWidget())
    target_low = fields.Field(
        attribute="target_low", column_name="target_low", widget=DecimalWidget()
    )
    target_high = fields.Field(
        attribute="target_high", column_name="target_high", widget=DecimalWidget()
    )
    required_headers = ("campaign", "indicator", "year")

    class Meta:
        model = Milestone
        import_id_fields = ("indicator", "year", "scope")
        fields = ("campaign", "indicator", "year", "scope", "target_low", "target_high")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        use_bulk = False

    def import_field(self, field: fields.Field, instance: Any, row: Any, **kwargs: Any) -> None:
        # The campaign column only selects the indicator; it is not written back.
        if field.column_name == "campaign":
            return
        super().import_field(field, instance, row, **kwargs)

    def before_import_row(self, row: Any, row_number: int | None = None, **kwargs: Any) -> None:
        super().before_import_row(row, row_number=row_number, **kwargs)
        key = (row.get("campaign"), row.get("indicator"), row.get("year"), row.get("scope"))
        self._once_per_file(key, row_number, " ".join(str(part or "") for part in key))


# The mixin below only ever comes before import-export's own; type checkers are told so.
if TYPE_CHECKING:
    from import_export.admin import ImportExportMixin as _ImportExportMixin
else:
    _ImportExportMixin = object


class AdminOnlyImportExportMixin(_ImportExportMixin):
    """For ImportExportModelAdmin: only administrators import or export, all or nothing."""

    def has_import_permission(self, request: Any) -> bool:
        user = request.user
        return bool(user.is_staff and access.is_admin(user))

    def has_export_permission(self, request: Any) -> bool:
        return self.has_import_permission(request)

    def get_import_formats(self) -> list:
        return [SafeXLSX]

    def get_export_formats(self) -> list:
        return [base_formats.XLSX, base_formats.CSV]

    def get_import_data_kwargs(self, **kwargs: Any) -> dict:
        kwargs = super().get_import_data_kwargs(**kwargs)
        # One bad row refuses the whole file, as on the import page.
        kwargs["rollback_on_validation_errors"] = True
        return kwargs
