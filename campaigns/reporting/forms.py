"""The report and registration forms: every figure is typed the Vietnamese way (1.234,5)."""

import copy
import re
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from campaigns import services as campaign_services
from campaigns.models import CommunicationKind
from indicators.models import Indicator, Measure
from indicators.submissions import services
from indicators.submissions.selectors import ReportContext
from kontum_poverty.forms import StyledForm, style_fields
from kontum_poverty.numbers import VNNumberField

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

BLANK_COMMUNICATION_ROWS = 2
COMM_FIELD = re.compile(r"comm-(\d{1,3})-(?:kind|title|url|count)")
MAX_COMMUNICATION_ROWS = 60
TEXT = {"rows": 2}
# The largest values the database columns hold: a bigger number is a form error, never a 500.
MAX_AMOUNT = 9_223_372_036_854_775_807  # PositiveBigIntegerField: VND, the counts of a rate
MAX_HOUSEHOLDS = 2_147_483_647  # PositiveIntegerField: households, communication counts
MAX_TARGET = Decimal("999999999999.99")  # DecimalField(max_digits=14, decimal_places=2)


def _text(*, label: "StrOrPromise") -> forms.CharField:
    return forms.CharField(required=False, widget=forms.Textarea(attrs=TEXT), label=label)


def _count(label: object = "", *, max_value: int = MAX_AMOUNT) -> VNNumberField:
    return VNNumberField(integer=True, required=False, label=label, max_value=max_value)


def _households(label: object = "") -> VNNumberField:
    return _count(label, max_value=MAX_HOUSEHOLDS)


@lru_cache(maxsize=1024)
def _figure_fields(
    indicators: tuple[str, ...], models: tuple[int, ...], communes: tuple[int, ...]
) -> dict[str, forms.Field]:
    """The fields of a report's figures, models and support, by indicator code, model and
    commune: a prototype that each form copies (labels are lazy, so any language may use it)."""
    f: dict[str, forms.Field] = {}
    for code in indicators:
        key = f"value-{code}"
        f[f"{key}-numerator"] = _count(_("Count"))
        f[f"{key}-denominator"] = _count(_("Out of"))
        f[f"{key}-comment"] = _text(label=_("Comment"))
        f[f"{key}-explanation"] = _text(label=_("Explanation"))
        # The indicator's help (templates/partials/_indicator_help.html) describes its fields.
        for part in ("numerator", "denominator"):
            f[f"{key}-{part}"].widget.attrs["aria-describedby"] = f"help-{code}"
    for pk in models:
        key = f"model-{pk}"
        f[f"{key}-participating"] = _households(_("Participating households"))
        f[f"{key}-income"] = _count(_("Average income per household (VND)"))
        f[f"{key}-escaped"] = _households(_("Households that escaped poverty"))
        f[f"{key}-explanation"] = _text(label=_("Explanation"))
    f["newmodel-name"] = forms.CharField(
        required=False, max_length=300, label=_("Name of the new model")
    )
    f["newmodel-participating"] = _households(_("Participating households"))
    for pk in communes:
        key = f"support-{pk}"
        f[f"{key}-money"] = _count(_("Money (VND)"))
        f[f"{key}-in_kind_value"] = _count(_("Value in kind (VND)"))
        f[f"{key}-in_kind"] = _text(label=_("In kind"))
        f[f"{key}-works"] = _text(label=_("Works"))
    return f


@lru_cache(maxsize=1024)
def _score_fields(criteria: tuple[tuple[int, Decimal], ...]) -> dict[str, forms.Field]:
    """The self-assessment fields of a rubric, by criterion and maximum: a prototype."""
    f: dict[str, forms.Field] = {}
    for pk, max_points in criteria:
        key = f"score-{pk}"
        f[f"{key}-points"] = VNNumberField(
            required=False, max_value=max_points, label=_("Self-assessed points")
        )
        f[f"{key}-points"].error_messages["too_large"] = _("Points cannot be above %(limit)s.")
        f[f"{key}-justification"] = _text(label=_("Justification"))
        f[f"evidence-{pk}"] = forms.FileField(
            required=False,
            label=_("Attach evidence"),
            widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"}),
        )
    return f


@lru_cache(maxsize=MAX_COMMUNICATION_ROWS + 1)
def _communication_fields(rows: int) -> dict[str, forms.Field]:
    """The row count and the fields of that many communication rows: a prototype."""
    f: dict[str, forms.Field] = {
        "comm-rows": forms.IntegerField(widget=forms.HiddenInput, required=False)
    }
    for index in range(rows):
        key = f"comm-{index}"
        f[f"{key}-kind"] = forms.ChoiceField(
            choices=CommunicationKind.choices, required=False, label=_("Kind")
        )
        f[f"{key}-title"] = forms.CharField(required=False, max_length=300, label=_("Title"))
        f[f"{key}-url"] = forms.URLField(
            required=False, max_length=200, label=_("Link"), assume_scheme="https"
        )
        f[f"{key}-count"] = _households(_("Count"))
    return f


class ReportForm(forms.Form):
    """One form for the whole report; fields are named after what they hold."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    narrative = _text(label=_("Narrative"))
    fund_mobilised_vnd = _count(_('Mobilised for the "For the Poor" fund (VND)'))

    def __init__(self, *args: Any, context: ReportContext, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.context = context
        submission = context.submission
        self.initial.update(
            version=submission.version,
            narrative=submission.narrative,
            fund_mobilised_vnd=submission.fund_mobilised_vnd,
        )
        f = self.fields
        # The report's own fields are built once per make-up: at the deadline every save builds
        # this form. A page's form copies them, as Django copies a form's declared fields, since
        # styling and rendering change its widgets. A save's form (`ReportContext.whole` false)
        # is only validated, which changes no field: it shares them. It is never rendered: a
        # refused save shows a form built for the page (`_bound_for_page`).
        self.for_page = context.whole
        own = copy.deepcopy if self.for_page else dict
        f.update(
            own(
                _figure_fields(
                    tuple(i.code for i in context.indicators),
                    tuple(m.pk for m in context.models),
                    tuple(c.pk for c in context.communes),
                )
            )
        )
        for indicator in context.indicators:
            value = context.values.get(indicator.pk)
            key = f"value-{indicator.code}"
            if value is not None:
                self.initial.update(
                    {
                        f"{key}-numerator": value.numerator,
                        f"{key}-denominator": value.denominator,
                        f"{key}-comment": value.comment,
                        f"{key}-explanation": value.warning_explanation,
                    }
                )
        for model in context.models:
            result = context.results.get(model.pk)
            key = f"model-{model.pk}"
            self.initial.update(
                {
                    f"{key}-participating": result.participating_households
                    if result
                    else model.participating_households,
                    f"{key}-income": result.average_income_vnd if result else None,
                    f"{key}-escaped": result.escaped_households if result else None,
                    f"{key}-explanation": result.comment if result else "",
                }
            )
        for commune in context.communes:
            support = context.support.get(commune.pk)
            key = f"support-{commune.pk}"
            if support is not None:
                self.initial.update(
                    {
                        f"{key}-money": support.money_vnd,
                        f"{key}-in_kind_value": support.in_kind_value_vnd,
                        f"{key}-in_kind": support.in_kind,
                        f"{key}-works": support.works,
                    }
                )
        self.communication_rows = self._communication_row_count()
        f.update(own(_communication_fields(self.communication_rows)))
        self.initial["comm-rows"] = self.communication_rows
        for index in range(min(self.communication_rows, len(context.communication))):
            key, item = f"comm-{index}", context.communication[index]
            self.initial.update(
                {
                    f"{key}-kind": item.kind,
                    f"{key}-title": item.title,
                    f"{key}-url": item.url,
                    f"{key}-count": item.count,
                }
            )
        f.update(own(_score_fields(tuple((c.pk, c.max_points) for c in context.criteria))))
        for criterion in context.criteria:
            score = context.scores.get(criterion.pk)
            if score is not None:
                key = f"score-{criterion.pk}"
                self.initial.update(
                    {
                        f"{key}-points": score.self_points,
                        f"{key}-justification": score.self_justification,
                    }
                )
        if self.for_page:
            style_fields(self, errors=self.errors if self.is_bound else ())

    def _communication_row_count(self) -> int:
        if not self.is_bound:
            return len(self.context.communication) + BLANK_COMMUNICATION_ROWS
        try:
            posted = int(self.data["comm-rows"])
        except (KeyError, TypeError, ValueError):
            # No usable row count: every row with a posted field, so none is dropped (a
            # posted form is validated without reading the stored rows).
            fields = (COMM_FIELD.fullmatch(name) for name in self.data)
            posted = max((int(m[1]) + 1 for m in fields if m), default=0)
        return max(0, min(posted, MAX_COMMUNICATION_ROWS))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for indicator in self.context.indicators:
            key = f"value-{indicator.code}"
            numerator, denominator = data.get(f"{key}-numerator"), data.get(f"{key}-denominator")
            if denominator == 0:
                self.add_error(
                    f"{key}-denominator",
                    ValidationError(_("The total must be above zero."), code="total_zero"),
                )
            elif numerator is not None and denominator is not None and numerator > denominator:
                self.add_error(
                    f"{key}-numerator",
                    ValidationError(
                        _("The count cannot be more than the total."),
                        code="share_above_100",
                    ),
                )
        for model in self.context.models:
            key = f"model-{model.pk}"
            participating, escaped = data.get(f"{key}-participating"), data.get(f"{key}-escaped")
            if participating is not None and escaped is not None and escaped > participating:
                self.add_error(
                    f"{key}-escaped",
                    ValidationError(
                        _("Households that escaped poverty cannot be more than participating."),
                        code="escaped_above_participating",
                    ),
                )
            if (
                participating is None
                and f"{key}-participating" not in self.errors  # a refused value is not a blank
                and (escaped or data.get(f"{key}-income"))
            ):
                self.add_error(
                    f"{key}-participating",
                    ValidationError(_("Enter the participating households."), code="required"),
                )
        if (
            data.get("newmodel-name")
            and data.get("newmodel-participating") is None
            and "newmodel-participating" not in self.errors
        ):
            self.add_error(
                "newmodel-participating",
                ValidationError(_("Enter the participating households."), code="required"),
            )
        for index in range(self.communication_rows):
            key = f"comm-{index}"
            if (data.get(f"{key}-url") or data.get(f"{key}-count")) and not data.get(
                f"{key}-title"
            ):
                self.add_error(
                    f"{key}-title",
                    ValidationError(_("Give the title."), code="required"),
                )
        return data

    # --- What the services take ---------------------------------------------------------

    def draft_input(self) -> campaign_services.DraftInput:
        data = self.cleaned_data
        return campaign_services.DraftInput(
            narrative=data["narrative"],
            fund_mobilised_vnd=data["fund_mobilised_vnd"],
            scores={
                c.pk: campaign_services.ScoreInput(
                    points=data[f"score-{c.pk}-points"],
                    justification=data[f"score-{c.pk}-justification"],
                )
                for c in self.context.criteria
            },
            support=[
                campaign_services.SupportInput(
                    commune_id=commune.pk,
                    money_vnd=data[f"support-{commune.pk}-money"] or 0,
                    in_kind_value_vnd=data[f"support-{commune.pk}-in_kind_value"] or 0,
                    in_kind=data[f"support-{commune.pk}-in_kind"],
                    works=data[f"support-{commune.pk}-works"],
                )
                for commune in self.context.communes
                if any(
                    data[f"support-{commune.pk}-{part}"]
                    for part in ("money", "in_kind_value", "in_kind", "works")
                )
            ],
            communication=[
                campaign_services.CommunicationInput(
                    kind=data[f"comm-{i}-kind"] or CommunicationKind.ARTICLE,
                    title=data[f"comm-{i}-title"],
                    url=data[f"comm-{i}-url"],
                    count=data[f"comm-{i}-count"] or 1,
                )
                for i in range(self.communication_rows)
                if data[f"comm-{i}-title"]
            ],
        )

    def value_inputs(self) -> dict[int, services.ValueInput]:
        data = self.cleaned_data
        return {
            i.pk: services.ValueInput(
                numerator=data[f"value-{i.code}-numerator"],
                denominator=data[f"value-{i.code}-denominator"],
                comment=data[f"value-{i.code}-comment"],
                explanation=data[f"value-{i.code}-explanation"],
            )
            for i in self.context.indicators
        }

    def result_inputs(self) -> dict[int, services.ResultInput]:
        data = self.cleaned_data
        return {
            m.pk: services.ResultInput(
                participating_households=data[f"model-{m.pk}-participating"],
                average_income_vnd=data[f"model-{m.pk}-income"],
                escaped_households=data[f"model-{m.pk}-escaped"],
                explanation=data[f"model-{m.pk}-explanation"],
            )
            for m in self.context.models
        }

    def new_model(self) -> services.NewModelInput | None:
        data = self.cleaned_data
        if not data["newmodel-name"]:
            return None
        return services.NewModelInput(
            name=data["newmodel-name"].strip(),
            participating_households=data["newmodel-participating"],
        )

    def evidence_files(self) -> list[tuple[int, UploadedFile]]:
        return [
            (c.pk, self.cleaned_data[f"evidence-{c.pk}"])
            for c in self.context.criteria
            if self.cleaned_data.get(f"evidence-{c.pk}")
        ]


class RegistrationForm(forms.Form):
    fund_pledge_vnd = _count(_('Pledge to the "For the Poor" fund (VND)'))
    sponsorship_commitment = _text(label=_("Sponsorship commitments"))
    other_commitments = _text(label=_("Other commitments"))

    def __init__(
        self,
        *args: Any,
        indicators: list[Indicator],
        initial_targets: dict[int, Decimal],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            # A committed share cannot be above 100%; other measures (growth) have no ceiling.
            share = indicator.unit_of_measure == "%" and indicator.measure != Measure.GROWTH
            self.fields[f"target-{indicator.code}"] = VNNumberField(
                required=False,
                max_value=Decimal(100) if share else MAX_TARGET,
                label=indicator.name,
                help_text=indicator.unit_of_measure,
            )
            if share:
                self.fields[f"target-{indicator.code}"].error_messages["too_large"] = _(
                    "A share cannot be above 100%%."
                )
            if indicator.pk in initial_targets:
                self.initial[f"target-{indicator.code}"] = initial_targets[indicator.pk]

        style_fields(self, errors=self.errors if self.is_bound else ())

    def targets(self) -> dict[int, Decimal | None]:
        return {i.pk: self.cleaned_data[f"target-{i.code}"] for i in self.indicators}


# Dates are written the Vietnamese way; the ISO form is what a browser date picker sends.
DATE_INPUTS = ["%d/%m/%Y", "%Y-%m-%d"]


def date_field(label: "StrOrPromise") -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_INPUTS,
        widget=forms.DateInput(
            format="%d/%m/%Y", attrs={"placeholder": _("dd/mm/yyyy"), "inputmode": "numeric"}
        ),
        error_messages={"invalid": _("Write the date as dd/mm/yyyy.")},
    )


class ExtensionRequestForm(StyledForm):
    deadline = date_field(_("New deadline you ask for"))
    reason = forms.CharField(
        label=_("Why the unit needs more time"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
