"""The Board's review forms: points typed the Vietnamese way (7,5), reasons and field comments."""

from collections.abc import Mapping

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.queue import FLAGS, STATES, Queue
from campaigns.services.submissions import ScoreInput
from indicators.review.selectors import ScoreRow
from kontum_poverty.numbers import VNNumberField

MAX_COMMENT = 2000
ALL = [("", _("All"))]


def _style(form: forms.Form) -> None:
    """Bootstrap classes, and the invalid state on fields with errors once validated."""
    for name, field in form.fields.items():
        if isinstance(field.widget, forms.HiddenInput):
            continue
        select = isinstance(field, forms.ChoiceField)
        css = "form-select form-select-sm" if select else "form-control form-control-sm"
        if form.is_bound and name in form.errors:
            css += " is-invalid"
        field.widget.attrs["class"] = css


class _VersionForm(forms.Form):
    # The report's version when the page was read: a service refuses to act on a newer one.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    # Three forms share the page: each needs its own element ids.
    id_prefix = "review"

    def __init__(self, *args: object, version: int, **kwargs: object) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.initial.setdefault("version", version)


class ScoreForm(_VersionForm):
    """Board points and justification for each criterion of the report."""

    id_prefix = "score"

    def __init__(self, *args: object, rows: list[ScoreRow], **kwargs: object) -> None:
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
        _style(self)

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

    def __init__(self, *args: object, keys: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.keys = keys
        for key, label in keys:
            self.fields[f"comment-{key}"] = forms.CharField(
                required=False,
                max_length=MAX_COMMENT,
                label=label,
                widget=forms.Textarea(attrs={"rows": 1}),
            )
        _style(self)

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
        self.fields["state"].choices = ALL + [(s, label) for s, label in STATES]
        self.fields["bloc"].choices = ALL + [(b.code, b.name) for b in queue.blocs]
        self.fields["district"].choices = ALL + [(d.code, d.name) for d in queue.districts]
        self.fields["flag"].choices = ALL + list(FLAGS)
        _style(self)
