"""Forms of the Board's pages: the review queue and page (points typed the Vietnamese way, 7,5;
reasons and field comments), award proposals, the year's close, lock, reopen and unlock, and
the roadmap (baselines and yearly milestones)."""

import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

import openpyxl
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from campaigns.models import AwardKind, NomineeKind, ProposalStatus
from campaigns.queue import FLAGS, STATES, Queue
from campaigns.services.submissions import ScoreInput
from indicators.models import Indicator, Measure
from indicators.progress.baselines import BaselineInput
from indicators.progress.roadmap import Roadmap, RoadmapInput, RoadmapYear
from indicators.submissions.review import ScoreRow
from kontum_poverty.forms import StyledForm, style_fields
from kontum_poverty.numbers import VNNumberField, parse_vn_number
from units.models import Unit, UnitFlagKind

# Decisions are written the Vietnamese way; the ISO form is what a browser date picker sends.
DATE_INPUTS = ["%d/%m/%Y", "%Y-%m-%d"]


# A Giấy khen is recorded in the award history, never proposed by the Board.
PROPOSED_AWARDS = [(k.value, k.label) for k in AwardKind if k != AwardKind.COMMENDATION]


class ProposalAddForm(StyledForm):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Unit"))
    award = forms.ChoiceField(choices=PROPOSED_AWARDS, label=_("Award"))
    nominee_kind = forms.ChoiceField(
        choices=NomineeKind.choices,
        initial=NomineeKind.COLLECTIVE,
        required=False,
        label=_("Nominee"),
    )
    nominee_name = forms.CharField(
        label=_("Name of the person or household"),
        required=False,
        max_length=300,
        help_text=_("A collective is named for you: “Nhân dân và cán bộ huyện …” or the agency."),
    )
    nominee_details = forms.CharField(
        label=_("Position or address"), required=False, max_length=300
    )
    summary = forms.CharField(
        label=_("Summary of achievements"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed for a person, a household, and forms the ranking does not decide."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the unit does not meet the rule."),
    )

    def __init__(self, *args: object, units: QuerySet[Unit], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units.order_by("code")


class ProposalForm(StyledForm):
    """Names the proposal an action is about; the view looks it up inside the year."""

    proposal = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ProposalReasonForm(ProposalForm):
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    summary = forms.CharField(
        label=_("Summary of achievements"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ProposalDecideForm(ProposalForm):
    status = forms.ChoiceField(choices=ProposalStatus.choices, label=_("Decision"))
    decision_number = forms.CharField(label=_("Decision number"), required=False, max_length=60)
    decision_date = forms.DateField(
        label=_("Decision date"),
        required=False,
        input_formats=DATE_INPUTS,
        widget=forms.DateInput(
            format="%d/%m/%Y", attrs={"placeholder": _("dd/mm/yyyy"), "inputmode": "numeric"}
        ),
        error_messages={"invalid": _("Write the date as dd/mm/yyyy.")},
    )
    signer_name = forms.CharField(
        label=_("Signed by"),
        required=False,
        max_length=200,
        help_text=_("Needed for a decision not yet in the register."),
    )


class ReasonForm(StyledForm):
    """Reopening or unlocking a year: the reason is recorded with the event."""

    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- The review queue and the review page ---------------------------------------------------

MAX_COMMENT = 2000
ALL = [("", _("All"))]


class _VersionForm(forms.Form):
    # The report's version when the page was read: a service refuses to act on a newer one.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    # Three forms share the page: each needs its own element ids.
    id_prefix = "review"

    def __init__(self, *args: Any, version: int, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", version)


class ScoreForm(_VersionForm):
    """Board points and justification for each criterion of the report."""

    id_prefix = "score"

    def __init__(self, *args: Any, rows: list[ScoreRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            key = f"board-{row.criterion.pk}"
            points = VNNumberField(
                required=False, max_value=row.criterion.max_points, label=_("Board points")
            )
            points.error_messages["too_large"] = _("Points cannot be above %(limit)s.")
            self.fields[f"{key}-points"] = points
            self.fields[f"{key}-justification"] = forms.CharField(
                required=False,
                max_length=MAX_COMMENT,
                label=_("Justification"),
                widget=forms.Textarea(attrs={"rows": 1}),
            )
            if row.score is not None:
                self.initial.setdefault(f"{key}-points", row.score.board_points)
                self.initial.setdefault(f"{key}-justification", row.score.board_justification)
        style_fields(self, errors=self.errors if self.is_bound else (), small=True)

    def bound_rows(self) -> list[tuple[ScoreRow, forms.BoundField, forms.BoundField]]:
        return [
            (
                row,
                self[f"board-{row.criterion.pk}-points"],
                self[f"board-{row.criterion.pk}-justification"],
            )
            for row in self.rows
        ]

    def score_inputs(self) -> dict[int, ScoreInput]:
        """Points per criterion; a criterion whose field was not posted at all is left alone."""
        data = self.cleaned_data
        return {
            row.criterion.pk: ScoreInput(
                points=data[f"board-{row.criterion.pk}-points"],
                justification=data[f"board-{row.criterion.pk}-justification"],
            )
            for row in self.rows
            if f"board-{row.criterion.pk}-points" in self.data
        }


class ReturnForm(_VersionForm):
    """Why the report goes back: overall, on particular fields, or both (the service checks)."""

    id_prefix = "return"

    reason = forms.CharField(
        required=False,
        max_length=MAX_COMMENT * 2,
        label=_("What the unit must correct"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, keys: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keys = keys
        for key, label in keys:
            self.fields[f"comment-{key}"] = forms.CharField(
                required=False,
                max_length=MAX_COMMENT,
                label=label,
                widget=forms.Textarea(attrs={"rows": 1}),
            )
        style_fields(self, errors=self.errors if self.is_bound else (), small=True)

    def comment_fields(self) -> list[forms.BoundField]:
        return [self[f"comment-{key}"] for key, _label in self.keys]

    def field_comments(self) -> dict[str, str]:
        data = self.cleaned_data
        return {key: data[f"comment-{key}"] for key, _label in self.keys if data[f"comment-{key}"]}


class AcceptForm(_VersionForm):
    id_prefix = "accept"


class NotReportingForm(forms.Form):
    """Mark a unit as not reporting this year, or undo it, with the reason."""

    unit = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    action = forms.ChoiceField(
        choices=[("mark", _("Mark as not reporting")), ("unmark", _("Mark as reporting again"))],
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(required=False, max_length=MAX_COMMENT, label=_("Reason"))


class QueueFilterForm(forms.Form):
    """The queue's filters; the choices are the queue's own allow-lists."""

    state = forms.ChoiceField(required=False, label=_("State"))
    bloc = forms.ChoiceField(required=False, label=_("Emulation bloc"))
    district = forms.ChoiceField(required=False, label=_("District"))
    flag = forms.ChoiceField(required=False, label=_("Show only"))
    q = forms.CharField(required=False, max_length=100, label=_("Unit"))
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *, queue: Queue) -> None:
        data: Mapping[str, str] = {**queue.filters, "sort": queue.sort}
        super().__init__(data)
        state, bloc, district, flag = (
            cast(forms.ChoiceField, self.fields[name])
            for name in ("state", "bloc", "district", "flag")
        )
        state.choices = ALL + [(s, label) for s, label in STATES]
        bloc.choices = ALL + [(b.code, b.name) for b in queue.blocs]
        district.choices = ALL + [(d.code, d.name) for d in queue.districts]
        flag.choices = ALL + list(FLAGS)
        style_fields(self, errors=self.errors if self.is_bound else (), small=True)


class CoverageThresholdForm(StyledForm):
    threshold = forms.IntegerField(
        label=_("Minimum coverage (%)"),
        min_value=0,
        max_value=100,
        help_text=_(
            "A province or district figure built from fewer of its units than this share is "
            "replaced by “Not enough data (n/N)”."
        ),
    )


# --- The roadmap: baselines and yearly milestones -----------------------------------------------


@dataclass
class RoadmapFormRow:
    """One indicator's fields on the roadmap page, with the derived milestones beside."""

    indicator: Indicator
    roadmap: Roadmap
    value: forms.BoundField
    year: forms.BoundField
    source: forms.BoundField
    note: forms.BoundField
    milestones: list[tuple[int, forms.BoundField, RoadmapYear | None]]


class RoadmapForm(StyledForm):
    """Every indicator's baseline (value, year, source document) and its yearly milestones."""

    def __init__(
        self,
        *args: Any,
        roadmaps: dict[int, Roadmap],
        years: list[int],
        baseline_year: int,
        disabled: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.roadmaps, self.years, self.baseline_year = roadmaps, years, baseline_year
        for plan in roadmaps.values():
            indicator, baseline, prefix = plan.indicator, plan.baseline, f"i{plan.indicator.pk}"
            # A growth's baseline is an income in VND; any other is a percentage.
            percent = indicator.measure != Measure.GROWTH and indicator.unit_of_measure == "%"
            self.fields[f"{prefix}-value"] = VNNumberField(
                required=False,
                max_value=100 if percent else None,
                label=_("Baseline (VND per household)") if not percent else _("Baseline (%)"),
            )
            self.fields[f"{prefix}-year"] = forms.IntegerField(
                required=False, min_value=2000, max_value=2100, label=_("Baseline year")
            )
            self.initial.setdefault(f"{prefix}-year", baseline_year)
            self.fields[f"{prefix}-source"] = forms.CharField(
                required=False, max_length=300, label=_("Source document")
            )
            self.fields[f"{prefix}-note"] = forms.CharField(
                required=False, max_length=MAX_COMMENT, label=_("Note")
            )
            if baseline is not None:
                self.initial.setdefault(f"{prefix}-value", baseline.value)
                self.initial.setdefault(f"{prefix}-year", baseline.year)
                self.initial.setdefault(f"{prefix}-source", baseline.source_document)
                self.initial.setdefault(f"{prefix}-note", baseline.note)
            set_years = {y.year: y for y in plan.years if y.set_milestone is not None}
            for year in years:
                self.fields[f"{prefix}-m{year}"] = VNNumberField(
                    required=False,
                    min_value=None,
                    label=_("Milestone %(year)s") % {"year": year},
                )
                if year in set_years:
                    self.initial.setdefault(f"{prefix}-m{year}", set_years[year].line)
        for field in self.fields.values():
            field.disabled = disabled
        style_fields(self, errors=self.errors if self.is_bound else (), small=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for pk in self.roadmaps:
            prefix = f"i{pk}"
            if data.get(f"{prefix}-value") is not None and not data.get(f"{prefix}-source"):
                self.add_error(
                    f"{prefix}-source",
                    forms.ValidationError(
                        _("Name the document the baseline comes from."), code="source_required"
                    ),
                )
        return data

    def rows(self) -> list[RoadmapFormRow]:
        found = []
        for pk, plan in self.roadmaps.items():
            prefix = f"i{pk}"
            by_year = {y.year: y for y in plan.years}
            found.append(
                RoadmapFormRow(
                    indicator=plan.indicator,
                    roadmap=plan,
                    value=self[f"{prefix}-value"],
                    year=self[f"{prefix}-year"],
                    source=self[f"{prefix}-source"],
                    note=self[f"{prefix}-note"],
                    milestones=[
                        (year, self[f"{prefix}-m{year}"], by_year.get(year)) for year in self.years
                    ],
                )
            )
        return found

    def inputs(self) -> list[RoadmapInput]:
        data = self.cleaned_data
        return [
            RoadmapInput(
                indicator=plan.indicator,
                baseline=BaselineInput(
                    year=data[f"i{pk}-year"] or self.baseline_year,
                    value=data[f"i{pk}-value"],
                    source_document=data[f"i{pk}-source"],
                    note=data[f"i{pk}-note"],
                ),
                milestones={year: data[f"i{pk}-m{year}"] for year in self.years},
            )
            for pk, plan in self.roadmaps.items()
        ]


# Columns of the baseline file, in this order under one header row (a file format, not UI text).
BASELINE_COLUMNS = ("Mã chỉ tiêu", "Giá trị cơ sở", "Năm gốc", "Văn bản nguồn")
MAX_BASELINE_FILE = 1024 * 1024


class BaselineImportForm(StyledForm):
    """A small Excel file of baselines: indicator code, value, year, source document."""

    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        help_text=_("Columns: indicator code, baseline value, baseline year, source document."),
    )

    def __init__(self, *args: Any, indicators: list[Indicator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = {i.code.upper(): i for i in indicators}

    def clean_file(self) -> list[tuple[Indicator, BaselineInput]]:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BASELINE_FILE:
            raise forms.ValidationError(_("The file is larger than 1 MB."), code="too_large")
        try:
            sheet = openpyxl.load_workbook(upload, read_only=True, data_only=True).active
            lines = list(sheet.iter_rows(min_row=2, max_col=4, values_only=True))
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            raise forms.ValidationError(
                _("This is not an Excel (.xlsx) file."), code="not_xlsx"
            ) from exc
        rows, errors = [], []
        for number, line in enumerate(lines, start=2):
            if all(cell in (None, "") for cell in line):
                continue
            try:
                rows.append(self._row(line))
            except forms.ValidationError as exc:
                errors.append(
                    forms.ValidationError(
                        _("Row %(row)s: %(error)s"),
                        code=exc.code,
                        params={"row": number, "error": " ".join(exc.messages)},
                    )
                )
        if errors:
            raise forms.ValidationError(errors)
        if not rows:
            raise forms.ValidationError(_("The file has no baseline rows."), code="empty")
        return rows

    def _row(self, line: tuple[Any, ...]) -> tuple[Indicator, BaselineInput]:
        code, value, year, source = (*line, None, None, None, None)[:4]
        indicator = self.indicators.get(str(code or "").strip().upper())
        if indicator is None:
            raise forms.ValidationError(
                _("no indicator has the code “%(code)s”."),
                code="unknown_indicator",
                params={"code": code or ""},
            )
        number: Decimal | int | float
        if isinstance(value, int | float):
            number = value
        else:
            try:
                number = parse_vn_number(str(value or ""))
            except forms.ValidationError as exc:
                raise forms.ValidationError(
                    _("the baseline “%(value)s” is not a number."),
                    code="not_a_number",
                    params={"value": value or ""},
                ) from exc
        amount = Decimal(str(number))
        percent = indicator.measure != Measure.GROWTH and indicator.unit_of_measure == "%"
        if amount < 0 or (percent and amount > 100):
            raise forms.ValidationError(
                _("the baseline of %(code)s is out of range."),
                code="out_of_range",
                params={"code": indicator.code},
            )
        if not isinstance(year, int) and not str(year or "").strip().isdigit():
            raise forms.ValidationError(_("the baseline year is missing."), code="no_year")
        if not str(source or "").strip():
            raise forms.ValidationError(
                _("Name the document the baseline comes from."), code="source_required"
            )
        return indicator, BaselineInput(
            year=int(str(year).strip()), value=amount, source_document=str(source).strip()[:300]
        )


# --- The Board's settings for poverty figures, and the flags it completes ------------------------


class FallingBackThresholdForm(StyledForm):
    threshold = VNNumberField(
        label=_("Warning threshold for re-poverty and new poverty (%)"),
        required=False,
        decimal_places=2,
        min_value=0,
        max_value=100,
        help_text=_(
            "A district whose households that fell back into poverty, or became newly poor, are "
            "more than this share of its households is flagged on the dashboard and in the "
            "queue. Leave empty for no warning."
        ),
    )


class AppraisalRequiredForm(StyledForm):
    required = forms.ChoiceField(
        label=_("DOLISA's appraisal"),
        choices=[
            ("no", _("Not required before acceptance")),
            ("yes", _("Required before the Board accepts a report")),
        ],
    )


class CommuneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.parent})"


class UnitFlagForm(StyledForm):
    unit = CommuneChoiceField(queryset=Unit.objects.none(), label=_("Commune"))
    flag = forms.ChoiceField(choices=UnitFlagKind.choices, label=_("Flag"))
    valid_from = forms.DateField(label=_("Valid from"), input_formats=DATE_INPUTS)
    valid_to = forms.DateField(label=_("Valid to"), input_formats=DATE_INPUTS, required=False)
    decision = forms.CharField(
        label=_("Deciding document"),
        max_length=120,
        help_text=_("Number and symbol of the decision that lists the commune."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args: Any, communes: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = communes


# --- DOLISA's appraisal -------------------------------------------------------------------------


class AppraisalForm(StyledForm):
    """Agree, or give an opinion: overall and on each figure the page shows."""

    verdict = forms.ChoiceField(
        label=_("Verdict"),
        choices=[
            ("agreed", _("Agree with the figures")),
            ("opinion", _("Give an opinion on figures")),
        ],
    )
    comment = forms.CharField(
        label=_("Overall opinion"), required=False, widget=forms.Textarea({"rows": 3})
    )

    def __init__(self, *args: Any, keys: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keys = keys
        for key, label in keys:
            self.fields[f"opinion-{key}"] = forms.CharField(
                label=label, required=False, widget=forms.Textarea({"rows": 1})
            )
        style_fields(self)

    @property
    def opinion_fields(self) -> list[forms.BoundField]:
        return [self[f"opinion-{key}"] for key, _label in self.keys]

    def opinions(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(f"opinion-{key}", "") for key, _label in self.keys}


class ExtensionDecideForm(StyledForm):
    """The Board's answer to a request for more time: approve with a date, or refuse with a
    reason."""

    request = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))], label=_("Decision")
    )
    deadline = forms.DateField(
        label=_("New deadline"),
        required=False,
        input_formats=DATE_INPUTS,
        widget=forms.DateInput(
            format="%d/%m/%Y", attrs={"placeholder": _("dd/mm/yyyy"), "inputmode": "numeric"}
        ),
        error_messages={"invalid": _("Write the date as dd/mm/yyyy.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed to refuse."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "approve" and not data.get("deadline"):
            self.add_error("deadline", _("Give the new deadline."))
        return data


class RemindForm(StyledForm):
    unit = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class IndicatorHelpForm(StyledForm):
    """The help shown beside an indicator's fields and figures, as the Board writes it."""

    help_definition = forms.CharField(
        label=_("What it means"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    description = forms.CharField(
        label=_("How it is computed"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    legal_source = forms.CharField(
        label=_("Legal source"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "The document number and the article or criterion, e.g. QĐ 1980/QĐ-TTg, criterion 2."
        ),
    )
