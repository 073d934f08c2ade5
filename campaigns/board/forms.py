"""Forms of the Board's pages: the review queue and page (points typed the Vietnamese way, 7,5;
reasons and field comments), award proposals, and the year's close, lock, reopen and unlock."""

from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from campaigns.models import AwardKind, ProposalStatus
from campaigns.queue import FLAGS, STATES, Queue
from campaigns.services.submissions import ScoreInput
from indicators.submissions.review import ScoreRow
from kontum_poverty.forms import StyledForm, style_fields
from kontum_poverty.numbers import VNNumberField
from units.models import Unit

# Decisions are written the Vietnamese way; the ISO form is what a browser date picker sends.
DATE_INPUTS = ["%d/%m/%Y", "%Y-%m-%d"]


class ProposalAddForm(StyledForm):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Unit"))
    award = forms.ChoiceField(choices=AwardKind.choices, label=_("Award"))
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
