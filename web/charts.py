"""Server-rendered, dependency-free SVG charts for inline use under a strict CSP.

Every chart returns a standalone ``<svg>`` string (role="img", aria-label, <title>,
viewBox, width="100%") using presentation attributes only: no scripts, no style=.
All caller-supplied text is XML-escaped; colours and links are validated.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable
from xml.sax.saxutils import escape, quoteattr

__all__ = ["MapPoint", "BarRow", "Segment", "province_map", "stacked_bars",
           "progress_bar", "pie_shares", "column_chart", "COMPLETION_COLOURS",
           "completion_colour", "percent"]

FONT = "Noto Sans CJK SC, Microsoft YaHei, sans-serif"
TEXT, MUTED, TRACK, EMPTY = "#2f3640", "#6b7280", "#e8ebef", "#c9ced6"
COMPLETION_COLOURS = ("#d0524a", "#e8904a", "#e9c46a", "#94b96a", "#3a8f5c")  # red→amber→green
DEFAULT_COLUMN = "#4a7fb0"
MAX_MAP_LABELS = 30
R_MIN, R_MAX, R_ZERO = 4.0, 22.0, 3.0

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_COLOUR = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|rgba?\([0-9.,%\s]+\))$")
_SAFE_HREF = re.compile(r"^(https?://|/(?!/)|\?|#)", re.IGNORECASE)


@dataclass(frozen=True)
class MapPoint:
    """One province/city marker on the map."""
    code: str
    name: str
    longitude: float
    latitude: float
    communities: int
    completion: float  # 0..1
    link: str | None = None


@dataclass(frozen=True)
class BarRow:
    """One horizontal stacked bar: label plus values keyed by Segment.key."""
    label: str
    values: dict[str, int]
    link: str | None = None


@dataclass(frozen=True)
class Segment:
    """One stack segment: key into BarRow.values, legend label and colour."""
    key: str
    label: str
    colour: str


# ---------------------------------------------------------------- helpers
def _clean(value: object) -> str:
    """Return str(value) without characters that are illegal in XML 1.0."""
    return _INVALID_XML.sub("", str(value))


def _t(value: object) -> str:
    """Escape text content."""
    return escape(_clean(value))


def _a(value: object) -> str:
    """Quote and escape an attribute value (quotes included)."""
    return quoteattr(_clean(value))


def _f(x: float) -> str:
    """Format a coordinate compactly."""
    return f"{x:.1f}".rstrip("0").rstrip(".") if math.isfinite(x) else "0"


def _colour(value: str, fallback: str = "#999999") -> str:
    """Return value if it looks like a CSS colour, else the fallback."""
    return value.strip() if isinstance(value, str) and _COLOUR.match(value.strip()) else fallback


def _href(link: str | None) -> str | None:
    """Allow only http(s), site-relative, query and fragment links."""
    if not link or not _SAFE_HREF.match(link.strip()):
        return None
    return link.strip()


def _link(link: str | None, inner: str) -> str:
    """Wrap inner in <a href> when link is a safe URL."""
    href = _href(link)
    # a pointer shortcut only: the table beside every chart carries the same links for the keyboard and screen
    # readers (inside role="img" a focusable link would be hidden from them: axe nested-interactive)
    return f'<a href={_a(href)} tabindex="-1">{inner}</a>' if href else inner


def _short(label: object, limit: int) -> str:
    """Truncate a label to limit characters with an ellipsis."""
    s = _clean(label)
    return s if len(s) <= limit else s[: max(1, limit - 1)] + "…"


def _int(v: object) -> int:
    """Coerce to a non-negative int."""
    try:
        return max(0, int(v))  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return 0


def percent(part: int, total: int) -> int:
    """Integer percentage rounded half-up; never 100 unless complete, never 0 if part > 0."""
    part, total = _int(part), _int(total)
    if total == 0 or part == 0:
        return 0
    part = min(part, total)
    pct = (200 * part + total) // (2 * total)
    return 100 if part == total else min(max(pct, 1), 99)


def _shares(values: list[int]) -> list[int]:
    """Percentages summing to 100 (largest remainder); all zeros if total is 0."""
    total = sum(values)
    if total == 0:
        return [0] * len(values)
    raw = [v * 100 / total for v in values]
    out = [int(r) for r in raw]
    order = sorted(range(len(values)), key=lambda i: raw[i] - out[i], reverse=True)
    for i in order[: 100 - sum(out)]:
        out[i] += 1
    return out


def _svg(width: float, height: float, title: str, body: str, kind: str) -> str:
    """Wrap body in the common accessible <svg> root element."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label={_a(title)} '
            f'class="chart chart-{kind}" viewBox="0 0 {_f(width)} {_f(height)}" width="100%" '
            f'font-family={_a(FONT)} font-size="12" fill="{TEXT}">'
            f"<title>{_t(title)}</title>{body}</svg>")


def _empty(title: str, text: str, kind: str) -> str:
    """A placeholder chart showing a 'no data' message."""
    body = (f'<rect x="0.5" y="0.5" width="399" height="79" rx="6" fill="#f7f8fa" stroke="{TRACK}"/>'
            f'<text x="200" y="45" text-anchor="middle" fill="{MUTED}" font-size="14">{_t(text)}</text>')
    return _svg(400, 80, title, body, f"{kind} chart-empty")


def completion_colour(completion: float) -> str:
    """Map a 0..1 completion ratio onto the 5-step red→amber→green scale."""
    c = completion if isinstance(completion, (int, float)) and math.isfinite(completion) else 0.0
    c = min(1.0, max(0.0, float(c)))
    return COMPLETION_COLOURS[min(len(COMPLETION_COLOURS) - 1, int(c * len(COMPLETION_COLOURS)))]


# ---------------------------------------------------------------- charts
def province_map(points: list[MapPoint], title: str, *, empty_text: str = "No data",
                 tooltip: Callable[[MapPoint], str] | None = None) -> str:
    """Bubble map: one circle per point, sized by communities, coloured by completion."""
    pts = [p for p in points if math.isfinite(p.longitude) and math.isfinite(p.latitude)]
    if not pts:
        return _empty(title, empty_text, "map")
    width, height, legend_h = 800.0, 560.0, 36.0
    kx = max(0.1, math.cos(math.radians(sum(p.latitude for p in pts) / len(pts))))
    xs = [p.longitude * kx for p in pts]
    ys = [-p.latitude for p in pts]  # inverted: north is up
    x0, x1 = R_MAX + 40, width - R_MAX - 40  # room for labels either side
    y0, y1 = R_MAX + 8, height - legend_h - R_MAX - 20
    spans = [(x1 - x0) / (max(xs) - min(xs)) if max(xs) > min(xs) else math.inf,
             (y1 - y0) / (max(ys) - min(ys)) if max(ys) > min(ys) else math.inf]
    scale = min(spans) if min(spans) < math.inf else 1.0
    mx, my = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    max_c = max(_int(p.communities) for p in pts)

    def radius(c: int) -> float:
        c = _int(c)
        return R_ZERO if c == 0 else R_MIN + (R_MAX - R_MIN) * math.sqrt(c / max_c)

    def tip(p: MapPoint) -> str:
        if tooltip:
            return tooltip(p)
        pct = round(min(1.0, max(0.0, p.completion if math.isfinite(p.completion) else 0.0)) * 100)
        return f"{p.name}: {_int(p.communities):,} communities, {pct}% complete"

    placed = [(p, (x1 + x0) / 2 + (x - mx) * scale, (y1 + y0) / 2 + (y - my) * scale)
              for p, x, y in zip(pts, xs, ys)]
    placed.sort(key=lambda t: -_int(t[0].communities))  # big circles first, small ones on top
    circles, labels = [], []
    for i, (p, cx, cy) in enumerate(placed):
        r = radius(p.communities)
        if _int(p.communities) == 0:
            paint = f'fill="none" stroke="{MUTED}" stroke-width="1.5"'
        else:
            paint = (f'fill="{completion_colour(p.completion)}" fill-opacity="0.88" '
                     'stroke="#ffffff" stroke-width="1.5"')
        circle = (f'<circle cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(r)}" {paint} data-code={_a(p.code)}>'
                  f"<title>{_t(tip(p))}</title></circle>")
        circles.append(_link(p.link, circle))
        if i < MAX_MAP_LABELS:
            labels.append(f'<text x="{_f(cx)}" y="{_f(cy + r + 12)}" text-anchor="middle" font-size="11" '
                          'stroke="#ffffff" stroke-width="3" paint-order="stroke">'
                          f"{_t(_short(p.name, 10))}</text>")
    legend, ly = [], height - legend_h / 2
    for i, colour in enumerate(COMPLETION_COLOURS):
        lx = 16 + i * 92
        legend.append(f'<rect x="{lx}" y="{_f(ly - 7)}" width="14" height="14" rx="3" fill="{colour}"/>'
                      f'<text x="{lx + 20}" y="{_f(ly + 4)}" font-size="11" fill="{MUTED}">'
                      f"{i * 20}–{(i + 1) * 20}%</text>")
    body = f'<g class="points">{"".join(circles)}</g><g class="labels">{"".join(labels)}</g>' \
           f'<g class="legend">{"".join(legend)}</g>'
    return _svg(width, height, title, body, "map")


def stacked_bars(rows: list[BarRow], segments: list[Segment], title: str, *,
                 empty_text: str = "No data") -> str:
    """Horizontal stacked bars, one per row, segment order/colours from segments."""
    if not rows:
        return _empty(title, empty_text, "bars")
    width, label_w, total_w, row_h, gap, top = 640.0, 150.0, 56.0, 22.0, 12.0, 34.0
    bar_w = width - label_w - total_w - 10
    totals = [sum(_int(r.values.get(s.key, 0)) for s in segments) for r in rows]
    scale = bar_w / max(max(totals), 1)
    legend, lx, ly = [], label_w, 8.0
    for s in segments:
        step = 30 + 11 * min(len(s.label), 12)
        if lx + step > width and lx > label_w:  # wrap the legend instead of running off the chart
            lx, ly = label_w, ly + 18
        legend.append(f'<rect x="{_f(lx)}" y="{_f(ly)}" width="12" height="12" rx="2" fill={_a(_colour(s.colour))}/>'
                      f'<text x="{_f(lx + 17)}" y="{_f(ly + 10)}" font-size="11" fill="{MUTED}">'
                      f"{_t(_short(s.label, 12))}</text>")
        lx += step
    top += ly - 8
    bars = []
    for n, (row, total) in enumerate(zip(rows, totals)):
        y = top + n * (row_h + gap)
        parts = [f'<text x="{_f(label_w - 8)}" y="{_f(y + row_h / 2 + 4)}" text-anchor="end">'
                 f"<title>{_t(row.label)}</title>{_t(_short(row.label, 12))}</text>",
                 f'<rect x="{_f(label_w)}" y="{_f(y)}" width="{_f(bar_w)}" height="{_f(row_h)}" '
                 f'rx="3" fill="{TRACK}"/>']
        x = label_w
        for s in segments:
            v = _int(row.values.get(s.key, 0))
            if v:
                w = v * scale
                tip = _t(f"{row.label} · {s.label}: {v:,}")
                parts.append(f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(w)}" height="{_f(row_h)}" '
                             f"fill={_a(_colour(s.colour))}><title>{tip}</title></rect>")
                x += w
        parts.append(f'<text x="{_f(x + 6)}" y="{_f(y + row_h / 2 + 4)}" class="total" '
                     f'font-weight="bold">{total:,}</text>')
        bars.append(_link(row.link, f'<g class="bar">{"".join(parts)}</g>'))
    height = top + len(rows) * (row_h + gap)
    body = f'<g class="legend">{"".join(legend)}</g>{"".join(bars)}'
    return _svg(width, height, title, body, "bars")


def progress_bar(done: int, total: int, label: str) -> str:
    """A slim single progress bar with label and percentage text."""
    done, total = min(_int(done), _int(total)), _int(total)
    pct = percent(done, total)
    width, bar_w = 400.0, 400.0
    fill_w = bar_w * done / total if total else 0.0
    body = (f'<text x="0" y="13">{_t(_short(label, 40))}</text>'
            f'<text x="{_f(width)}" y="13" text-anchor="end" class="percent" font-weight="bold">{pct}%</text>'
            f'<rect x="0" y="20" width="{_f(bar_w)}" height="8" rx="4" fill="{TRACK}"/>'
            + (f'<rect x="0" y="20" width="{_f(fill_w)}" height="8" rx="4" class="done" '
               f'fill="{COMPLETION_COLOURS[-1] if done == total else DEFAULT_COLUMN}"/>'
               if fill_w > 0 else ""))
    return _svg(width, 30, f"{label}: {done:,} / {total:,} ({pct}%)", body, "progress")


def pie_shares(items: list[tuple[str, int, str]], title: str) -> str:
    """Donut chart of (label, value, colour) with a value/percentage legend."""
    values = [_int(v) for _, v, _ in items]
    total, shares = sum(values), _shares(values)
    cx, cy, r, stroke = 100.0, 100.0, 70.0, 28.0
    height = max(200.0, 20 + 22 * len(items))
    cy = height / 2
    circ = 2 * math.pi * r
    ring = [f'<circle cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(r)}" fill="none" '
            f'stroke="{EMPTY if total == 0 else TRACK}" stroke-width="{_f(stroke)}"/>']
    offset = 0.0
    for (label, _, colour), v, pct in zip(items, values, shares):
        if not v:
            continue
        seg = circ * v / total
        ring.append(f'<circle cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(r)}" fill="none" '
                    f'stroke={_a(_colour(colour))} stroke-width="{_f(stroke)}" '
                    f'stroke-dasharray="{seg:.2f} {circ - seg:.2f}" stroke-dashoffset="{-offset:.2f}" '
                    f'transform="rotate(-90 {_f(cx)} {_f(cy)})">'
                    f"<title>{_t(f'{label}: {v:,} ({pct}%)')}</title></circle>")
        offset += seg
    ring.append(f'<text x="{_f(cx)}" y="{_f(cy + 7)}" text-anchor="middle" font-size="20" font-weight="bold" '
                f'class="total">{total:,}</text>')
    legend, ly = [], cy - 22 * len(items) / 2 + 11
    for n, ((label, _, colour), v, pct) in enumerate(zip(items, values, shares)):
        y = ly + n * 22
        legend.append(f'<rect x="210" y="{_f(y - 6)}" width="12" height="12" rx="2" '
                      f"fill={_a(_colour(colour))}/>"
                      f'<text x="228" y="{_f(y + 4)}">{_t(_short(label, 12))} '
                      f'<tspan fill="{MUTED}">{v:,} ({pct}%)</tspan></text>')
    return _svg(420, height, title, "".join(ring) + f'<g class="legend">{"".join(legend)}</g>', "pie")


def column_chart(items: list[tuple[str, int]], title: str, colour: str = DEFAULT_COLUMN, *,
                 empty_text: str = "No data") -> str:
    """Vertical columns with value labels (e.g. age bands, education levels)."""
    if not items:
        return _empty(title, empty_text, "columns")
    width, height, top, bottom, side = 600.0, 260.0, 24.0, 34.0, 10.0
    values = [_int(v) for _, v in items]
    plot_h, slot = height - top - bottom, (width - 2 * side) / len(items)
    col_w, scale = slot * 0.62, plot_h / max(max(values), 1)
    fill, base = _a(_colour(colour, DEFAULT_COLUMN)), height - bottom
    limit = max(2, int(slot / 12))
    cols = [f'<line x1="{_f(side)}" y1="{_f(base)}" x2="{_f(width - side)}" y2="{_f(base)}" '
            f'stroke="{EMPTY}"/>']
    for n, ((label, _), v) in enumerate(zip(items, values)):
        cx = side + slot * (n + 0.5)
        h = v * scale
        cols.append(f'<rect x="{_f(cx - col_w / 2)}" y="{_f(base - h)}" width="{_f(col_w)}" height="{_f(h)}" '
                    f'rx="2" fill={fill}><title>{_t(f"{label}: {v:,}")}</title></rect>'
                    f'<text x="{_f(cx)}" y="{_f(base - h - 5)}" text-anchor="middle" '
                    f'class="value">{v:,}</text>'
                    f'<text x="{_f(cx)}" y="{_f(base + 16)}" text-anchor="middle" font-size="11" '
                    f'fill="{MUTED}">'
                    f"{_t(_short(label, limit))}</text>")
    return _svg(width, height, title, "".join(cols), "columns")
