"""Charts for the printable plan: inline SVG built in Python (no JS, no matplotlib).

Every chart is a `markupsafe.Markup` string that WeasyPrint and browsers draw as is, so it
prints. Every piece of text that comes from a plan goes through `escape`, so a venue named
`<script>` stays text. Sizes are in CSS pixels (1px = 0.2646 mm); charts scale to the width
of their box (width: 100%) and keep their aspect ratio.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

FONT = "'Noto Sans CJK SC', 'Noto Serif CJK SC', sans-serif"
INK = "#1d2733"
MUTED = "#6b7785"
GRID = "#d9dee5"
TRACK = "#e8ecf1"
MET = "#2e7d4f"
SHORT = "#c0392b"
BLUE = "#1f4e9a"
# One colour per activity format, in the order formats are listed (print well in grey too:
# alternating dark and light).
PALETTE = ["#1f4e9a", "#e08a1e", "#2e7d4f", "#8e44ad", "#c0392b", "#5d9cec", "#7f8c8d", "#b8860b"]
ROLE_COLOURS = {"police": "#1f4e9a", "auxiliary": "#5d9cec", "grid_worker": "#2e7d4f", "volunteer": "#e08a1e"}


def _num(value: float) -> str:
    """A coordinate: short, and never in exponent notation."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, text: object, *, size: float = 10, anchor: str = "start",
          fill: str = INK, weight: str = "normal") -> str:
    return (f'<text x="{_num(x)}" y="{_num(y)}" font-size="{_num(size)}" text-anchor="{anchor}" '
            f'fill="{fill}" font-weight="{weight}">{escape(text)}</text>')


def _rect(x: float, y: float, w: float, h: float, fill: str, *, stroke: str | None = None) -> str:
    extra = f' stroke="{stroke}" stroke-width="0.8"' if stroke else ""
    return (f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(max(w, 0))}" height="{_num(max(h, 0))}" '
            f'fill="{fill}"{extra}/>')


def _svg(width: float, height: float, body: list[str], label: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {_num(width)} {_num(height)}" '
        f'width="{_num(width)}" height="{_num(height)}" role="img" aria-label="{escape(label)}" '
        f'font-family="{FONT}">' + "".join(body) + "</svg>")


def nice_max(value: float) -> float:
    """A round axis maximum at or above value whose quarters are round whole numbers."""
    power = 1
    while True:
        for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8):
            quarter = m * power
            if quarter == int(quarter) and 4 * quarter >= value:
                return 4 * quarter
        power *= 10


def shorten(text: str, limit: int) -> str:
    """Cut a label to about `limit` columns (a CJK character counts two)."""
    width = 0
    for i, ch in enumerate(text):
        width += 2 if ord(ch) > 0x2E80 else 1
        if width > limit:
            return text[:max(i - 1, 1)] + "…"
    return text


def text_width(text: str, size: float) -> float:
    """An estimate of a label's drawn width (CJK full width, Latin about 0.55 em)."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.56 for ch in text)


# --- coverage: met against required, per 五进 kind and month ------------------------------------------


@dataclass
class CoverageBar:
    group: str  # the 五进 kind's name
    label: str  # the month
    met: int
    required: int


def coverage_chart(bars: list[CoverageBar], *, title: str, met_label: str, required_label: str,
                   width: float = 680) -> Markup:
    """Bullet bars: a light track for the venue-visits required, the met part filled over it."""
    groups: list[str] = []
    for bar in bars:
        if bar.group not in groups:
            groups.append(bar.group)
    per_group = max((sum(1 for b in bars if b.group == g) for g in groups), default=1)
    left, top, bottom, right = 36, 34, 40, 8
    height = 218
    plot_w = width - left - right
    plot_h = height - top - bottom
    top_value = nice_max(max((max(b.required, b.met) for b in bars), default=1))
    body = [_text(0, 12, title, size=11, weight="bold")]
    # legend
    lx = width - right - text_width(met_label, 9) - text_width(required_label, 9) - 50
    body += [_rect(lx, 4, 10, 9, TRACK, stroke=GRID), _text(lx + 14, 12, required_label, size=9, fill=MUTED)]
    lx += 14 + text_width(required_label, 9) + 12
    body += [_rect(lx, 4, 10, 9, MET), _text(lx + 14, 12, met_label, size=9, fill=MUTED)]
    for i in range(5):
        value = top_value * i / 4
        y = top + plot_h - plot_h * i / 4
        body.append(f'<line x1="{left}" x2="{_num(width - right)}" y1="{_num(y)}" y2="{_num(y)}" '
                    f'stroke="{GRID}" stroke-width="0.6"/>')
        body.append(_text(left - 4, y + 3, f"{value:g}", size=8, anchor="end", fill=MUTED))
    if not groups:
        return _svg(width, height, body, title)
    group_w = plot_w / len(groups)
    bar_w = min(26, group_w * 0.8 / per_group)
    for gi, group in enumerate(groups):
        here = [b for b in bars if b.group == group]
        x0 = left + gi * group_w + (group_w - bar_w * len(here) - 3 * (len(here) - 1)) / 2
        for bi, bar in enumerate(here):
            x = x0 + bi * (bar_w + 3)
            h_req = plot_h * bar.required / top_value
            h_met = plot_h * min(bar.met, max(bar.required, bar.met)) / top_value
            base = top + plot_h
            body.append(_rect(x, base - h_req, bar_w, h_req, TRACK, stroke=GRID))
            colour = MET if bar.met >= bar.required else SHORT
            body.append(_rect(x + 3, base - h_met, bar_w - 6, h_met, colour))
            if bar.required or bar.met:
                body.append(_text(x + bar_w / 2, base - max(h_req, h_met) - 2, f"{bar.met}/{bar.required}",
                                  size=7, anchor="middle", fill=INK))
            body.append(_text(x + bar_w / 2, base + 10, bar.label, size=7.5, anchor="middle", fill=MUTED))
        body.append(_text(left + gi * group_w + group_w / 2, height - 12, shorten(group, 16), size=9.5,
                          anchor="middle", weight="bold"))
    return _svg(width, height, body, title)


# --- load: activities per person --------------------------------------------------------------------


@dataclass
class LoadBar:
    label: str
    value: int
    hours: float
    role: str
    limit: int | None = None  # the most the person may take over the campaign


def load_chart(bars: list[LoadBar], *, title: str, role_names: dict[str, str], unit: str,
               limit_label: str, width: float = 680) -> Markup:
    """Horizontal bars, one per person, coloured by role, with the person's limit as a tick."""
    row = 13
    label_w = min(150, max((text_width(b.label, 8.5) for b in bars), default=40) + 8)
    left, top, right = label_w, 30, 60
    height = top + row * len(bars) + 14
    plot_w = width - left - right
    top_value = nice_max(max((max(b.value, b.limit or 0) for b in bars), default=1))
    body = [_text(0, 12, title, size=11, weight="bold")]
    x = width - right
    for role in reversed([r for r in ROLE_COLOURS if any(b.role == r for b in bars)]):
        name = role_names.get(role, role)
        x -= text_width(name, 9) + 18
        body += [_rect(x, 4, 10, 9, ROLE_COLOURS[role]), _text(x + 13, 12, name, size=9, fill=MUTED)]
    if any(b.limit for b in bars):
        x -= text_width(limit_label, 9) + 18
        body += [f'<line x1="{_num(x + 5)}" x2="{_num(x + 5)}" y1="3" y2="14" stroke="{INK}" stroke-width="1.4"/>',
                 _text(x + 13, 12, limit_label, size=9, fill=MUTED)]
    for i in range(5):
        gx = left + plot_w * i / 4
        body.append(f'<line x1="{_num(gx)}" x2="{_num(gx)}" y1="{top - 4}" y2="{_num(height - 12)}" '
                    f'stroke="{GRID}" stroke-width="0.6"/>')
        body.append(_text(gx, height - 3, f"{top_value * i / 4:g}", size=8, anchor="middle", fill=MUTED))
    for i, bar in enumerate(bars):
        y = top + i * row
        body.append(_text(left - 6, y + 9, shorten(bar.label, 22), size=8.5, anchor="end"))
        w = plot_w * bar.value / top_value
        body.append(_rect(left, y + 1.5, w, row - 4, ROLE_COLOURS.get(bar.role, BLUE)))
        body.append(_text(left + w + 3, y + 9, f"{bar.value} · {bar.hours:g}{unit}", size=7.5, fill=MUTED))
        if bar.limit:
            lx = left + plot_w * bar.limit / top_value
            body.append(f'<line x1="{_num(lx)}" x2="{_num(lx)}" y1="{_num(y)}" y2="{_num(y + row - 1)}" '
                        f'stroke="{INK}" stroke-width="1.4"/>')
    return _svg(width, height, body, title)


def histogram_chart(counts: list[tuple[str, int]], *, title: str, x_label: str, y_label: str,
                    width: float = 680) -> Markup:
    """Vertical bars of how many people have how many activities (for large staffs)."""
    left, top, bottom, right = 36, 26, 34, 8
    height = 180
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = nice_max(max((c for _, c in counts), default=1))
    body = [_text(0, 12, title, size=11, weight="bold"),
            _text(width - right, 12, y_label, size=9, anchor="end", fill=MUTED)]
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        body.append(f'<line x1="{left}" x2="{_num(width - right)}" y1="{_num(y)}" y2="{_num(y)}" '
                    f'stroke="{GRID}" stroke-width="0.6"/>')
        body.append(_text(left - 4, y + 3, f"{top_value * i / 4:g}", size=8, anchor="end", fill=MUTED))
    slot = plot_w / max(len(counts), 1)
    for i, (label, count) in enumerate(counts):
        h = plot_h * count / top_value
        x = left + i * slot
        body.append(_rect(x + slot * 0.12, top + plot_h - h, slot * 0.76, h, BLUE))
        if count:
            body.append(_text(x + slot / 2, top + plot_h - h - 2, count, size=7.5, anchor="middle"))
        body.append(_text(x + slot / 2, top + plot_h + 10, label, size=7.5, anchor="middle", fill=MUTED))
    body.append(_text(left + plot_w / 2, height - 4, x_label, size=9, anchor="middle", fill=MUTED))
    return _svg(width, height, body, title)


# --- activities per week, stacked by format ------------------------------------------------------------


@dataclass
class WeekColumn:
    label: str
    counts: list[int]  # one per series
    marked: bool = False  # e.g. a week with official days off


def weekly_chart(columns: list[WeekColumn], series: list[str], *, title: str, marked_label: str = "",
                 width: float = 680) -> Markup:
    left, top, right = 36, 30, 8
    legend_rows = 1 + int(sum(text_width(s, 9) + 24 for s in series) > width - 200)
    bottom = 26
    height = 200 + 12 * (legend_rows - 1)
    top += 12 * (legend_rows - 1)
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = nice_max(max((sum(c.counts) for c in columns), default=1))
    body = [_text(0, 12, title, size=11, weight="bold")]
    x, y = width - right, 12
    for i, name in reversed(list(enumerate(series))):
        w = text_width(name, 9) + 24
        if x - w < 200 and y == 12 and legend_rows > 1:
            x, y = width - right, 24
        x -= w
        body += [_rect(x, y - 8, 10, 9, PALETTE[i % len(PALETTE)]), _text(x + 13, y, name, size=9, fill=MUTED)]
    for i in range(5):
        gy = top + plot_h - plot_h * i / 4
        body.append(f'<line x1="{left}" x2="{_num(width - right)}" y1="{_num(gy)}" y2="{_num(gy)}" '
                    f'stroke="{GRID}" stroke-width="0.6"/>')
        body.append(_text(left - 4, gy + 3, f"{top_value * i / 4:g}", size=8, anchor="end", fill=MUTED))
    slot = plot_w / max(len(columns), 1)
    every = max(1, math.ceil(len(columns) / 16))
    for ci, column in enumerate(columns):
        x = left + ci * slot
        base: float = top + plot_h
        if column.marked:
            body.append(_rect(x, top, slot, plot_h, "#fbeaea"))
        for si, count in enumerate(column.counts):
            h = plot_h * count / top_value
            body.append(_rect(x + slot * 0.15, base - h, slot * 0.7, h, PALETTE[si % len(PALETTE)]))
            base -= h
        total = sum(column.counts)
        if total:
            body.append(_text(x + slot / 2, base - 2, total, size=7, anchor="middle"))
        if ci % every == 0:
            body.append(_text(x + slot / 2, top + plot_h + 10, column.label, size=7.5, anchor="middle", fill=MUTED))
    if marked_label and any(c.marked for c in columns):
        body += [_rect(0, height - 10, 10, 9, "#fbeaea", stroke=GRID),
                 _text(13, height - 2, marked_label, size=8, fill=MUTED)]
    return _svg(width, height, body, title)


def meter(value: float, total: float, *, width: float = 90, ok: bool | None = None) -> Markup:
    """A small progress bar for tables (met / required)."""
    share = 0 if total <= 0 else min(value / total, 1)
    colour = MET if (ok if ok is not None else share >= 1) else SHORT
    return _svg(width, 8, [_rect(0, 0, width, 8, TRACK), _rect(0, 0, width * share, 8, colour)], f"{value}/{total}")
