"""Inline SVG charts for the HTML report, drawn in Python so the page needs no JavaScript or network.

Every piece of text goes through `html.escape` here, whatever its origin: competition ids, run
ids and labels may come from untrusted run records.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from podium.runtime.reports._format import number

FONT = "font-family:system-ui,-apple-system,'Segoe UI',sans-serif"
AXIS = "#475569"
GRID = "#e2e8f0"
BARS = "#cbd5e1"

Scale = Callable[[float], float]  # a data value to a pixel position


@dataclass(frozen=True)
class Line:
    """A vertical mark on a histogram: a medal threshold or an agent's score."""

    value: float
    colour: str
    label: str
    dashed: bool = False
    agent: bool = False


@dataclass(frozen=True)
class Series:
    label: str
    colour: str


@dataclass(frozen=True)
class Bar:
    value: float
    low: float | None = None  # the interval's ends, drawn as a whisker when present
    high: float | None = None


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _attrs(attributes: Mapping[str, object]) -> str:
    return " ".join(f'{name.replace("_", "-")}="{esc(value)}"' for name, value in attributes.items())


def element(tag: str, content: str = "", **attributes: object) -> str:
    """An SVG element; `content` must already be markup (use `text` for words)."""
    return f"<{tag} {_attrs(attributes)}>{content}</{tag}>"


def text(x: float, y: float, words: object, **attributes: object) -> str:
    return element("text", esc(words), x=_r(x), y=_r(y), **attributes)


def title(words: object) -> str:
    """A tooltip: browsers show an element's <title> child on hover."""
    return f"<title>{esc(words)}</title>"


def svg(width: float, height: float, body: Sequence[str], label: str) -> str:
    view = f"0 0 {_r(width)} {_r(height)}"
    attributes = {"viewBox": view, "width": _r(width), "height": _r(height), "role": "img", "aria_label": label}
    return f'<svg {_attrs(attributes)} style="{FONT}">' + "".join(body) + "</svg>"


def _r(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2 or 5 times 10^k apart, about `count` of them) within [low, high]."""
    span = high - low
    if span <= 0 or not math.isfinite(span):
        return [low]
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = min((m * magnitude for m in (1, 2, 5, 10)), key=lambda size: abs(span / size - count))
    first = math.ceil(low / step) * step
    return [round(first + i * step, 12) for i in range(int((high - first) / step + 1e-9) + 1)]


def plot_range(scores: Sequence[float], marks: Sequence[float]) -> tuple[float, float]:
    """The x range: the teams within Tukey's far fences (quartiles ± 3 IQR), plus the marks, padded.

    Leaderboards have long tails (empty or broken submissions scoring 0, errors of 10^7) that
    would squash the teams that matter into one bar; those outside the fences are counted instead.
    """
    values = np.asarray(scores, dtype=float)
    q1, q3 = (float(q) for q in np.quantile(values, [0.25, 0.75]))
    low, high = float(values.min()), float(values.max())
    if q3 > q1:
        low, high = max(low, q1 - 3 * (q3 - q1)), min(high, q3 + 3 * (q3 - q1))
    low, high = min(low, *marks), max(high, *marks)
    pad = (high - low) * 0.04 or max(abs(low) * 0.05, 0.5)
    return low - pad, high + pad


def histogram(
    scores: Sequence[float],
    lines: Sequence[Line],
    zones: Sequence[tuple[float, float, str]],
    lower_is_better: bool | None,
    width: float = 1040,
    height: float = 260,
) -> str:
    """Histogram of a leaderboard's scores with medal zones shaded and vertical marks.

    Teams outside the plotted range (see `plot_range`) are counted in a note at that edge; agent
    marks outside it are drawn at the edge as hollow circles and say so in their tooltip.
    """
    thresholds = [line.value for line in lines if not line.agent]
    low, high = plot_range(scores, thresholds)
    left, right, top, bottom = 52.0, 16.0, 26.0, 40.0
    inner_w, inner_h = width - left - right, height - top - bottom

    def x_of(value: float) -> float:
        return left + (min(max(value, low), high) - low) / (high - low) * inner_w

    bins = int(min(48, max(12, math.sqrt(len(scores)) * 1.5)))
    values = np.asarray(scores, dtype=float)
    counts, edges = np.histogram(values, bins=bins, range=(low, high))
    peak = max(int(counts.max()), 1)
    y_ticks = [t for t in nice_ticks(0, peak, 4) if t <= peak]
    top_count = max(y_ticks[-1], peak)

    def y_of(count: float) -> float:
        return top + inner_h - count / top_count * inner_h

    body = [element("rect", x=left, y=top, width=_r(inner_w), height=_r(inner_h), fill="#ffffff")]
    for start, end, colour in zones:
        x0, x1 = sorted((x_of(start), x_of(end)))
        body.append(element("rect", x=_r(x0), y=top, width=_r(max(x1 - x0, 0.5)), height=_r(inner_h), fill=colour,
                            fill_opacity="0.16"))  # fmt: skip
    for tick in y_ticks:
        body.append(element("line", x1=left, x2=_r(left + inner_w), y1=_r(y_of(tick)), y2=_r(y_of(tick)), stroke=GRID))
        body.append(text(left - 6, y_of(tick) + 4, f"{tick:g}", font_size=11, fill=AXIS, text_anchor="end"))
    for count, start, end in zip(counts, edges[:-1], edges[1:], strict=True):
        if count:
            x0, x1 = x_of(start), x_of(end)
            tip = title(f"{count} teams with scores {number(float(start))} to {number(float(end))}")
            body.append(element("rect", tip, x=_r(x0 + 0.5), y=_r(y_of(count)), width=_r(max(x1 - x0 - 1, 0.5)),
                                height=_r(y_of(0) - y_of(count)), fill=BARS))  # fmt: skip
    body += _outside_notes(int((values < low).sum()), int((values > high).sum()), left, inner_w, top)
    body += _vertical_lines(lines, x_of, top, inner_h, low, high)
    body += _x_axis(low, high, x_of, top + inner_h, left, inner_w)
    body.append(text(14, top + inner_h / 2, "teams", font_size=11, fill=AXIS, text_anchor="middle",
                     transform=f"rotate(-90 14 {_r(top + inner_h / 2)})"))  # fmt: skip
    if lower_is_better is not None:
        hint = "← better (lower)" if lower_is_better else "better (higher) →"
        anchor_x, anchor = (left, "start") if lower_is_better else (left + inner_w, "end")
        body.append(text(anchor_x, top - 9, hint, font_size=11, fill=AXIS, text_anchor=anchor))
    return svg(width, height, body, "leaderboard score distribution")


def _outside_notes(below: int, above: int, left: float, inner_w: float, top: float) -> list[str]:
    notes = []
    if below:
        notes.append(text(left + 12, top + 26, f"◂ {below} teams below", font_size=11, fill=AXIS))
    if above:
        notes.append(text(left + inner_w - 12, top + 26, f"{above} teams above ▸", font_size=11, fill=AXIS,
                          text_anchor="end"))  # fmt: skip
    return notes


def _vertical_lines(
    lines: Sequence[Line], x_of: Scale, top: float, inner_h: float, low: float, high: float
) -> list[str]:
    body = []
    for line in sorted(lines, key=lambda item: item.agent):  # agents on top of thresholds
        x = x_of(line.value)
        off_scale = not low <= line.value <= high
        tip = title(f"{line.label}{' (off the plotted range)' if off_scale else ''}")
        style = {"stroke_dasharray": "5 3"} if line.dashed else {}
        width = 2.5 if line.agent else 2
        body.append(element("line", tip, x1=_r(x), x2=_r(x), y1=_r(top), y2=_r(top + inner_h), stroke=line.colour,
                            stroke_width=width, **style))  # fmt: skip
        if line.agent:
            fill = "#ffffff" if off_scale else line.colour
            body.append(element("circle", tip, cx=_r(x), cy=_r(top + 4), r=5, fill=fill, stroke=line.colour,
                                stroke_width=2))  # fmt: skip
    return body


def _x_axis(low: float, high: float, x_of: Scale, baseline: float, left: float, inner_w: float) -> list[str]:
    body = [element("line", x1=left, x2=_r(left + inner_w), y1=_r(baseline), y2=_r(baseline), stroke=AXIS)]
    for tick in nice_ticks(low, high, 6):
        x = x_of(tick)
        body.append(element("line", x1=_r(x), x2=_r(x), y1=_r(baseline), y2=_r(baseline + 4), stroke=AXIS))
        body.append(text(x, baseline + 17, number(tick), font_size=11, fill=AXIS, text_anchor="middle"))
    body.append(text(left + inner_w / 2, baseline + 34, "score", font_size=11, fill=AXIS, text_anchor="middle"))
    return body


def bar_chart(groups: Sequence[str], series: Sequence[Series], values: Sequence[Sequence[Bar]], label: str) -> str:
    """Grouped vertical bars on a 0-100% axis, with 95% interval whiskers where present."""
    bar_w, gap, left, top, bottom = 20.0, 28.0, 44.0, 16.0, 34.0
    group_w = bar_w * len(series) + gap
    width, height = max(320.0, left + group_w * len(groups) + 12), 230.0
    inner_h = height - top - bottom

    def y_of(percent: float) -> float:
        return top + inner_h * (1 - percent / 100)

    body = []
    for tick in (0, 25, 50, 75, 100):
        body.append(element("line", x1=left, x2=_r(width - 8), y1=_r(y_of(tick)), y2=_r(y_of(tick)), stroke=GRID))
        body.append(text(left - 6, y_of(tick) + 4, f"{tick}%", font_size=10, fill=AXIS, text_anchor="end"))
    for index, (group, bars) in enumerate(zip(groups, values, strict=True)):
        x0 = left + gap / 2 + index * group_w
        for position, (kind, bar) in enumerate(zip(series, bars, strict=True)):
            body += _bar(x0 + position * bar_w, bar_w - 3, bar, kind, group, y_of)
        body.append(text(x0 + (group_w - gap) / 2, height - 12, group, font_size=12, fill="#0f172a",
                         text_anchor="middle"))  # fmt: skip
    return svg(width, height, body, label)


def _bar(x: float, width: float, bar: Bar, kind: Series, group: str, y_of: Scale) -> list[str]:
    interval = "" if bar.low is None or bar.high is None else f", 95% CI {bar.low:.1f} to {bar.high:.1f}"
    tip = title(f"{group}: {kind.label} {bar.value:.1f}%{interval}")
    top = y_of(bar.value)
    parts = [element("rect", tip, x=_r(x), y=_r(top), width=_r(width), height=_r(max(y_of(0) - top, 0.8)),
                     fill=kind.colour)]  # fmt: skip
    if bar.low is not None and bar.high is not None:
        middle = x + width / 2
        parts.append(element("line", x1=_r(middle), x2=_r(middle), y1=_r(y_of(bar.low)), y2=_r(y_of(bar.high)),
                             stroke="#0f172a", stroke_width=1.2))  # fmt: skip
    label_y = min(top, y_of(bar.high) if bar.high is not None else top) - 3
    parts.append(text(x + width / 2, label_y, f"{bar.value:.0f}", font_size=9, fill=AXIS, text_anchor="middle"))
    return parts


def horizontal_bars(labels: Sequence[str], values: Sequence[float], unit: str, colour: str = "#6366f1") -> str:
    """One labelled horizontal bar per row (tokens per run)."""
    row_h, label_w, value_w, width = 20.0, 300.0, 90.0, 720.0
    height = row_h * len(labels) + 10
    peak = max(max(values, default=0.0), 1e-12)
    body = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 5 + index * row_h
        length = (width - label_w - value_w) * value / peak
        body.append(text(label_w - 8, y + 14, label, font_size=11, fill="#0f172a", text_anchor="end"))
        body.append(element("rect", title(f"{label}: {value:,.0f} {unit}"), x=label_w, y=_r(y + 3),
                            width=_r(max(length, 0.8)), height=_r(row_h - 6), fill=colour))  # fmt: skip
        body.append(text(label_w + length + 6, y + 14, f"{value:,.0f}", font_size=11, fill=AXIS))
    return svg(width, height, body, f"{unit} per run")
