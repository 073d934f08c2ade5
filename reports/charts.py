"""Charts drawn on the server as SVG, for the dashboards and the PDF reports alike.

Each chart is self-contained markup (inline attributes, no CSS classes, no script, no external
font), so WeasyPrint renders it as the browser does. Every chart carries a <title> and <desc>
and comes with `rows`, the same figures as a table for screen readers and for print.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import count

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kontum_poverty.numbers import round_half_up

FONT = "'Noto Sans', 'DejaVu Sans', Arial, sans-serif"
# The PDF reports' face (static/reports/pdf.css): WeasyPrint draws SVG text with @font-face fonts.
# A chart's font_family is one of these constants, never user input, so it goes in unescaped.
PDF_FONT = "'Report Serif', serif"
# Colours pass WCAG AA contrast on white for the text drawn over or beside them.
COLOURS = {
    "achieved": "#146c43",
    "on_track": "#0a58ca",
    "at_risk": "#997404",
    "off_track": "#b02a37",
    "no_data": "#6c757d",
    "bar": "#0a58ca",
    "met": "#146c43",
    "not_met": "#b02a37",
    "target": "#212529",
    "grid": "#dee2e6",
    "text": "#212529",
    "muted": "#6c757d",
    "milestone": "#6f42c1",
}
_ids = count(1)


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    # Rounded as the tables beside the charts round, so a chart and its table agree.
    return number_format(round_half_up(value, digits), decimal_pos=digits, use_l10n=True)


@dataclass(frozen=True)
class ChartRow:
    label: str
    value: float | None
    note: str = ""


@dataclass(frozen=True)
class Chart:
    """An SVG chart with its title and the figures it draws, as rows of a table."""

    title: str
    svg: SafeString
    rows: list[ChartRow] = field(default_factory=list)
    unit: str = "%"
    target_label: str = ""


def _svg_open(
    width: int, height: int, title: str, desc: str, chart_id: str, font_family: str = FONT
) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" font-family="{font_family}" '
        f'font-size="12">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>'
    )


def bar_chart(
    *,
    title: str,
    rows: Sequence[ChartRow],
    target: float | None = None,
    target_label: str = "",
    unit: str = "%",
    met: Sequence[bool | None] | None = None,
    font_family: str = FONT,
    milestone: float | None = None,
    label_width: int = 170,
) -> Chart:
    """Horizontal bars, one per row, with a vertical target line and, where the roadmap has one,
    the year's milestone as a dotted line; missing values are labelled. `label_width` leaves
    room for long labels (26 characters at most are drawn)."""
    chart_id = f"chart{next(_ids)}"
    value_width, bar_area = 70, 420
    row_height, top = 24, 28
    width = label_width + bar_area + value_width
    height = top + row_height * max(len(rows), 1) + 24
    values = [r.value for r in rows if r.value is not None]
    scale_max = (
        max([100.0 if unit == "%" else 0.0, *values, target or 0.0, milestone or 0.0]) or 1.0
    )
    if unit == "%" and scale_max > 100:
        scale_max = max(values + [target or 0.0, milestone or 0.0])
    min_value = min([0.0, *values])
    span = (scale_max - min_value) or 1.0

    def x(v: float) -> float:
        return label_width + bar_area * (v - min_value) / span

    desc = _("%(count)s bars; target %(target)s %(unit)s") % {
        "count": len(rows),
        "target": _fmt(target),
        "unit": unit,
    }
    if milestone is not None:
        desc += "; " + _("roadmap %(value)s %(unit)s") % {"value": _fmt(milestone), "unit": unit}
    parts = [_svg_open(width, height, title, desc, chart_id, font_family)]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        v = min_value + span * tick
        parts.append(
            f'<line x1="{x(v):.1f}" y1="{top - 6}" x2="{x(v):.1f}" y2="{height - 20}" '
            f'stroke="{COLOURS["grid"]}" stroke-width="1"/>'
            f'<text x="{x(v):.1f}" y="{height - 6}" text-anchor="middle" '
            f'fill="{COLOURS["muted"]}" font-size="10">{_fmt(v, 0)}</text>'
        )
    for i, row in enumerate(rows):
        y = top + i * row_height
        label = row.label if len(row.label) <= 26 else row.label[:25] + "…"
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" '
            f'fill="{COLOURS["text"]}">{escape(label)}</text>'
        )
        if row.value is None:
            parts.append(
                f'<text x="{label_width + 4}" y="{y + 15}" fill="{COLOURS["muted"]}" '
                f'font-style="italic">{escape(_("no data"))}</text>'
            )
            continue
        good = met[i] if met is not None else None
        colour = COLOURS["bar"] if good is None else COLOURS["met" if good else "not_met"]
        x0, x1 = sorted((x(0.0), x(row.value)))
        parts.append(
            f'<rect x="{x0:.1f}" y="{y + 4}" width="{max(x1 - x0, 1):.1f}" '
            f'height="{row_height - 8}" fill="{colour}"/>'
            f'<text x="{label_width + bar_area + 6}" y="{y + 15}" '
            f'fill="{COLOURS["text"]}">{_fmt(row.value)}</text>'
        )
    if milestone is not None and milestone != target:
        mx = x(milestone)
        # Its label sits on the side away from the target's, so the two never overlap.
        anchor, dx = ("end", -4) if target is None or milestone < target else ("start", 4)
        label = escape(_("roadmap"))
        parts.append(
            f'<line data-milestone="{_fmt(milestone)}" x1="{mx:.1f}" y1="{top - 10}" '
            f'x2="{mx:.1f}" y2="{height - 20}" stroke="{COLOURS["milestone"]}" '
            f'stroke-width="2" stroke-dasharray="2 3"/>'
            f'<text x="{mx + dx:.1f}" y="{top - 14}" text-anchor="{anchor}" '
            f'fill="{COLOURS["milestone"]}" font-size="11">'
            f"{label} {_fmt(milestone)}</text>"
        )
    if target is not None:
        tx = x(target)
        parts.append(
            f'<line x1="{tx:.1f}" y1="{top - 10}" x2="{tx:.1f}" y2="{height - 20}" '
            f'stroke="{COLOURS["target"]}" stroke-width="2" stroke-dasharray="6 3"/>'
            f'<text x="{tx:.1f}" y="{top - 14}" text-anchor="middle" '
            f'fill="{COLOURS["target"]}" font-size="11">'
            f"{escape(target_label or _('target'))} {_fmt(target)}</text>"
        )
    parts.append("</svg>")
    return Chart(
        title=title,
        svg=mark_safe("".join(parts)),  # noqa: S308 - every text above went through escape()
        rows=list(rows),
        unit=unit,
        target_label=f"{target_label or _('target')} {_fmt(target)}" if target is not None else "",
    )


def line_chart(
    *,
    title: str,
    points: Sequence[tuple[int, float | None]],
    target: float | None = None,
    target_label: str = "",
    unit: str = "%",
    width: int = 360,
    height: int = 160,
    compact: bool = False,
    font_family: str = FONT,
    milestones: Sequence[tuple[int, float]] = (),
) -> Chart:
    """Values by year with the target as a dashed line; `compact` draws a card sparkline.

    `milestones` is the roadmap, (year, value) from the baseline year on: drawn as a dotted step
    line with a hollow mark per year (legend "Roadmap"), over the years it covers."""
    chart_id = f"chart{next(_ids)}"
    pad_left, pad_right = (6, 6) if compact else (40, 16)
    pad_top, pad_bottom = (8, 8) if compact else (22, 26)
    known = [(year, v) for year, v in points if v is not None]
    values = [v for _, v in known] + ([target] if target is not None else [])
    values += [v for _, v in milestones]
    low = min([0.0, *values])
    high = max([*values, 1.0])
    span = (high - low) or 1.0
    years = sorted({year for year, _ in points} | {year for year, _ in milestones})
    first, last = (min(years), max(years)) if years else (0, 1)
    year_span = (last - first) or 1

    def x(year: int) -> float:
        if len(years) <= 1:
            return pad_left + (width - pad_left - pad_right) / 2
        return pad_left + (width - pad_left - pad_right) * (year - first) / year_span

    def y(v: float) -> float:
        return height - pad_bottom - (height - pad_top - pad_bottom) * (v - low) / span

    desc = "; ".join(f"{year}: {_fmt(v)} {unit}" for year, v in points) or _("no data")
    if milestones:
        desc += "; " + _("roadmap: %(values)s") % {
            "values": ", ".join(f"{year} {_fmt(v)} {unit}" for year, v in milestones)
        }
    parts = [_svg_open(width, height, title, desc, chart_id, font_family)]
    if not compact:
        for v in (low, low + span / 2, high):
            parts.append(
                f'<line x1="{pad_left}" y1="{y(v):.1f}" x2="{width - pad_right}" '
                f'y2="{y(v):.1f}" stroke="{COLOURS["grid"]}"/>'
                f'<text x="{pad_left - 4}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="10" '
                f'fill="{COLOURS["muted"]}">{_fmt(v, 0)}</text>'
            )
        for year in years:
            parts.append(
                f'<text x="{x(year):.1f}" y="{height - 8}" text-anchor="middle" font-size="10" '
                f'fill="{COLOURS["muted"]}">{year}</text>'
            )
    if target is not None:
        parts.append(
            f'<line x1="{pad_left}" y1="{y(target):.1f}" x2="{width - pad_right}" '
            f'y2="{y(target):.1f}" stroke="{COLOURS["target"]}" stroke-width="1.5" '
            f'stroke-dasharray="5 3"/>'
        )
        if not compact:
            parts.append(
                f'<text x="{width - pad_right}" y="{y(target) - 4:.1f}" text-anchor="end" '
                f'font-size="10" fill="{COLOURS["target"]}">'
                f"{escape(target_label or _('target'))} {_fmt(target)}</text>"
            )
    if milestones:
        parts.append(_milestone_marks(milestones, x, y, compact=compact))
        if not compact:
            parts.append(_milestone_legend(pad_left + 4, 10))
    if len(known) > 1:
        path = " ".join(f"{x(year):.1f},{y(v):.1f}" for year, v in known)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{COLOURS["bar"]}" stroke-width="2"/>'
        )
    for year, v in known:
        parts.append(
            f'<circle cx="{x(year):.1f}" cy="{y(v):.1f}" r="{2.5 if compact else 3.5}" '
            f'fill="{COLOURS["bar"]}"/>'
        )
    if not known:
        parts.append(
            f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle" '
            f'fill="{COLOURS["muted"]}" font-style="italic">{escape(_("no data"))}</text>'
        )
    parts.append("</svg>")
    return Chart(
        title=title,
        svg=mark_safe("".join(parts)),  # noqa: S308 - every text above went through escape()
        rows=[ChartRow(label=str(year), value=v) for year, v in points],
        unit=unit,
        target_label=f"{target_label or _('target')} {_fmt(target)}" if target is not None else "",
    )


def _milestone_marks(
    milestones: Sequence[tuple[int, float]],
    x: Callable[[int], float],
    y: Callable[[float], float],
    *,
    compact: bool,
) -> str:
    """The roadmap: a dotted line through the milestones and a hollow diamond on each."""
    colour, size = COLOURS["milestone"], 2.5 if compact else 4.0
    label = escape(_("Roadmap"))
    parts = ['<g data-series="roadmap">']
    if len(milestones) > 1:
        path = " ".join(f"{x(year):.1f},{y(v):.1f}" for year, v in milestones)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.5" '
            f'stroke-dasharray="2 3"/>'
        )
    for year, v in milestones:
        cx, cy = x(year), y(v)
        parts.append(
            f'<path data-milestone="{year}" d="M{cx:.1f},{cy - size:.1f} L{cx + size:.1f},{cy:.1f} '
            f'L{cx:.1f},{cy + size:.1f} L{cx - size:.1f},{cy:.1f} Z" fill="#ffffff" '
            f'stroke="{colour}" stroke-width="1.5"><title>{label} {year}: '
            f"{_fmt(v)}</title></path>"
        )
    parts.append("</g>")
    return "".join(parts)


def _milestone_legend(left: float, top: float) -> str:
    colour, label = COLOURS["milestone"], escape(_("Roadmap"))
    return (
        f'<g data-legend="roadmap"><line x1="{left:.1f}" y1="{top:.1f}" x2="{left + 16:.1f}" '
        f'y2="{top:.1f}" stroke="{colour}" stroke-width="1.5" stroke-dasharray="2 3"/>'
        f'<path d="M{left + 8:.1f},{top - 3.5:.1f} L{left + 11.5:.1f},{top:.1f} '
        f'L{left + 8:.1f},{top + 3.5:.1f} L{left + 4.5:.1f},{top:.1f} Z" fill="#ffffff" '
        f'stroke="{colour}" stroke-width="1.5"/>'
        f'<text x="{left + 20:.1f}" y="{top + 4:.1f}" font-size="10" fill="{COLOURS["text"]}">'
        f"{label}</text></g>"
    )
