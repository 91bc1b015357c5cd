"""The alert page's chart: the series against its baseline band, drawn by the server as SVG.

No script and nothing from outside: the numbers become rectangles and lines
here, and the template writes them as inline SVG. Each bar's value is in its
tooltip, and the whole chart has a sentence as its accessible name.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

WIDTH, HEIGHT = 560, 150
LEFT, TOP, BOTTOM = 36, 8, 20


@dataclass(frozen=True)
class ChartBar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str
    current: bool


@dataclass(frozen=True)
class BandChart:
    bars: list[ChartBar]
    band_y: float
    band_height: float
    threshold_y: float
    axis_top: int
    summary: str
    width: int = WIDTH
    height: int = HEIGHT
    plot_bottom: int = HEIGHT - BOTTOM
    left: int = LEFT


def _shape(numbers: dict) -> tuple[list, float, float, float, float] | None:
    """(earlier values, this window's value, band low, band high, threshold), or None.

    A volume alert keeps its series with the band's numbers; another rule may
    keep ``numbers["chart"]``: ``{"series", "value", "low", "high", "threshold"}``.
    """
    chart = numbers.get("chart")
    if isinstance(chart, dict) and chart.get("series"):
        return (
            chart["series"],
            chart["value"],
            float(chart["low"]),
            float(chart["high"]),
            float(chart["threshold"]),
        )
    series = numbers.get("series")
    if not isinstance(series, list) or not series or "count" not in numbers:
        return None
    return (
        series,
        numbers["count"],
        float(numbers.get("usual_low", 0)),
        float(numbers.get("usual_high", 0)),
        float(numbers.get("threshold", 0)),
    )


def band_chart(numbers: dict) -> BandChart | None:
    """The chart of an alert's series against its band, or None when it keeps none."""
    shape = _shape(numbers)
    if shape is None:
        return None
    series, value, low, high, threshold = shape
    values = [round(float(v), 1) for v in series] + [round(float(value), 1)]
    top = max(max(values), threshold, high, 1)
    plot = HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return round(TOP + plot - value * plot / top, 1)

    slot = (WIDTH - LEFT) / len(values)
    count = len(values)
    bars = [
        ChartBar(
            x=round(LEFT + i * slot + 1, 1),
            y=y(value),
            width=round(max(slot - 2, 1), 1),
            height=round(max(TOP + plot - y(value), 1), 1),
            value=value,
            label=(
                _("this window: %(n)s") % {"n": value}
                if i == count - 1
                else _("%(days)s days before: %(n)s") % {"days": count - 1 - i, "n": value}
            ),
            current=i == count - 1,
        )
        for i, value in enumerate(values)
    ]
    summary = _(
        "%(days)s earlier days, usual range %(low)s to %(high)s, threshold %(threshold)s; "
        "this window %(count)s."
    ) % {
        "days": count - 1,
        "low": round(low, 1),
        "high": round(high, 1),
        "threshold": threshold,
        "count": values[-1],
    }
    return BandChart(
        bars=bars,
        band_y=y(high),
        band_height=round(max(y(low) - y(high), 1), 1),
        threshold_y=y(threshold),
        axis_top=round(top),
        summary=summary,
    )
