"""Small SVG charts drawn on the server: bars, grouped bars and lines. Pure: data in, SVG out."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Formatter = Callable[[float], str]


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _esc(value: object) -> str:
    """Text for SVG: escaped, and without the characters XML cannot hold at all."""
    return html.escape(_CONTROL.sub("", str(value)), quote=True)


def plain(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def as_percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def nice_max(value: float) -> float:
    """A round top for an axis at or above `value` (1, 2, 2.5 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    css: str = ""  # "", "alt", "ok" or "bad": the colour, set in the stylesheet


def _frame(width: int, height: int, title: str, summary: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="chart-svg"><title>{_esc(title)}</title><desc>{_esc(summary)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    fmt: Formatter = plain,
    css: str = "",
    top: float | None = None,
) -> str:
    """Vertical bars, one per label, each with its value written above it."""
    return grouped_bars(labels, [Series(title, list(values), css)], title=title, fmt=fmt, top=top)


def grouped_bars(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    fmt: Formatter = plain,
    top: float | None = None,
) -> str:
    """Bars grouped by label, one bar per series, with a light grid and values on the bars."""
    width, height = 520, 240
    left, right, upper, lower = 44, 10, 18, 42
    plot_w, plot_h = width - left - right, height - upper - lower
    numbers = [v for s in series for v in s.values if v is not None]
    top = top or nice_max(max(numbers, default=0))
    body = _grid(left, upper, plot_w, plot_h, top, fmt)
    groups = max(1, len(labels))
    group_w = plot_w / groups
    bar_w = min(46.0, (group_w - 14) / max(1, len(series)))
    summary: list[str] = []
    for g, label in enumerate(labels):
        start = left + g * group_w + (group_w - bar_w * len(series)) / 2
        for k, s in enumerate(series):
            value = s.values[g] if g < len(s.values) else None
            x = start + k * bar_w
            if value is None:
                continue
            h = plot_h * min(value, top) / top if top else 0
            y = upper + plot_h - h
            body.append(
                f'<rect class="chart-bar {s.css}" x="{x + 2:.1f}" y="{y:.1f}" '
                f'width="{bar_w - 4:.1f}" height="{h:.1f}" rx="2"><title>{_esc(label)}, '
                f"{_esc(s.name)}: {_esc(fmt(value))}</title></rect>"
            )
            body.append(
                f'<text class="chart-value" x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" '
                f'text-anchor="middle">{_esc(fmt(value))}</text>'
            )
            summary.append(f"{label} {s.name}: {fmt(value)}")
        body.append(
            f'<text class="chart-text" x="{left + g * group_w + group_w / 2:.1f}" '
            f'y="{upper + plot_h + 16}" text-anchor="middle">{_esc(_short(label, group_w))}</text>'
        )
    return _frame(width, height, title, "; ".join(summary) or "no data", body)


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    fmt: Formatter = plain,
    top: float | None = None,
) -> str:
    """Lines over time with a dot per point; at most about eight labels are written."""
    width, height = 520, 240
    left, right, upper, lower = 44, 14, 18, 42
    plot_w, plot_h = width - left - right, height - upper - lower
    numbers = [v for s in series for v in s.values if v is not None]
    top = top or nice_max(max(numbers, default=0))
    body = _grid(left, upper, plot_w, plot_h, top, fmt)
    count = len(labels)
    step = plot_w / max(1, count - 1)

    def x_of(i: int) -> float:
        return left + (i * step if count > 1 else plot_w / 2)

    every = max(1, math.ceil(count / 8))
    for i, label in enumerate(labels):
        if i % every == 0 or i == count - 1:
            body.append(
                f'<text class="chart-text" x="{x_of(i):.1f}" y="{upper + plot_h + 16}" '
                f'text-anchor="middle">{_esc(label)}</text>'
            )
    summary: list[str] = []
    for s in series:
        points = [
            (x_of(i), upper + plot_h - plot_h * min(v, top) / top, v)
            for i, v in enumerate(s.values)
            if v is not None
        ]
        if len(points) > 1:
            path = " ".join(
                f"{'M' if n == 0 else 'L'}{x:.1f},{y:.1f}" for n, (x, y, _) in enumerate(points)
            )
            body.append(f'<path class="chart-line {s.css}" d="{path}"/>')
        for (x, y, v), label in zip(
            points,
            [lb for lb, v in zip(labels, s.values, strict=False) if v is not None],
            strict=False,
        ):
            body.append(
                f'<circle class="chart-dot {s.css}" cx="{x:.1f}" cy="{y:.1f}" r="3.2">'
                f"<title>{_esc(label)}, {_esc(s.name)}: {_esc(fmt(v))}</title></circle>"
            )
        total = sum(v for v in s.values if v is not None)
        summary.append(f"{s.name}: {fmt(total)} over {count} points")
    return _frame(width, height, title, "; ".join(summary) or "no data", body)


def _grid(left: int, upper: int, plot_w: int, plot_h: int, top: float, fmt: Formatter) -> list[str]:
    out = []
    for i in range(5):
        value = top * i / 4
        y = upper + plot_h - plot_h * i / 4
        out.append(
            f'<line class="{"chart-axis" if i == 0 else "chart-grid"}" x1="{left}" '
            f'x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        out.append(
            f'<text class="chart-text" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{_esc(fmt(value))}</text>"
        )
    return out


def _short(label: str, room: float) -> str:
    limit = max(4, int(room / 6.5))
    return label if len(label) <= limit else label[: limit - 1] + "…"
