"""The review page's widgets built in Python give the very markup of Django's widget templates."""

from decimal import Decimal

import pytest
from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from kontum_poverty.forms import QuickNumberInput, QuickTextarea
from kontum_poverty.numbers import VNNumberInput

VALUES = [None, "", "Đạt", 'Chưa đạt <b>"chỉ tiêu"</b> & đủ', mark_safe("<i>an toàn</i>"), 0, 7]
ATTRS = [
    None,
    {"class": "form-control form-control-sm", "id": "score-board-3-points"},
    {"aria-invalid": "true", "aria-describedby": "x-error", "required": True, "disabled": False},
    {"data-note": 'a "quoted" <value>', "maxlength": 2000},
    {"placeholder": gettext_lazy("Reason"), "title": mark_safe("<b>")},
]


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("attrs", ATTRS)
def test_a_quick_textarea_renders_as_djangos(value, attrs):
    quick = QuickTextarea(attrs={"rows": 1})
    django = forms.Textarea(attrs={"rows": 1})

    assert quick.render("comment-LABOUR", value, attrs) == django.render(
        "comment-LABOUR", value, attrs
    )


@pytest.mark.parametrize("value", [*VALUES, Decimal("10.5"), Decimal(8), "10,5", "abc"])
@pytest.mark.parametrize("attrs", ATTRS)
def test_a_quick_number_input_renders_as_djangos(value, attrs):
    assert QuickNumberInput().render("board-3-points", value, attrs) == VNNumberInput().render(
        "board-3-points", value, attrs
    )
