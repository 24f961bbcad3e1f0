"""The geometry of the migration report's charts; the SVG markup is the template's (charts.html.j2).

A report must open anywhere, offline, years later: no JavaScript, no CDN. So the charts are inline
SVG, and this module only does the arithmetic a template should not (bar lengths, axis ticks,
polyline points), returning plain models the template draws.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict

__all__ = ["Bar", "BarChart", "LineChart", "Series", "bar_chart", "line_chart"]

# A palette readable by the colour-blind (Okabe-Ito), in the order series and stacks use it.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
STATE_COLOURS = {
    "published": "#009E73",
    "quarantined": "#D55E00",
    "pending": "#E69F00",
    "unaccounted": "#000000",
}


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Bar(_Model):
    label: str
    value: int
    y: float
    length: float
    colour: str


class BarChart(_Model):
    """Horizontal bars, one per label, longest first; `width` × `height` in SVG user units."""

    title: str
    bars: tuple[Bar, ...]
    width: int
    height: int
    label_width: int
    bar_height: int
    total: int | None  # None where the bars are not parts of one whole (a funnel)


def bar_chart(
    title: str,
    counts: Mapping[str, int],
    *,
    width: int = 560,
    colours: Mapping[str, str] | None = None,
    keep_order: bool = False,
    parts_of_a_whole: bool = True,
) -> BarChart:
    """Bars scaled to the largest count; labels keep the order given when `keep_order`; the total
    is shown only when the bars are `parts_of_a_whole`."""
    items = list(counts.items())
    if not keep_order:
        items.sort(key=lambda kv: (-kv[1], kv[0]))
    label_width, bar_height, gap = 190, 20, 8
    room = width - label_width - 60  # the count is printed after the bar
    top = max((v for _, v in items), default=0)
    bars = tuple(
        Bar(
            label=label,
            value=value,
            y=i * (bar_height + gap),
            length=round(room * value / top, 1) if top else 0.0,
            colour=(colours or {}).get(label, PALETTE[i % len(PALETTE)]),
        )
        for i, (label, value) in enumerate(items)
    )
    return BarChart(
        title=title,
        bars=bars,
        width=width,
        height=max(len(bars), 1) * (bar_height + gap),
        label_width=label_width,
        bar_height=bar_height,
        total=sum(v for _, v in items) if parts_of_a_whole else None,
    )


class Series(_Model):
    name: str
    colour: str
    points: str  # "x,y x,y ..." for <polyline points>
    dots: tuple[tuple[float, float], ...]
    last: float | None  # the latest value, printed in the legend


class LineChart(_Model):
    """Rates (0..1) over runs: one series per rate, runs spread evenly left to right."""

    title: str
    series: tuple[Series, ...]
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    ticks: tuple[tuple[float, str], ...]  # (y, label) of the horizontal grid lines
    runs: tuple[tuple[float, str], ...]  # (x, label) under the axis


def line_chart(
    title: str,
    rates: Mapping[str, Sequence[float | None]],
    *,
    run_labels: Sequence[str],
    width: int = 560,
    height: int = 220,
) -> LineChart:
    """One polyline per named rate; a missing value (None) leaves a gap in the dots."""
    left, top, right, bottom = 40, 10, 150, 30  # the legend sits right of the plot
    plot_width, plot_height = width - left - right, height - top - bottom
    count = len(run_labels)

    def x(i: int) -> float:
        return round(left + (plot_width * i / (count - 1) if count > 1 else plot_width / 2), 1)

    def y(rate: float) -> float:
        return round(top + plot_height * (1 - rate), 1)

    series = []
    for i, (name, values) in enumerate(rates.items()):
        dots = tuple((x(j), y(v)) for j, v in enumerate(values) if v is not None)
        known = [v for v in values if v is not None]
        series.append(
            Series(
                name=name,
                colour=PALETTE[i % len(PALETTE)],
                points=" ".join(f"{px},{py}" for px, py in dots),
                dots=dots,
                last=known[-1] if known else None,
            )
        )
    step = max(1, count // 6)  # at most ~6 run labels under the axis
    return LineChart(
        title=title,
        series=tuple(series),
        width=width,
        height=height,
        left=left,
        top=top,
        plot_width=plot_width,
        plot_height=plot_height,
        ticks=tuple((y(r), f"{r:.0%}") for r in (0.0, 0.25, 0.5, 0.75, 1.0)),
        runs=tuple((x(j), label) for j, label in enumerate(run_labels) if j % step == 0),
    )
