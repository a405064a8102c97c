"""Charts as inline SVG, drawn on the server: no script, no CDN, nothing for the page's Content
Security Policy to allow. Every label is escaped; colours are attributes, never style."""
from __future__ import annotations

import datetime as dt
from typing import Dict, List, Optional, Sequence, Tuple

from markupsafe import Markup, escape

from bot.channels.labels import channel_label

PALETTE = ("#1f5fa8", "#e07b26", "#3a9b5a", "#8e5bb5", "#c0392b", "#6b7b8c")
WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 14, 46


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    step = 10 ** (len(str(int(value))) - 1)
    for factor in (1, 2, 5, 10):
        if value <= factor * step:
            return factor * step
    return 10 * step


def _svg(label: str, body: List[str], height: int = HEIGHT) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(label)}</title>{''.join(body)}</svg>")


def _axes(top: float, days: Sequence[dt.date], percent: bool = False) -> List[str]:
    parts = []
    plot_h = HEIGHT - TOP - BOTTOM
    for i in range(5):
        value = top * i / 4
        y = HEIGHT - BOTTOM - plot_h * i / 4
        text = f"{round(value * 100, 1):g}%" if percent else f"{round(value, 2):g}"
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                     f'stroke="#e3e6ea" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                     f'fill="#5b6470">{text}</text>')
    slot = (WIDTH - LEFT - RIGHT) / max(len(days), 1)
    every = max(1, len(days) // 10)
    for i, day in enumerate(days):
        if i % every == 0:
            x = LEFT + slot * (i + 0.5)
            parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                         f'font-size="11" fill="#5b6470">{day:%m-%d}</text>')
    return parts


def _legend(names: Sequence[str], y: float) -> List[str]:
    parts, x = [], LEFT
    for i, name in enumerate(names):
        label = escape(channel_label(name))
        parts.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{PALETTE[i % len(PALETTE)]}"/>')
        parts.append(f'<text x="{x + 14}" y="{y}" font-size="11" fill="#333">{label}</text>')
        x += 24 + 12 * len(str(label))
    return parts


def stacked_bars(label: str, days: Sequence[dt.date], series: Dict[str, List[int]]) -> Markup:
    """One bar per day, stacked by channel (``series``: channel → daily values)."""
    totals = [sum(values[i] for values in series.values()) for i in range(len(days))]
    top = _nice_max(max(totals, default=0))
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(days), 1)
    bar = max(slot * 0.6, 1)
    body = _axes(top, days)
    for i, day in enumerate(days):
        y: float = HEIGHT - BOTTOM
        for n, (channel, values) in enumerate(series.items()):
            h = plot_h * values[i] / top
            if values[i]:
                y -= h
                name = escape(channel_label(channel))
                body.append(f'<rect x="{LEFT + slot * i + (slot - bar) / 2:.1f}" y="{y:.1f}" '
                            f'width="{bar:.1f}" height="{h:.1f}" fill="{PALETTE[n % len(PALETTE)]}">'
                            f'<title>{day:%m-%d} {name}：{values[i]}</title></rect>')
        if totals[i]:
            body.append(f'<text x="{LEFT + slot * (i + 0.5):.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                        f'font-size="10" fill="#333">{totals[i]}</text>')
    body += _legend(list(series), HEIGHT - 8)
    return _svg(label, body)


def rate_line(label: str, days: Sequence[dt.date], rates: Sequence[Optional[float]]) -> Markup:
    """A daily rate (0–1) as a line with dots; days without data are gaps."""
    known = [r for r in rates if r is not None]
    top = max(0.1, min(1.0, _nice_max(max(known, default=0) * 100) / 100))
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(days), 1)
    body = _axes(top, days, percent=True)
    points: List[Tuple[float, float, float, dt.date]] = []
    for i, (day, rate) in enumerate(zip(days, rates)):
        if rate is not None:
            points.append((LEFT + slot * (i + 0.5), HEIGHT - BOTTOM - plot_h * min(rate, top) / top, rate, day))
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{PALETTE[4]}" stroke-width="2"/>')
    for x, y, rate, day in points:
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{PALETTE[4]}">'
                    f'<title>{day:%m-%d}：{rate * 100:.1f}%</title></circle>')
        body.append(f'<text x="{x:.1f}" y="{y - 7:.1f}" text-anchor="middle" font-size="10" '
                    f'fill="#333">{rate * 100:.0f}%</text>')
    return _svg(label, body)


def horizontal_bars(label: str, rows: Sequence[Tuple[str, int]]) -> Markup:
    """Labelled horizontal bars, largest first (top questions)."""
    row_h, name_w = 24, 250
    height = max(len(rows), 1) * row_h + 10
    top = max((n for _, n in rows), default=0) or 1
    body = []
    for i, (name, value) in enumerate(rows):
        y = 5 + i * row_h
        w = (WIDTH - name_w - 50) * value / top
        body.append(f'<text x="{name_w - 8}" y="{y + 15}" text-anchor="end" font-size="12" '
                    f'fill="#333">{escape(name)}</text>')
        body.append(f'<rect x="{name_w}" y="{y + 3}" width="{max(w, 1):.1f}" height="{row_h - 8}" '
                    f'fill="{PALETTE[0]}"><title>{escape(name)}：{value}</title></rect>')
        body.append(f'<text x="{name_w + w + 6:.1f}" y="{y + 15}" font-size="12" fill="#333">{value}</text>')
    if not rows:
        body.append(f'<text x="{WIDTH / 2}" y="20" text-anchor="middle" font-size="12" '
                    f'fill="#5b6470">这段时间没有答复记录</text>')
    return _svg(label, body, height)
