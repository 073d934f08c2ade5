"""Numbers typed and shown the Vietnamese way: "." groups thousands, "," marks decimals (1.234,5).

Input is read strictly. "1.234" is one thousand two hundred and thirty-four; "1.23" or
"1,234.5" could be meant either way, so they are refused rather than guessed.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, overload

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Either plain digits, or digits grouped by threes with "."; then an optional ",fraction".
# ASCII only: Python's \d also matches other scripts' digits (١٢٣), which nobody here types.
_VN_NUMBER = re.compile(
    r"^(?P<sign>-?)(?P<int>\d+|\d{1,3}(?:\.\d{3})+)(?:,(?P<frac>\d+))?$", re.ASCII
)


def parse_vn_number(text: str, *, integer: bool = False) -> Decimal:
    """Read a number typed the Vietnamese way; refuse anything malformed or ambiguous."""
    cleaned = text.strip()
    match = _VN_NUMBER.match(cleaned)
    if match is None:
        raise ValidationError(
            _("“%(value)s” is not a number written like 1.234,5."),
            code="malformed_number",
            params={"value": cleaned},
        )
    if integer and match["frac"] is not None:
        raise ValidationError(
            _("Enter a whole number, without a decimal part."),
            code="not_integer",
            params={"value": cleaned},
        )
    digits = match["int"].replace(".", "")
    if match["frac"] is not None:
        digits = f"{digits}.{match['frac']}"
    try:
        number = Decimal(f"{match['sign']}{digits}")
    except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
        raise ValidationError(
            _("“%(value)s” is not a number written like 1.234,5."),
            code="malformed_number",
            params={"value": cleaned},
        ) from None
    return number


@overload
def round_half_up(value: Decimal | int | float, places: int) -> Decimal: ...
@overload
def round_half_up(value: None, places: int) -> None: ...
def round_half_up(value: Decimal | int | float | None, places: int) -> Decimal | None:
    """Round as the floatformat filter does (half up); number_format alone cuts 90.48 to 90,4."""
    if value is None:
        return None
    return _exact(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def percent(
    part: Decimal | float | int | None, whole: Decimal | float | int | None, places: int
) -> float | None:
    """`part` out of `whole` in percent, rounded half up to `places` decimals; None without a
    whole. The quotient is taken in decimal, so a figure exactly halfway is never cut or rounded
    to even by binary floats (27,125 → 27,13)."""
    if part is None or not whole:
        return None
    quotient = 100 * _exact(part) / _exact(whole)
    return float(quotient.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _exact(value: Decimal | float | int) -> Decimal:
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


def format_vn_number(value: Decimal | int | float | None, *, places: int | None = None) -> str:
    """Show a number the Vietnamese way; `places` fixes the decimals (rounded half up, as
    `round_half_up`), else trailing zeros go."""
    if value is None:
        return ""
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if places is not None:
        number = round_half_up(number, places)
    elif number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    else:
        number = number.normalize()
    sign = "-" if number < 0 else ""
    whole, _dot, fraction = f"{abs(number):f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = ".".join(groups)
    return f"{sign}{text},{fraction}" if fraction else f"{sign}{text}"


class VNNumberInput(forms.TextInput):
    """A text box (not type=number, which would impose the browser's own separators)."""

    def __init__(self, attrs: dict[str, str] | None = None, *, integer: bool = False) -> None:
        defaults = {"inputmode": "numeric" if integer else "decimal", "autocomplete": "off"}
        super().__init__({**defaults, **(attrs or {})})
        self.integer = integer

    def format_value(self, value: object) -> str | None:
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            return format_vn_number(value)
        return super().format_value(value)


class VNNumberField(forms.Field):
    """A form field for numbers typed the Vietnamese way, with bounds and decimal places."""

    default_error_messages = {
        "negative": _("This cannot be negative."),
        "too_large": _("This cannot be more than %(limit)s."),
        "too_many_places": _("Use at most %(places)s decimal places."),
    }

    def __init__(
        self,
        *,
        integer: bool = False,
        min_value: Decimal | int | None = 0,
        max_value: Decimal | int | None = None,
        decimal_places: int = 2,
        **kwargs: Any,
    ) -> None:
        self.integer = integer
        self.min_value = None if min_value is None else Decimal(min_value)
        self.max_value = None if max_value is None else Decimal(max_value)
        self.decimal_places = 0 if integer else decimal_places
        kwargs.setdefault("widget", VNNumberInput(integer=integer))
        super().__init__(**kwargs)

    def to_python(self, value: object) -> Decimal | int | None:
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            number = Decimal(value)
        else:
            number = parse_vn_number(str(value), integer=self.integer)
        if self.min_value is not None and number < self.min_value:
            raise ValidationError(self.error_messages["negative"], code="negative")
        if self.max_value is not None and number > self.max_value:
            raise ValidationError(
                self.error_messages["too_large"],
                code="too_large",
                params={"limit": format_vn_number(self.max_value)},
            )
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > self.decimal_places:
            raise ValidationError(
                self.error_messages["too_many_places"],
                code="too_many_places",
                params={"places": self.decimal_places},
            )
        return int(number) if self.integer else number

    def has_changed(self, initial: object, data: object) -> bool:
        try:
            return self.to_python(data) != (
                None if initial in self.empty_values else Decimal(str(initial))
            )
        except ValidationError:
            return True
