"""Small server-side SVG charts for the reports page (the browser has no internet: no CDN).

`bar_chart` draws grouped vertical bars with a y axis, labels under the groups, a legend and an
optional horizontal target line (e.g. the 80 % service-level target). Output is a standalone
`<svg>` element; every text is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 760, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 28, 46
MAX_SLOT = 90.0  # a lone group must not become one wall-wide bar


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    color: str


def nice_max(value: float) -> float:
    """Round the top of the axis up to 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def _axis(top: float, plot_h: float) -> list[str]:
    parts = []
    for i in range(5):
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="10">'
            f"{value:g}</text>"
        )
    return parts


def _bars(labels: Sequence[str], series: Sequence[Series], top: float, plot_h: float) -> list[str]:
    parts = []
    slot = min((WIDTH - LEFT - RIGHT) / max(len(labels), 1), MAX_SLOT)
    bar_w = slot * 0.8 / max(len(series), 1)
    for i, label in enumerate(labels):
        x0 = LEFT + i * slot + slot * 0.1
        for j, s in enumerate(series):
            value = s.values[i] if i < len(s.values) else None
            if value is None:
                continue
            h = plot_h * min(value, top) / top
            parts.append(
                f'<rect x="{x0 + j * bar_w:.1f}" y="{TOP + plot_h - h:.1f}" '
                f'width="{bar_w:.1f}" height="{h:.1f}" fill="{escape(s.color)}">'
                f"<title>{escape(label)}: {escape(s.name)} {value:g}</title></rect>"
            )
        parts.append(
            f'<text x="{x0 + slot * 0.4:.1f}" y="{HEIGHT - BOTTOM + 14}" font-size="10" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    return parts


def _legend(series: Sequence[Series]) -> list[str]:
    parts = []
    for j, s in enumerate(series):
        x = LEFT + j * 170
        parts.append(
            f'<rect x="{x}" y="{HEIGHT - 16}" width="10" height="10" fill="{escape(s.color)}"/>'
            f'<text x="{x + 14}" y="{HEIGHT - 7}" font-size="11">{escape(s.name)}</text>'
        )
    return parts


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    target: float | None = None,
    y_max: float | None = None,
) -> str:
    values = [v for s in series for v in s.values if v is not None]
    top = y_max if y_max is not None else nice_max(max([*values, target or 0.0], default=0.0))
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" class="chart" aria-label="{escape(title)}">',
        f'<text x="{LEFT}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
        *_axis(top, plot_h),
        *_bars(labels, series, top, plot_h),
        *_legend(series),
    ]
    if target is not None:
        y = TOP + plot_h - plot_h * min(target, top) / top
        parts.append(
            f'<line class="target" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            f'stroke="#c62828" stroke-dasharray="6 3"/>'
        )
    parts.append("</svg>")
    return "".join(parts)
