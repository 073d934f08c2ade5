"""The Board points suggested for a criterion tied to an indicator, from how far its target is
reached. A suggestion only: the Board decides, and says why when it departs from the unit."""

from decimal import ROUND_HALF_UP, Decimal

from indicators.models import Direction

HALF = Decimal("0.5")


def _decimal(value: Decimal | float | int | None) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def reached_fraction(
    *,
    value: Decimal | float | int | None,
    target_low: Decimal | float | int | None,
    target_high: Decimal | float | int | None,
    direction: str,
) -> Decimal | None:
    """How much of the target a value reaches, from 0 to 1; None without a value or target.

    The end of the target that must be reached is the low end when higher is better, the high
    end when lower is better; inside a range or beyond it in the good direction is the whole."""
    value, low, high = _decimal(value), _decimal(target_low), _decimal(target_high)
    if value is None:
        return None
    if direction == Direction.LOWER_IS_BETTER:
        line = high if high is not None else low
        if line is None:
            return None
        if value <= line:
            return Decimal(1)
        # Above the ceiling: the further above, the less of the target is reached.
        fraction = line / value if line > 0 else Decimal(0)
    else:
        line = low if low is not None else high
        if line is None:
            return None
        if value >= line:
            return Decimal(1)
        fraction = value / line if line > 0 else Decimal(0)
    return min(max(fraction, Decimal(0)), Decimal(1))


def round_to_half(points: Decimal) -> Decimal:
    """Points as the Board gives them: to the nearest half point, halves rounded up."""
    return (points / HALF).quantize(Decimal(1), rounding=ROUND_HALF_UP) * HALF


def suggested_points(
    *,
    value: Decimal | float | int | None,
    target_low: Decimal | float | int | None,
    target_high: Decimal | float | int | None,
    direction: str,
    max_points: Decimal | int,
) -> Decimal | None:
    """The criterion's maximum times the reached fraction, to the half point; None if unknown."""
    fraction = reached_fraction(
        value=value, target_low=target_low, target_high=target_high, direction=direction
    )
    if fraction is None:
        return None
    maximum = Decimal(max_points)
    if fraction == 1:
        return maximum
    # Rounding up must never give more than the criterion allows (a maximum of 7,25 exists).
    return min(round_to_half(maximum * fraction), maximum)
