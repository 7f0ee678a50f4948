"""Figures as pictures: the geometry of small SVG charts, drawn on the server.

A chart here is plain data (rectangles, lines, texts placed on a canvas) plus the numbers it
shows as a table; the template `web/templates/chart.svg.j2` turns it into markup, escaped like
every page. Each chart carries a title and a one-sentence description for screen readers, and
the page shows its numbers beside it, so nothing is said only in colour or shape.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

INK, MUTED, GRID = "#1f2933", "#5f6b7a", "#e4e7eb"
PALETTE = ("#8b1a1a", "#2f6f9f", "#2f7d32", "#c77c02", "#6b4c9a", "#00838f", "#ad1457", "#5d6d7e")
WIDTH = 480
FONT = 13


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str
    tip: str = ""  # shown on hover, read by screen readers


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "start"
    size: int = FONT
    fill: str = INK
    bold: bool = False


@dataclass(frozen=True)
class Line:
    points: tuple[tuple[float, float], ...]
    stroke: str
    width: float = 2.0

    @property
    def path(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self.points)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]


@dataclass
class Chart:
    chart_id: str
    title: str
    description: str
    height: float
    width: float = WIDTH
    rects: list[Rect] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)  # the numbers, as a table beside
    rows: list[list[object]] = field(default_factory=list)


def text_width(text: str, size: int = FONT) -> float:
    """Roughly how wide a label is: a Chinese character is square, a digit about half."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.6 for ch in text)


def nice_top(value: float, ticks: int = 4) -> float:
    """The axis' top: the smallest 1, 2 or 5 times a power of ten per tick that covers `value`."""
    if value <= 0:
        return ticks
    raw = value / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return max(step * ticks, 1)


def number(value: float) -> str:
    return f"{value:g}"


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def legend(chart: Chart, names: Sequence[str], colours: Sequence[str], y: float) -> float:
    """Swatches and names across the top, wrapping; returns the height used."""
    x, row = 0.0, 0
    for name, fill in zip(names, colours):
        width = 16 + text_width(name) + 14
        if x + width > chart.width and x > 0:
            x, row = 0.0, row + 1
        top = y + row * 18
        chart.rects.append(Rect(x, top, 10, 10, fill))
        chart.texts.append(Text(x + 14, top + 9.5, name, size=FONT, fill=MUTED))
        x += width
    return (row + 1) * 18 if names else 0


def over_weeks(chart_id: str, title: str, weeks: Sequence[str], series: Sequence[Series]) -> Chart:
    """Counts week by week: a column per week, stacked by series (a station each), the total on
    top; stacking keeps stations with the same count from hiding each other."""
    chart = Chart(chart_id, title, "", height=0)
    names, colours = [s.name for s in series], [colour(i) for i in range(len(series))]
    top_space = 8 + (legend(chart, names, colours, 4) if len(series) > 1 else 0)
    left, bottom, plot_h = 34.0, 34.0, 170.0
    chart.height = top_space + plot_h + bottom
    totals = [sum(s.values[i] for s in series) for i in range(len(weeks))]
    top = nice_top(max(totals, default=0))
    band = (chart.width - left - 8) / max(len(weeks), 1)

    def y_of(v: float) -> float:
        return top_space + plot_h * (1 - v / top)

    _value_axis(chart, left, top, y_of)
    for i, week in enumerate(weeks):
        x, below = left + band * i + band * 0.18, 0.0
        for n, s in enumerate(series):
            v = s.values[i]
            if v:
                tip = f"{s.name} {week}：{number(v)}"
                chart.rects.append(
                    Rect(x, y_of(below + v), band * 0.64, plot_h * v / top, colours[n], tip)
                )
            below += v
        if totals[i]:
            chart.texts.append(
                Text(x + band * 0.32, y_of(totals[i]) - 4, number(totals[i]), "middle", 11)
            )
        chart.texts.append(
            Text(left + band * (i + 0.5), top_space + plot_h + 18, week, "middle", 11, MUTED)
        )
    chart.headers = ["", *weeks]
    chart.rows = [[s.name, *(number(v) for v in s.values)] for s in series]
    chart.description = "；".join(
        f"{s.name}最近{len(weeks)}周共{number(sum(s.values))}，最近一周{number(s.values[-1]) if s.values else 0}"
        for s in series
    )
    return chart


def _value_axis(chart: Chart, left: float, top: float, y_of: Callable[[float], float]) -> None:
    for k in range(5):
        v = top * k / 4
        y = y_of(v)
        chart.lines.append(Line(((left, y), (chart.width - 8, y)), GRID, 1))
        chart.texts.append(Text(left - 6, y + 4, number(round(v, 1)), "end", 11, MUTED))


def hbars(
    chart_id: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    colours: Sequence[str] | None = None,
    stacked: bool = False,
) -> Chart:
    """A row per category: the series side by side in it, or stacked into one bar."""
    colours = list(colours or [colour(i) for i in range(len(series))])
    chart = Chart(chart_id, title, "", height=0)
    named = [s.name for s in series] if categories else []
    top_space = 4 + legend(chart, named, colours, 4) + 6
    left = 12 + max((text_width(c) for c in categories), default=24)
    bars_per_row = 1 if stacked else len(series)
    bar_h = 16.0 if bars_per_row == 1 else 11.0
    row_h = bar_h * bars_per_row + 12
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    biggest = max(totals if stacked else [v for s in series for v in s.values], default=0)
    scale = (chart.width - left - 44) / (biggest or 1)
    chart.height = top_space + row_h * max(len(categories), 1) + 4
    if not categories:
        chart.texts.append(Text(chart.width / 2, top_space + 20, "暂无记录", "middle", fill=MUTED))
    for i, cat in enumerate(categories):
        y = top_space + row_h * i + 6
        chart.texts.append(Text(left - 8, y + bar_h * bars_per_row / 2 + 4, cat, "end"))
        x = left
        for n, s in enumerate(series):
            v = s.values[i]
            tip = f"{cat} {s.name}：{number(v)}"
            if stacked:
                chart.rects.append(Rect(x, y, v * scale, bar_h, colours[n], tip))
                x += v * scale
            else:
                by = y + bar_h * n
                chart.rects.append(Rect(left, by, v * scale, bar_h - 1, colours[n], tip))
                chart.texts.append(Text(left + v * scale + 4, by + bar_h - 2.5, number(v), size=11))
        if stacked:
            chart.texts.append(Text(x + 4, y + bar_h - 3.5, number(totals[i]), size=11, bold=True))
    chart.headers = ["", *(s.name for s in series)] + (["合计"] if stacked else [])
    chart.rows = [
        [cat, *(number(s.values[i]) for s in series), *([number(totals[i])] if stacked else [])]
        for i, cat in enumerate(categories)
    ]
    chart.description = (
        "；".join(
            f"{cat}：" + "，".join(f"{s.name}{number(s.values[i])}" for s in series)
            for i, cat in enumerate(categories)
        )
        or "暂无记录"
    )
    return chart


def pipeline(chart_id: str, title: str, steps: Sequence[tuple[str, int]], aside: str = "") -> Chart:
    """Stages in order, each a box with its count, joined by arrows."""
    chart = Chart(chart_id, title, "", height=96 if aside else 78)
    gap, n = 20.0, max(len(steps), 1)
    box = (chart.width - gap * (n - 1)) / n
    for i, (label, count) in enumerate(steps):
        x = i * (box + gap)
        fill = colour(i) if count else GRID
        chart.rects.append(Rect(x, 4, box, 62, fill, f"{label}：{count}"))
        ink = "#ffffff" if count else MUTED
        chart.texts.append(Text(x + box / 2, 34, str(count), "middle", 22, ink, bold=True))
        chart.texts.append(
            Text(x + box / 2, 56, label, "middle", 12 if len(label) < 8 else 10, ink)
        )
        if i < n - 1:
            ax = x + box + 4
            chart.lines.append(Line(((ax, 35), (ax + gap - 8, 35)), MUTED, 2))
            chart.lines.append(
                Line(((ax + gap - 14, 30), (ax + gap - 8, 35), (ax + gap - 14, 40)), MUTED, 2)
            )
    if aside:
        chart.texts.append(Text(0, 88, aside, size=11, fill=MUTED))
    chart.headers = [label for label, _ in steps]
    chart.rows = [[count for _, count in steps]]
    chart.description = "，".join(f"{label}{count}" for label, count in steps) + (
        f"；{aside}" if aside else ""
    )
    return chart
