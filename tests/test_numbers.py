"""Numbers are typed and shown the Vietnamese way; anything ambiguous is refused, never guessed."""

from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError

from kontum_poverty.numbers import VNNumberField, format_vn_number, parse_vn_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,5", Decimal("1234.5")),
        ("1.234", Decimal(1234)),
        ("1,5", Decimal("1.5")),
        ("1234", Decimal(1234)),
        ("1234,75", Decimal("1234.75")),
        ("12.345.678", Decimal(12345678)),
        (" 0 ", Decimal(0)),
        ("-5", Decimal(-5)),
    ],
)
def test_vietnamese_numbers_are_read(text, expected):
    assert parse_vn_number(text) == expected


@pytest.mark.parametrize(
    "text",
    ["1.23", "1,234.5", "12a", "1.2.3,4,5", "1.2345", "", ",5", "1,", "1 234", "1.234.5", "+3"],
)
def test_malformed_or_ambiguous_numbers_are_refused(text):
    with pytest.raises(ValidationError) as excinfo:
        parse_vn_number(text)
    assert excinfo.value.code == "malformed_number"


def test_a_count_refuses_a_decimal_part():
    with pytest.raises(ValidationError) as excinfo:
        parse_vn_number("1,5", integer=True)
    assert excinfo.value.code == "not_integer"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("1234.5"), "1.234,5"),
        (1234567, "1.234.567"),
        (Decimal("12.50"), "12,5"),
        (Decimal("100.00"), "100"),
        (0, "0"),
        (Decimal("-1234.5"), "-1.234,5"),
        (None, ""),
    ],
)
def test_numbers_are_shown_the_vietnamese_way(value, text):
    assert format_vn_number(value) == text


def test_fixed_places_are_kept_when_asked():
    assert format_vn_number(Decimal("52.3456"), places=1) == "52,3"


@pytest.mark.parametrize(("value", "text"), [(Decimal("52.25"), "52,3"), (0.125, "0,13")])
def test_fixed_places_round_half_up_like_every_other_figure(value, text):
    assert format_vn_number(value, places=len(text.partition(",")[2])) == text


class _Form(forms.Form):
    households = VNNumberField(integer=True, required=False)
    points = VNNumberField(required=False, max_value=8)


def _errors(data):
    form = _Form(data)
    form.is_valid()
    return {name: [e.code for e in errors.as_data()] for name, errors in form.errors.items()}


def test_the_field_reads_a_count_and_a_decimal():
    form = _Form({"households": "1.234", "points": "7,5"})
    assert form.is_valid()
    assert form.cleaned_data == {"households": 1234, "points": Decimal("7.5")}


def test_the_field_refuses_negative_counts():
    assert _errors({"households": "-3"}) == {"households": ["negative"]}


def test_the_field_refuses_values_above_its_maximum():
    assert _errors({"points": "8,5"}) == {"points": ["too_large"]}


def test_the_field_refuses_malformed_input():
    assert _errors({"households": "1.23", "points": "12a"}) == {
        "households": ["malformed_number"],
        "points": ["malformed_number"],
    }


def test_the_field_shows_its_initial_value_the_vietnamese_way():
    form = _Form(initial={"households": 12345, "points": Decimal("7.50")})
    html = str(form["households"]) + str(form["points"])
    assert 'value="12.345"' in html
    assert 'value="7,5"' in html
    assert 'inputmode="numeric"' in html
