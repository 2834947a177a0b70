"""Server-side SVG charts with Japanese labels for feedback reports (HTML page and PDF).

Each function returns a ``Chart``: one ``<svg>`` string plus the same numbers as a table
and a sentence describing them, for the accessible table beside the drawing. Rules kept:

- No ``style`` attribute and no ``<style>`` element: the site's Content-Security-Policy
  forbids inline styles, so everything is a presentation attribute (fill, stroke, ...).
- ``font-family`` is set once on the root ``<svg>``; it is inherited, and it names the
  Japanese font WeasyPrint embeds in the PDF.
- Every text and attribute value goes through ``_esc``: labels come from editable data.
- Coordinates are rounded to two decimals: the output is small and deterministic.
- Series and markers differ by shape or dash pattern, not only colour, for B/W print.
- No visible heading is drawn: the page shows ``Chart.title`` as the figure caption; the
  SVG carries it as ``<title>``.
- Plain data in and out; the only Django import is gettext, for the descriptions and
  table headers (Japanese first, English through the project's translations).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from html import escape

from django.utils.translation import gettext as _

SVG_NS = "http://www.w3.org/2000/svg"
FONT_FAMILY = (
    "KyosoGothic, 'IPAexGothic', 'Noto Sans CJK JP', 'Hiragino Sans', 'Yu Gothic', "
    "Meiryo, sans-serif"
)
PRIMARY = "#0017c1"
TEXT = "#1a1a1a"
MUTED = "#666666"
GRID = "#cccccc"
OCHRE = "#927200"
TRACK = "#eeeeee"  # the full length of a bar (its maximum), behind the bar
REFERENCE_LINE = {"stroke": "#333333", "stroke_width": 2}
PAD = 16  # outer margin on every side
FONT_SIZE = 12  # default text size, set on the root element
LEGEND_ROW = 20
SWATCH = 22  # legend sample width

_CHART_ID = re.compile(r"[a-z][a-z0-9-]*")
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")

Row = list[str | int | float | None]
Attrs = dict[str, str | float]


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    svg: str
    headers: list[str]
    rows: list[Row]  # the data table's rows: the numbers the chart draws


# --- small helpers ------------------------------------------------------------------------


def _esc(value: object) -> str:
    """Escape for XML text and attribute values (&, <, >, both quotes)."""
    return escape(str(value), quote=True)


def _num(value: float) -> str:
    """Compact number with at most two decimals and no trailing zeros: 12.5, 3, 0."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _el(tag: str, content: str | None = None, **attrs: str | float) -> str:
    """One SVG element. ``content`` is markup that is already escaped; attribute values
    are escaped here. Keyword names map to SVG names: ``class_`` -> class,
    ``stroke_width`` -> stroke-width."""
    parts = [tag]
    for key, value in attrs.items():
        name = key.rstrip("_").replace("_", "-")
        text = _num(value) if isinstance(value, int | float) else _esc(value)
        parts.append(f'{name}="{text}"')
    opening = " ".join(parts)
    return f"<{opening}/>" if content is None else f"<{opening}>{content}</{tag}>"


def _text(x: float, y: float, label: object, **attrs: str | float) -> str:
    return _el("text", _esc(label), x=x, y=y, **attrs)


def _rect(x: float, y: float, width: float, height: float, **attrs: str | float) -> str:
    return _el("rect", x=x, y=y, width=width, height=height, **attrs)


def _line(x1: float, y1: float, x2: float, y2: float, **attrs: str | float) -> str:
    return _el("line", x1=x1, y1=y1, x2=x2, y2=y2, **attrs)


def _points(pairs: list[tuple[float, float]]) -> str:
    return " ".join(f"{_num(x)},{_num(y)}" for x, y in pairs)


def _text_width(text: str, size: float = FONT_SIZE) -> float:
    """Rough rendered width: full-width (CJK) characters are one em, others about 0.6 em.
    There are no font metrics server-side; this only reserves room for labels."""
    wide = {"W", "F", "A"}
    return sum(size if unicodedata.east_asian_width(ch) in wide else 0.6 * size for ch in text)


def _baseline(y: float, size: float = FONT_SIZE) -> float:
    """Baseline that centres text vertically on ``y``. Computed instead of using
    dominant-baseline, which not every renderer (WeasyPrint) honours."""
    return y + 0.35 * size


def _pct(rate: float) -> str:
    return f"{rate:.1f}%"


def _join_names(names: list[str]) -> str:
    """「AとB」; many ties are shortened so a description stays one sentence."""
    if len(names) > 3:
        return _("%(first)sなど %(count)s 項目") % {"first": names[0], "count": len(names)}
    return _("と").join(names)


def _check_id(chart_id: str) -> None:
    # The id ends up in element ids and aria-labelledby; a strict pattern keeps it safe.
    if not _CHART_ID.fullmatch(chart_id):
        raise ValueError(f"chart_id must match ^[a-z][a-z0-9-]*$, got {chart_id!r}")


def _legend(
    entries: list[tuple[str, str, Attrs]], x: float, y: float, width: float
) -> tuple[str, float]:
    """Legend below a plot, items left to right, wrapping at ``width``.

    An entry is (label, shape, presentation attributes); shape is "box" (filled sample),
    "line" (horizontal line sample) or "tick" (vertical marker). Returns markup and height.
    """
    items = []
    left, top = x, y
    for label, shape, attrs in entries:
        item_width = SWATCH + 6 + _text_width(label) + 16
        if left > x and left + item_width > x + width:
            left, top = x, top + LEGEND_ROW
        mid = top + LEGEND_ROW / 2
        if shape == "box":
            sample = _rect(left, mid - 6, SWATCH, 12, **attrs)
        elif shape == "tick":
            centre = left + SWATCH / 2
            sample = _line(centre, mid - 7, centre, mid + 7, **attrs)
        else:
            sample = _line(left, mid, left + SWATCH, mid, **attrs)
        items.append(sample + _text(left + SWATCH + 6, _baseline(mid), label))
        left += item_width
    height = top + LEGEND_ROW - y if entries else 0
    return _el("g", "".join(items), class_="legend"), height


def _svg(chart_id: str, title: str, description: str, size: tuple[float, float], body: str) -> str:
    """The root element, with <title> and <desc> first so assistive technology reads them."""
    width, height = math.ceil(size[0]), math.ceil(size[1])
    # FONT_FAMILY is a constant without double quotes, so it can go in as it is.
    opening = (
        f'<svg xmlns="{SVG_NS}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" class="chart" '
        f'font-family="{FONT_FAMILY}" font-size="{FONT_SIZE}">'
    )
    head = _el("title", _esc(title), id=f"{chart_id}-title")
    head += _el("desc", _esc(description), id=f"{chart_id}-desc")
    return f"{opening}{head}{body}</svg>"


# --- radar --------------------------------------------------------------------------------

RADAR_RADIUS = 140
RADAR_LABEL_GAP = 12  # between the outer ring and the axis labels
RADAR_RINGS = (0.25, 0.5, 0.75, 1.0)
RADAR_STYLES: dict[str, Attrs] = {
    "own": {"stroke": PRIMARY, "stroke_width": 2.5, "fill": PRIMARY, "fill_opacity": 0.15},
    # Dashed and dotted so the three series stay apart in black-and-white print.
    "mean": {"stroke": MUTED, "stroke_width": 2, "stroke_dasharray": "6 4", "fill": "none"},
    "previous": {"stroke": OCHRE, "stroke_width": 2, "stroke_dasharray": "2 3", "fill": "none"},
}
RADAR_DRAW_ORDER = ("previous", "mean", "own")  # the municipality's own polygon on top


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]  # rates 0.0-1.0, one per axis; None = no data
    kind: str  # "own", "mean" or "previous"

    def __post_init__(self) -> None:
        if self.kind not in RADAR_STYLES:
            raise ValueError(f"unknown series kind {self.kind!r}; use {sorted(RADAR_STYLES)}")


def radar_chart(chart_id: str, title: str, axes: list[str], series: list[Series]) -> Chart:
    """Radar (spider) chart of rates per axis, one polygon per series."""
    _check_id(chart_id)
    if len(axes) < 3:
        raise ValueError("a radar chart needs at least 3 axes")
    for s in series:
        if len(s.values) != len(axes):
            raise ValueError(f"series {s.name!r} has {len(s.values)} values for {len(axes)} axes")
    # The table, the drawing and the description all use these clamped rates.
    rates = [[None if v is None else min(max(v, 0.0), 1.0) for v in s.values] for s in series]
    percents = [[None if r is None else round(r * 100, 1) for r in row] for row in rates]

    n = len(axes)
    side = RADAR_RADIUS + RADAR_LABEL_GAP + max(_text_width(a) for a in axes) + PAD
    width = 2 * side
    cx, cy = side, PAD + FONT_SIZE + RADAR_LABEL_GAP + RADAR_RADIUS

    def point(axis: int, rate: float, extra: float = 0) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * axis / n  # first axis at the top, clockwise
        distance = RADAR_RADIUS * rate + extra
        return cx + distance * math.cos(angle), cy + distance * math.sin(angle)

    grid = []
    for ring in RADAR_RINGS:
        outline = _points([point(i, ring) for i in range(n)])
        colour = "#999999" if ring == 1 else GRID
        grid.append(_el("polygon", class_="ring", points=outline, fill="none", stroke=colour))
    for i in range(n):
        x, y = point(i, 1)
        grid.append(_el("line", class_="spoke", x1=cx, y1=cy, x2=x, y2=y, stroke=GRID))
    # Percentage labels sit just above each ring's top vertex, right of the top spoke: the
    # ring edges fall away to the right there, so no grid line crosses the text.
    for ring in RADAR_RINGS:
        ring_y = cy - RADAR_RADIUS * ring - 2
        grid.append(_text(cx + 4, ring_y, f"{ring * 100:.0f}%", font_size=9, fill=MUTED))
    lowest = max(point(i, 1)[1] for i in range(n))  # the drawing's bottom: the legend goes below
    for i, axis in enumerate(axes):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        x, y = point(i, 1, RADAR_LABEL_GAP)
        # Labels grow away from the chart: rightwards on the right, leftwards on the left.
        cos, sin = math.cos(angle), math.sin(angle)
        anchor = "start" if cos > 0.2 else "end" if cos < -0.2 else "middle"
        baseline = y + FONT_SIZE * (0.35 + 0.7 * sin)  # above the top, below the bottom
        lowest = max(lowest, baseline + 0.3 * FONT_SIZE)  # plus the descent
        grid.append(_text(x, baseline, axis, class_="axis-label", text_anchor=anchor))
    # Centre and radius are exposed as data attributes so tests can check the geometry.
    geometry = {"data_cx": cx, "data_cy": cy, "data_radius": RADAR_RADIUS}
    parts = [_el("g", "".join(grid), class_="radar-grid", **geometry)]

    order = sorted(range(len(series)), key=lambda k: RADAR_DRAW_ORDER.index(series[k].kind))
    for k in order:
        s, style = series[k], RADAR_STYLES[series[k].kind]
        known = [(i, r) for i, r in enumerate(rates[k]) if r is not None]
        if len(known) >= 3:  # fewer points make no area: markers only
            outline = _points([point(i, r) for i, r in known])
            css = f"series series--{s.kind}"
            parts.append(_el("polygon", class_=css, data_series=s.name, points=outline, **style))
        marker = f"point point--{s.kind}"
        for i, r in known:
            x, y = point(i, r)
            parts.append(_el("circle", class_=marker, cx=x, cy=y, r=3, fill=style["stroke"]))

    entries = [(s.name, "box" if s.kind == "own" else "line", RADAR_STYLES[s.kind]) for s in series]
    legend_y = lowest + 12
    legend, legend_height = _legend(entries, PAD, legend_y, width - 2 * PAD)
    parts.append(legend)

    description = _radar_description(axes, series, percents)
    rows: list[Row] = [[axis, *(p[i] for p in percents)] for i, axis in enumerate(axes)]
    size = (width, legend_y + legend_height + PAD)
    svg = _svg(chart_id, title, description, size, "".join(parts))
    return Chart(chart_id, title, description, svg, [_("領域"), *[s.name for s in series]], rows)


def _radar_description(
    axes: list[str], series: list[Series], percents: list[list[float | None]]
) -> str:
    own = next((k for k, s in enumerate(series) if s.kind == "own"), None)
    if own is None:
        names = _("、").join(s.name for s in series) or _("データなし")
        return _("%(count)s 領域の得点率を示します（%(names)s）。") % {
            "count": len(axes),
            "names": names,
        }
    name = series[own].name
    known = [(axes[i], p) for i, p in enumerate(percents[own]) if p is not None]
    if not known:
        text = _("%(name)sの得点率のデータはありません。") % {"name": name}
    else:
        high, low = max(p for _, p in known), min(p for _, p in known)
        if high == low:
            if len(known) == len(axes):
                text = _("%(name)sの得点率はすべての領域で%(rate)sです。")
            else:
                text = _("%(name)sの得点率はデータのある領域はすべてで%(rate)sです。")
            text = text % {"name": name, "rate": _pct(high)}
        else:
            highest = _join_names([a for a, p in known if p == high])
            lowest = _join_names([a for a, p in known if p == low])
            text = _(
                "%(name)sの得点率が最も高い領域は%(highest)s（%(high)s）、"
                "最も低い領域は%(lowest)s（%(low)s）です。"
            ) % {
                "name": name,
                "highest": highest,
                "high": _pct(high),
                "lowest": lowest,
                "low": _pct(low),
            }
    mean = next((k for k, s in enumerate(series) if s.kind == "mean"), None)
    if mean is not None:
        pairs = zip(percents[own], percents[mean], strict=True)
        compared = [(o, m) for o, m in pairs if o is not None and m is not None]
        if compared:
            above = sum(o > m for o, m in compared)
            text += _("%(mean)sを上回る領域は %(above)s / %(count)s です。") % {
                "mean": series[mean].name,
                "above": above,
                "count": len(compared),
            }
    return text


# --- horizontal bars ----------------------------------------------------------------------

BAR_PLOT_WIDTH = 360
BAR_ROW = 22  # the chart grows by this much per bar
BAR_HEIGHT = 14
BAR_VALUE_ROOM = 48  # right of the plot, for the number printed after a full bar
LABEL_LIMIT = 14  # longer labels are cut with "…" in the drawing (the table keeps them)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    maximum: float
    reference: float | None = None  # e.g. the mean of all municipalities for this item


def _fraction(value: float, maximum: float) -> float:
    """value / maximum clamped to [0, 1]; a maximum of 0 draws nothing instead of failing."""
    return 0.0 if maximum <= 0 else min(max(value / maximum, 0.0), 1.0)


def _truncate(label: str) -> str:
    return label if len(label) <= LABEL_LIMIT else label[: LABEL_LIMIT - 1] + "…"


def bar_chart(
    chart_id: str, title: str, bars: list[Bar], value_label: str, reference_label: str | None = None
) -> Chart:
    """Horizontal bars, each scaled to its own maximum (a light track shows the maximum)."""
    _check_id(chart_id)
    if not bars:
        raise ValueError("a bar chart needs at least one bar")
    has_reference = any(b.reference is not None for b in bars)
    reference_name = reference_label or _("基準値")
    shown = [_truncate(b.label) for b in bars]
    x0 = PAD + max(_text_width(label) for label in shown) + 8
    width = x0 + BAR_PLOT_WIDTH + BAR_VALUE_ROOM + PAD

    parts = []
    for i, (bar, label) in enumerate(zip(bars, shown, strict=True)):
        mid = PAD + i * BAR_ROW + BAR_ROW / 2
        top = mid - BAR_HEIGHT / 2
        length = BAR_PLOT_WIDTH * _fraction(bar.value, bar.maximum)
        parts.append(_text(x0 - 8, _baseline(mid), label, class_="bar-label", text_anchor="end"))
        parts.append(_rect(x0, top, BAR_PLOT_WIDTH, BAR_HEIGHT, class_="track", fill=TRACK))
        parts.append(_rect(x0, top, length, BAR_HEIGHT, class_="bar", fill=PRIMARY))
        value = _num(round(bar.value, 2))
        value_x = x0 + length + 4
        if bar.reference is not None:
            x = x0 + BAR_PLOT_WIDTH * _fraction(bar.reference, bar.maximum)
            y1, y2 = top - 3, top + BAR_HEIGHT + 3  # a little taller than the bar
            parts.append(_line(x, y1, x, y2, class_="reference", **REFERENCE_LINE))
            if value_x - 8 <= x <= value_x + _text_width(value, 11) + 2:
                value_x = x + 5  # the marker would cross the number: print it after the marker
        parts.append(_text(value_x, _baseline(mid, 11), value, class_="value", font_size=11))

    entries: list[tuple[str, str, Attrs]] = [(value_label, "box", {"fill": PRIMARY})]
    if has_reference:
        entries.append((reference_name, "tick", REFERENCE_LINE))
    legend_y = PAD + len(bars) * BAR_ROW + 6
    legend, legend_height = _legend(entries, PAD, legend_y, width - 2 * PAD)
    parts.append(legend)

    headers = [_("項目"), value_label] + ([reference_name] if has_reference else [])
    rows: list[Row] = []
    for bar in bars:
        row: list[str | int | float | None] = [bar.label, round(bar.value, 2)]
        if has_reference:
            row.append(None if bar.reference is None else round(bar.reference, 2))
        rows.append(row)
    description = _bar_description(bars, reference_name)
    size = (width, legend_y + legend_height + PAD)
    svg = _svg(chart_id, title, description, size, "".join(parts))
    return Chart(chart_id, title, description, svg, headers, rows)


def _bar_description(bars: list[Bar], reference_name: str) -> str:
    text = _("%(count)s 項目の得点を示します。") % {"count": len(bars)}
    # Rank by the drawn length (value / maximum); show raw values when all maxima agree.
    ratios = [round(_fraction(b.value, b.maximum), 4) for b in bars]
    same_maximum = len({b.maximum for b in bars}) == 1

    def amount(k: int) -> str:
        if same_maximum:
            return _num(round(bars[k].value, 2))
        return _("満点の%(rate)s") % {"rate": _pct(ratios[k] * 100)}

    high, low = max(ratios), min(ratios)
    first_high, first_low = ratios.index(high), ratios.index(low)
    if len(bars) == 1:
        text += _("%(label)sは %(amount)s です。") % {"label": bars[0].label, "amount": amount(0)}
    elif high == low:
        text += _("すべての項目が同じ値（%(amount)s）です。") % {"amount": amount(0)}
    else:
        highest = _join_names([b.label for b, r in zip(bars, ratios, strict=True) if r == high])
        lowest = _join_names([b.label for b, r in zip(bars, ratios, strict=True) if r == low])
        text += _(
            "最も高いのは %(highest)s（%(high)s）、最も低いのは %(lowest)s（%(low)s）です。"
        ) % {
            "highest": highest,
            "high": amount(first_high),
            "lowest": lowest,
            "low": amount(first_low),
        }
    compared = [b for b in bars if b.reference is not None]
    if compared:
        above = sum(round(b.value, 2) > round(b.reference or 0, 2) for b in compared)
        text += _("%(reference)sを上回る項目は %(above)s / %(count)s です。") % {
            "reference": reference_name,
            "above": above,
            "count": len(compared),
        }
    return text


# --- stacked columns ----------------------------------------------------------------------

STACK_PLOT_HEIGHT = 220
STACK_MIN_LABEL = 14  # a segment shorter than this gets no count written inside
STACK_MIN_WIDTH = 360
SEGMENT_EDGE: Attrs = {"stroke": "#ffffff", "stroke_width": 1}


@dataclass(frozen=True)
class Segment:
    name: str
    values: list[int]  # one count per category
    color: str  # "#rrggbb" or "#rgb"

    def __post_init__(self) -> None:
        if not _HEX_COLOUR.fullmatch(self.color):
            raise ValueError(f"segment colour must be #rgb or #rrggbb, got {self.color!r}")


def _nice_step(maximum: int, intervals: int = 5) -> int:
    """Smallest step of 1, 2 or 5 x 10^k that needs at most ``intervals`` gridline gaps."""
    if maximum <= intervals:
        return 1
    raw = maximum / intervals
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5):
        if factor * magnitude >= raw:
            return int(factor * magnitude)
    return int(10 * magnitude)


def _label_colour(background: str) -> str:
    """White or dark text, whichever contrasts more with the segment (WCAG luminance)."""
    digits = background[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    channels = [int(digits[k : k + 2], 16) / 255 for k in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#ffffff" if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 else TEXT


def stacked_column_chart(
    chart_id: str, title: str, categories: list[str], segments: list[Segment]
) -> Chart:
    """Vertical stacked columns of counts; the first segment sits at the bottom."""
    _check_id(chart_id)
    if not categories:
        raise ValueError("a stacked column chart needs at least one category")
    for seg in segments:
        if len(seg.values) != len(categories) or any(v < 0 for v in seg.values):
            raise ValueError(f"segment {seg.name!r} needs one count >= 0 per category")
    totals = [sum(seg.values[i] for seg in segments) for i in range(len(categories))]
    step = _nice_step(max(totals))
    axis_max = max(step, math.ceil(max(totals) / step) * step)  # never 0: no division by zero
    scale = STACK_PLOT_HEIGHT / axis_max

    slot = max(72, max(_text_width(c) for c in categories) + 16)
    column = min(48, slot * 0.6)
    x0 = PAD + _text_width(str(axis_max), 11) + 8
    plot_width = slot * len(categories)
    width = max(x0 + plot_width + PAD, STACK_MIN_WIDTH)
    top = PAD + 16  # room for the total above the tallest column
    bottom = top + STACK_PLOT_HEIGHT

    parts = []
    for value in range(0, axis_max + 1, step):
        y = bottom - value * scale
        colour = MUTED if value == 0 else "#dddddd"
        parts.append(_line(x0, y, x0 + plot_width, y, class_="gridline", stroke=colour))
        tick = {"text_anchor": "end", "font_size": 11, "fill": MUTED}
        parts.append(_text(x0 - 6, _baseline(y, 11), value, class_="tick", **tick))
    for i, category in enumerate(categories):
        centre = x0 + slot * (i + 0.5)
        y = bottom
        for seg in segments:
            count = seg.values[i]
            height = count * scale
            if height <= 0:
                continue
            y -= height
            # A thin white edge separates neighbouring segments, also in B/W print.
            attrs = {
                "class_": "segment",
                "data_category": i,
                "data_value": count,
                "fill": seg.color,
            }
            parts.append(_rect(centre - column / 2, y, column, height, **attrs, **SEGMENT_EDGE))
            if height >= STACK_MIN_LABEL:
                attrs = {"class_": "count", "text_anchor": "middle", "font_size": 11}
                label_y = _baseline(y + height / 2, 11)
                parts.append(_text(centre, label_y, count, fill=_label_colour(seg.color), **attrs))
        total_attrs = {"class_": "total", "data_category": i, "font_weight": "bold"}
        parts.append(_text(centre, y - 5, totals[i], text_anchor="middle", **total_attrs))
        parts.append(_text(centre, bottom + 18, category, class_="category", text_anchor="middle"))

    entries = [(seg.name, "box", {"fill": seg.color}) for seg in segments]
    legend_y = bottom + 30
    legend, legend_height = _legend(entries, PAD, legend_y, width - 2 * PAD)
    parts.append(legend)

    rows: list[Row] = [[seg.name, *seg.values] for seg in segments]
    rows.append([_("合計"), *totals])
    description = _("年度ごとの区分別の団体数です。")
    if segments:
        counts = _("、").join(
            _("%(name)s %(count)s 団体") % {"name": seg.name, "count": seg.values[-1]}
            for seg in segments
        )
        description += _("%(category)sは%(counts)s、合計 %(total)s 団体です。") % {
            "category": categories[-1],
            "counts": counts,
            "total": totals[-1],
        }
    size = (width, legend_y + legend_height + PAD)
    svg = _svg(chart_id, title, description, size, "".join(parts))
    return Chart(chart_id, title, description, svg, [_("区分"), *categories], rows)
