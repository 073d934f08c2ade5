"""The portal's form renderer writes plain inputs and textareas exactly as Django's templates do."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test import override_settings
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from campaigns import services as campaign_services
from campaigns.reporting.forms import RegistrationForm, ReportForm
from indicators.submissions import selectors
from kontum_poverty.form_renderer import WRITERS, WidgetRenderer
from tests.report_setup import IN_2019, post_data, year_build

DJANGO, OURS = DjangoTemplates(), WidgetRenderer()

VALUES = [
    None,
    "",
    "Số liệu <đã> rà soát & \"khớp\" 'xã'",
    mark_safe("<b>an toàn</b>"),
    0,
    12345,
    Decimal("1.50"),
    gettext_lazy("Count"),
    "dòng 1\ndòng 2",
]
ATTRS = {
    "class": "form-control form-control-sm is-invalid",
    "required": True,
    "disabled": False,
    "maxlength": 300,
    "data-note": 'a "quoted" <value> & more',
    "aria-describedby": "help-LABOUR id_value-LABOUR-numerator-error",
    "inputmode": "decimal",
    "placeholder": gettext_lazy("Title"),
}
WIDGETS = [
    forms.TextInput(),
    forms.NumberInput(),
    forms.EmailInput(),
    forms.URLInput(),
    forms.PasswordInput(render_value=True),
    forms.HiddenInput(),
    forms.DateInput(),
    forms.TimeInput(),
    forms.Textarea(attrs={"rows": 2}),
    forms.Textarea(),
]


CHOICES = [
    ("", "---------"),
    ("a", 'Số liệu <đã> rà soát & "khớp"'),
    ("b", gettext_lazy("Count")),
    (3, 12345),  # a number as the label is localised: 12.345
    (Decimal("1.50"), mark_safe("<b>an toàn</b>")),
    ("Nhóm <1>", [("x", "X"), ("y", "Y & Z")]),
]
SELECTS = [
    forms.Select(choices=CHOICES),
    forms.Select(choices=CHOICES, attrs={"class": "form-select form-select-sm", "required": True}),
    forms.SelectMultiple(choices=CHOICES),
    forms.NullBooleanSelect(),
]


SELECTED = [None, "", "b", 3, ["a", "y"], "unknown", True]


@pytest.mark.parametrize(
    ("widget", "value"),
    [(widget, value) for widget in WIDGETS for value in VALUES]
    + [
        (widget, value)
        for widget in SELECTS
        for value in SELECTED
        # NullBooleanSelect takes one value, not a list (Django itself refuses one).
        if not (isinstance(widget, forms.NullBooleanSelect) and isinstance(value, list))
    ],
    ids=lambda w: type(w).__name__ if isinstance(w, forms.Widget) else repr(w),
)
@pytest.mark.parametrize("attrs", [None, ATTRS], ids=["plain", "attrs"])
def test_a_widget_is_written_as_djangos_templates_write_it(widget, value, attrs):
    with override("vi"):
        theirs = widget.render("value-LABOUR-numerator", value, attrs, renderer=DJANGO)
        ours = widget.render("value-LABOUR-numerator", value, attrs, renderer=OURS)

    assert ours == theirs


def test_a_select_with_an_option_template_of_its_own_keeps_djangos_templates():
    class Marked(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    widget = Marked(choices=[("a", "A")])

    assert "input" in widget.render("x", "a", renderer=OURS)
    assert widget.render("x", "a", renderer=OURS) == widget.render("x", "a", renderer=DJANGO)


class StoredFile:
    """A file already stored, as a FileField's initial value is (its `url`, its name)."""

    url = "/media/minh-chung/bao-cao.pdf?v=1&x=<2>"

    def __str__(self) -> str:
        return "minh-chung/báo cáo <2019>.pdf"


def test_dates_files_and_other_widgets_render_as_djangos_templates():
    day = datetime.date(2020, 1, 10)
    boxes = forms.CheckboxSelectMultiple(choices=[("a", "<A>"), ("b", "B")])
    cases = [(forms.DateInput(), day), (boxes, ["b"])]
    for required in (False, True):
        for widget in (forms.FileInput, forms.ClearableFileInput):
            files = widget(attrs={"accept": ".pdf,.jpg", "class": "form-control", "required": True})
            files.is_required = required
            cases += [(files, None), (files, ""), (files, StoredFile())]

    for widget, value in cases:
        with override("vi"):
            ours = widget.render("evidence-12", value, renderer=OURS)
            assert ours == widget.render("evidence-12", value, renderer=DJANGO)
    # A stored file's link and "clear" box are still written by Django's template.
    assert "bao-cao.pdf?v=1&amp;x=&lt;2&gt;" in ours and 'type="checkbox"' not in ours
    assert "django/forms/widgets/clearable_file_input.html" in WRITERS


@pytest.mark.django_db
def test_the_report_and_registration_forms_render_the_same_with_either_renderer(
    unit_officer, time_machine
):
    time_machine.move_to(IN_2019, tick=False)
    year = year_build(unit_officer)
    submission = campaign_services.submission_get_or_create_draft(
        period=year.period, unit=year.unit
    )
    context = selectors.report_context(submission=submission)
    posted = post_data(year, submission, **{"value-LABOUR-numerator": "12a", "narrative": "<x>"})
    pages = []
    for renderer in (DJANGO, OURS):
        with override("vi"):
            unbound = ReportForm(context=context, renderer=renderer)
            bound = ReportForm(posted, context=context, renderer=renderer)
            bound.is_valid()
            registration = RegistrationForm(
                indicators=context.indicators, initial_targets={}, renderer=renderer
            )
            pages.append(
                "".join(str(field) for form in (unbound, bound, registration) for field in form)
            )

    assert pages[0] == pages[1]
    assert 'value="12a"' in pages[1] and "&lt;x&gt;" in pages[1]


@override_settings(FORM_RENDERER="kontum_poverty.form_renderer.WidgetRenderer")
def test_the_portal_uses_it():
    form = forms.Form()

    assert isinstance(form.renderer, WidgetRenderer)
