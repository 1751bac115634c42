"""The "results over the years" chart as geometry for an inline SVG: stacked bars, one per year.

Drawn on the server so that the chart reads without JavaScript and without a chart library (nothing
is loaded from anywhere); the template only places the rectangles computed here, and the table
under it gives the same numbers for screen readers and for copying. The SVG has a ``viewBox`` and
no fixed width, so it scales down to a phone; its width grows with the number of years (90 units
each, 320 to 720), so that a chart of one or two years is not a thin bar in small print.
"""

from __future__ import annotations

from dataclasses import dataclass

from .report_views import SEVERITY_ORDER

HEIGHT, MIN_WIDTH, MAX_WIDTH, PER_YEAR = 260, 320, 720, 90
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 34


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    severity: str
    count: int
    year: int | None


@dataclass(frozen=True)
class Column:
    year: int | None
    x: float  # the centre of the column, for its label
    total: int
    total_y: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    columns: list[Column]
    ticks: list[tuple[int, float]]  # (value, y)
    left: int
    right: int
    baseline: float
    empty: bool


def _step(top: int) -> int:
    """A round tick step giving at most 5 ticks up to top."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000):
        if top / step <= 5:
            return step
    return max(1, top // 5)


def year_chart(rows: list[tuple[int | None, dict[str, int]]]) -> Chart:
    """Stacked bars of rows (year, counts by severity): Violation at the bottom, then Warning, Info."""
    totals = [sum(counts.values()) for _, counts in rows]
    highest = max(totals, default=0)
    step = _step(max(highest, 1))
    top = max(step, -(-highest // step) * step)
    width = max(MIN_WIDTH, min(MAX_WIDTH, LEFT + RIGHT + PER_YEAR * len(rows)))  # text stays legible on a phone
    plot_height = HEIGHT - TOP - BOTTOM
    plot_width = width - LEFT - RIGHT
    baseline = TOP + plot_height
    scale = plot_height / top
    slot = plot_width / max(len(rows), 1)
    bar_width = min(64.0, slot * 0.6)
    bars, columns = [], []
    for index, (year, counts) in enumerate(rows):
        centre = LEFT + slot * (index + 0.5)
        y = baseline
        for severity in SEVERITY_ORDER:
            count = counts.get(severity, 0)
            if not count:
                continue
            height = count * scale
            y -= height
            bars.append(Bar(round(centre - bar_width / 2, 1), round(y, 1), round(bar_width, 1), round(height, 1),
                            severity, count, year))
        columns.append(Column(year, round(centre, 1), totals[index], round(y - 4, 1)))
    ticks = [(value, round(baseline - value * scale, 1)) for value in range(0, top + 1, step)]
    return Chart(width, HEIGHT, bars, columns, ticks, LEFT, width - RIGHT, baseline, highest == 0)
