"""The SVG charts: well-formed, accessible, CSP-safe, geometrically right, described honestly."""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest

from kyoso.reports.charts import (
    FONT_FAMILY,
    Bar,
    Chart,
    Segment,
    Series,
    bar_chart,
    radar_chart,
    stacked_column_chart,
)

NS = "{http://www.w3.org/2000/svg}"
AXES = ["方針・計画", "体制", "人材", "行政手続・業務", "地域社会", "県独自指標"]
YEARS = ["令和4年度", "令和5年度", "令和6年度"]


def parse(chart: Chart) -> ET.Element:
    # Our own output under test, not untrusted input; the stdlib parser is the point.
    return ET.fromstring(chart.svg)  # noqa: S314


def elements(root: ET.Element, tag: str, css_class: str | None = None) -> list[ET.Element]:
    found = root.iter(f"{NS}{tag}")
    return [e for e in found if css_class is None or css_class in e.get("class", "").split()]


def points(polygon: ET.Element) -> list[tuple[float, float]]:
    pairs = (p.split(",") for p in polygon.get("points", "").split())
    return [(float(x), float(y)) for x, y in pairs]


def radar(series: list[Series], axes: list[str] = AXES, chart_id: str = "radar") -> Chart:
    return radar_chart(chart_id, "領域別の得点率", axes, series)


def own(values: list[float | None]) -> Series:
    return Series("自団体", values, "own")


def radar_geometry(root: ET.Element) -> tuple[float, float, float]:
    grid = elements(root, "g", "radar-grid")[0]
    return (
        float(grid.get("data-cx", "")),
        float(grid.get("data-cy", "")),
        float(grid.get("data-radius", "")),
    )


def sample_charts() -> list[Chart]:
    return [
        radar([own([0.5, 0.6, 0.75, 0.4, 0.2, 0.5]), Series("全団体平均", [0.4] * 6, "mean")]),
        bar_chart("bars", "設問別の得点", [Bar("0-1", 3, 3, 2), Bar("3-12", 1, 3)], "得点", "平均"),
        stacked_column_chart(
            "levels", "支援分類", YEARS, [Segment("レベル4 共創", [1, 2, 3], "#0017c1")]
        ),
    ]


# --- common requirements ------------------------------------------------------------------


@pytest.mark.parametrize("chart", sample_charts(), ids=lambda c: c.id)
def test_root_is_an_accessible_svg_with_title_and_desc_first(chart: Chart) -> None:
    root = parse(chart)
    assert root.tag == f"{NS}svg"
    assert chart.svg.startswith("<svg ") and chart.svg.endswith("</svg>")
    assert root.get("role") == "img"
    assert root.get("class") == "chart"
    assert root.get("aria-labelledby") == f"{chart.id}-title {chart.id}-desc"
    assert root.get("font-family") == FONT_FAMILY
    title, desc = list(root)[:2]
    assert (title.tag, title.get("id"), title.text) == (
        f"{NS}title",
        f"{chart.id}-title",
        chart.title,
    )
    assert (desc.tag, desc.get("id"), desc.text) == (
        f"{NS}desc",
        f"{chart.id}-desc",
        chart.description,
    )
    width, height = root.get("width"), root.get("height")
    assert root.get("viewBox") == f"0 0 {width} {height}"


@pytest.mark.parametrize("chart", sample_charts(), ids=lambda c: c.id)
def test_no_inline_styles_anywhere(chart: Chart) -> None:
    root = parse(chart)
    for element in root.iter():
        assert "style" not in element.attrib, element.tag
        assert element.tag != f"{NS}style"
    assert "style=" not in chart.svg


@pytest.mark.parametrize("chart", sample_charts(), ids=lambda c: c.id)
def test_coordinates_have_at_most_two_decimals(chart: Chart) -> None:
    assert not re.search(r"\d\.\d{3,}", chart.svg)


def test_same_input_gives_identical_output() -> None:
    assert [c.svg for c in sample_charts()] == [c.svg for c in sample_charts()]
    assert [c.description for c in sample_charts()] == [c.description for c in sample_charts()]


NASTY = '<script>&"'


@pytest.mark.parametrize(
    "build",
    [
        lambda: radar_chart(
            "radar", NASTY, [NASTY, "体制", "人材"], [Series(NASTY, [0.5, 1, 1], "own")]
        ),
        lambda: bar_chart("bars", NASTY, [Bar(NASTY, 1, 2, 1)], NASTY, NASTY),
        lambda: stacked_column_chart("levels", NASTY, [NASTY], [Segment(NASTY, [3], "#abc")]),
    ],
    ids=["radar", "bar", "stacked"],
)
def test_text_is_escaped_and_the_svg_still_parses(build: Callable[[], Chart]) -> None:
    chart = build()
    assert "<script>" not in chart.svg
    assert "&lt;script&gt;&amp;&quot;" in chart.svg
    root = parse(chart)
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert NASTY in texts  # the drawn label reads back as the original string
    assert root.find(f"{NS}title").text == NASTY


@pytest.mark.parametrize(
    "bad_id", ["", "Radar", "1radar", "my chart", 'x"y', "radar\n", "レーダー"]
)
def test_chart_id_must_be_a_safe_identifier(bad_id: str) -> None:
    with pytest.raises(ValueError, match="chart_id"):
        radar_chart(bad_id, "t", AXES, [])
    with pytest.raises(ValueError, match="chart_id"):
        bar_chart(bad_id, "t", [Bar("a", 1, 2)], "得点")
    with pytest.raises(ValueError, match="chart_id"):
        stacked_column_chart(bad_id, "t", YEARS, [])


# --- radar --------------------------------------------------------------------------------


def distances(root: ET.Element, polygon: ET.Element) -> list[float]:
    cx, cy, _ = radar_geometry(root)
    return [math.dist((cx, cy), p) for p in points(polygon)]


def test_radar_draws_one_vertex_per_axis_at_the_right_distance() -> None:
    root = parse(radar([own([1.0, 0.5, 0.25, 0.75, 0.0, 1.0])]))
    _, _, radius = radar_geometry(root)
    polygon = elements(root, "polygon", "series--own")[0]
    assert len(points(polygon)) == len(AXES)
    expected = [radius, radius / 2, radius / 4, radius * 0.75, 0, radius]
    assert distances(root, polygon) == pytest.approx(expected, abs=0.02)


def test_radar_outer_ring_is_at_the_advertised_radius() -> None:
    root = parse(radar([]))
    _, _, radius = radar_geometry(root)
    rings = elements(root, "polygon", "ring")
    assert len(rings) == 4  # 25, 50, 75 and 100 %
    assert distances(root, rings[-1]) == pytest.approx([radius] * len(AXES), abs=0.02)
    assert distances(root, rings[1]) == pytest.approx([radius / 2] * len(AXES), abs=0.02)
    labels = [t.text for t in root.iter(f"{NS}text")]
    assert {"25%", "50%", "75%", "100%"} <= set(labels)


def test_radar_first_axis_points_straight_up() -> None:
    root = parse(radar([own([1.0, 0, 0, 0, 0, 0])]))
    cx, cy, radius = radar_geometry(root)
    top = points(elements(root, "polygon", "series--own")[0])[0]
    assert top == pytest.approx((cx, cy - radius), abs=0.02)


def test_radar_values_are_clamped_to_zero_and_one() -> None:
    chart = radar([own([1.7, -0.3, 0.5, 0.5, 0.5, 0.5])])
    root = parse(chart)
    _, _, radius = radar_geometry(root)
    polygon = elements(root, "polygon", "series--own")[0]
    assert distances(root, polygon)[:2] == pytest.approx([radius, 0], abs=0.02)
    assert [row[1] for row in chart.rows[:2]] == [100.0, 0.0]


def test_radar_skips_missing_values_and_needs_three_points_for_a_polygon() -> None:
    root = parse(radar([own([0.5, None, 0.5, None, 0.5, 0.5])]))
    assert len(points(elements(root, "polygon", "series--own")[0])) == 4
    assert len(elements(root, "circle", "point--own")) == 4

    root = parse(radar([own([0.5, None, None, None, 0.5, None])]))
    assert elements(root, "polygon", "series--own") == []
    assert len(elements(root, "circle", "point--own")) == 2


def test_radar_series_styles_differ_by_dash_pattern_not_only_colour() -> None:
    series = [
        own([0.5] * 6),
        Series("平均", [0.4] * 6, "mean"),
        Series("前年度", [0.3] * 6, "previous"),
    ]
    root = parse(radar(series))
    (own_polygon,) = elements(root, "polygon", "series--own")
    (mean_polygon,) = elements(root, "polygon", "series--mean")
    (previous_polygon,) = elements(root, "polygon", "series--previous")
    assert own_polygon.get("stroke") == "#0017c1"
    assert own_polygon.get("fill") == "#0017c1"
    assert own_polygon.get("fill-opacity") == "0.15"
    assert own_polygon.get("stroke-width") == "2.5"
    assert own_polygon.get("stroke-dasharray") is None
    assert mean_polygon.get("stroke") == "#666666"
    assert previous_polygon.get("stroke") == "#927200"
    for polygon in (mean_polygon, previous_polygon):
        assert polygon.get("fill") == "none"
        assert polygon.get("stroke-dasharray")
    assert mean_polygon.get("stroke-dasharray") != previous_polygon.get("stroke-dasharray")
    # The municipality's own polygon is drawn last, on top of the others.
    drawn = [p.get("class") for p in elements(root, "polygon") if "series" in p.get("class", "")]
    assert drawn[-1] == "series series--own"


def test_radar_legend_lists_every_series_below_the_plot() -> None:
    series = [own([0.5] * 6), Series("全団体平均", [0.4] * 6, "mean")]
    root = parse(radar(series))
    cy, radius = radar_geometry(root)[1:]
    (legend,) = elements(root, "g", "legend")
    assert [t.text for t in legend.iter(f"{NS}text")] == ["自団体", "全団体平均"]
    # Below the outer ring and the bottom axis label, and inside the drawing.
    legend_ys = [float(t.get("y", "")) for t in legend.iter(f"{NS}text")]
    assert min(legend_ys) > cy + radius + 12 + 12
    assert max(legend_ys) < float(root.get("height", ""))


def test_radar_legend_follows_the_lowest_label_not_a_full_circle() -> None:
    three = parse(radar([own([0.5, 0.5, 0.5])], axes=["方針・計画", "体制", "人材"]))
    label_ys = [float(t.get("y", "")) for t in elements(three, "text", "axis-label")]
    legend_ys = [float(t.get("y", "")) for t in elements(three, "g", "legend")[0].iter(f"{NS}text")]
    assert min(legend_ys) > max(label_ys) + 12
    # A triangle is shorter than a hexagon, so the drawing is too.
    six = parse(radar([own([0.5] * 6)]))
    assert float(three.get("height", "")) < float(six.get("height", "")) - 40


def test_radar_axis_labels_grow_away_from_the_chart() -> None:
    root = parse(radar([]))
    labels = {t.text: t for t in elements(root, "text", "axis-label")}
    assert list(labels) == AXES
    anchors = {name: label.get("text-anchor") for name, label in labels.items()}
    assert anchors == {
        "方針・計画": "middle",
        "体制": "start",
        "人材": "start",
        "行政手続・業務": "middle",
        "地域社会": "end",
        "県独自指標": "end",
    }
    cx, cy, radius = radar_geometry(root)
    assert float(labels["方針・計画"].get("y", "")) < cy - radius
    assert float(labels["体制"].get("x", "")) > cx + radius * math.cos(math.radians(30))
    assert float(labels["地域社会"].get("x", "")) < cx - radius * math.cos(math.radians(30))
    width = float(root.get("width", ""))
    # Room is reserved for the longest label on both sides (about one em per character).
    assert float(labels["地域社会"].get("x", "")) - 4 * 12 >= 0
    assert float(labels["体制"].get("x", "")) + 2 * 12 <= width


def test_radar_table_has_percentages_with_one_decimal() -> None:
    series = [own([0.625, None, 1 / 3, 0, 1, 0.5]), Series("平均", [0.5] * 6, "mean")]
    chart = radar(series)
    assert chart.headers == ["領域", "自団体", "平均"]
    assert chart.rows == [
        ["方針・計画", 62.5, 50.0],
        ["体制", None, 50.0],
        ["人材", 33.3, 50.0],
        ["行政手続・業務", 0.0, 50.0],
        ["地域社会", 100.0, 50.0],
        ["県独自指標", 50.0, 50.0],
    ]


@pytest.mark.parametrize(
    ("axes", "series", "message"),
    [
        (["体制", "人材"], [], "at least 3 axes"),
        (AXES, [Series("x", [0.5] * 5, "own")], "5 values for 6 axes"),
        (AXES, [Series("x", [0.5] * 7, "own")], "7 values for 6 axes"),
    ],
)
def test_radar_rejects_bad_shapes(axes: list[str], series: list[Series], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        radar(series, axes=axes)


def test_radar_series_kind_must_be_known() -> None:
    with pytest.raises(ValueError, match="kind"):
        Series("x", [0.5] * 6, "target")


def test_radar_description_names_highest_and_lowest_and_compares_with_the_mean() -> None:
    series = [
        own([0.5, 0.6, 0.75, 0.4, 0.2, 0.5]),
        Series("全団体平均", [0.4, 0.5, 0.5, 0.5, 0.3, 0.5], "mean"),
    ]
    assert radar(series).description == (
        "自団体の得点率が最も高い領域は人材（75.0%）、最も低い領域は地域社会（20.0%）です。"
        "全団体平均を上回る領域は 3 / 6 です。"
    )


def test_radar_description_without_mean_or_own() -> None:
    only_own = radar([own([0.5, 0.6, 0.75, 0.4, 0.2, 0.5])]).description
    assert "人材（75.0%）" in only_own and "地域社会（20.0%）" in only_own
    assert "平均" not in only_own
    only_mean = radar([Series("全団体平均", [0.4] * 6, "mean")]).description
    assert "最も高い" not in only_mean
    assert "全団体平均" in only_mean and "6 領域" in only_mean


def test_radar_description_reports_ties_and_ignores_missing_axes() -> None:
    tied = radar([own([0.8, 0.8, 0.1, None, 0.5, 0.5])]).description
    assert "最も高い領域は方針・計画と体制（80.0%）" in tied
    assert "最も低い領域は人材（10.0%）" in tied
    flat = radar([own([0.5] * 6)]).description
    assert flat == "自団体の得点率はすべての領域で50.0%です。"
    compared = radar([own([0.9, None, 0.1, 0.5, 0.5, 0.5]), Series("平均", [0.5] * 6, "mean")])
    assert "平均を上回る領域は 1 / 5 です。" in compared.description


# --- bars ---------------------------------------------------------------------------------


def bar_widths(root: ET.Element) -> list[float]:
    return [float(r.get("width", "")) for r in elements(root, "rect", "bar")]


def test_bar_length_is_value_over_its_own_maximum() -> None:
    chart = bar_chart("bars", "t", [Bar("0-1", 3, 3), Bar("0-2", 1.5, 3), Bar("D5", 2, 4)], "得点")
    root = parse(chart)
    full, half, d5 = bar_widths(root)
    track = float(elements(root, "rect", "track")[0].get("width", ""))
    assert full == pytest.approx(track)
    assert full == pytest.approx(2 * half)
    assert d5 == pytest.approx(half)  # 2 of 4 is as long as 1.5 of 3


def test_bar_values_are_clamped_and_a_zero_maximum_draws_nothing() -> None:
    root = parse(bar_chart("bars", "t", [Bar("a", 5, 3), Bar("b", -1, 3), Bar("c", 1, 0)], "得点"))
    track = float(elements(root, "rect", "track")[0].get("width", ""))
    assert bar_widths(root) == [track, 0, 0]


def test_bar_prints_its_value_at_the_end_of_the_bar() -> None:
    root = parse(bar_chart("bars", "t", [Bar("a", 1.5, 3), Bar("b", 2.345, 3)], "得点"))
    values = elements(root, "text", "value")
    assert [v.text for v in values] == ["1.5", "2.35"]
    bar = elements(root, "rect", "bar")[0]
    bar_end = float(bar.get("x", "")) + float(bar.get("width", ""))
    assert float(values[0].get("x", "")) == pytest.approx(bar_end + 4)


def test_reference_marker_sits_at_reference_over_maximum() -> None:
    chart = bar_chart("bars", "t", [Bar("a", 1, 4, 3), Bar("b", 3, 4, None)], "得点", "全団体平均")
    root = parse(chart)
    track = elements(root, "rect", "track")[0]
    x0, plot_width = float(track.get("x", "")), float(track.get("width", ""))
    (marker,) = elements(root, "line", "reference")
    assert float(marker.get("x1", "")) == pytest.approx(x0 + plot_width * 0.75, abs=0.01)
    assert marker.get("x1") == marker.get("x2")
    assert (marker.get("stroke"), marker.get("stroke-width")) == ("#333333", "2")
    legend = [t.text for t in elements(root, "g", "legend")[0].iter(f"{NS}text")]
    assert legend == ["得点", "全団体平均"]


def test_value_moves_past_a_reference_marker_that_would_cross_it() -> None:
    # The bar ends at 240 px; the marker (2 px wide) stands at 246 px, where the number
    # would otherwise start: the number moves to the right of the marker.
    bars = [Bar("a", 2, 3, 2.05), Bar("b", 1, 3, 2.5)]
    root = parse(bar_chart("bars", "t", bars, "得点", "平均"))
    markers = elements(root, "line", "reference")
    values = elements(root, "text", "value")
    assert float(values[0].get("x", "")) >= float(markers[0].get("x1", "")) + 4
    # A marker far from the bar end leaves the number right after the bar.
    bar = elements(root, "rect", "bar")[1]
    bar_end = float(bar.get("x", "")) + float(bar.get("width", ""))
    assert float(values[1].get("x", "")) == pytest.approx(bar_end + 4)


def test_long_labels_are_truncated_in_the_drawing_but_not_in_the_table() -> None:
    long = "首長によるDX推進の方針表明と庁内への周知"
    exact = "あいうえおかきくけこさしすせ"  # 14 characters: kept whole
    chart = bar_chart("bars", "t", [Bar(long, 1, 3), Bar(exact, 2, 3), Bar("3-12", 0, 3)], "得点")
    drawn = [t.text for t in elements(parse(chart), "text", "bar-label")]
    assert drawn == [long[:13] + "…", exact, "3-12"]
    assert [row[0] for row in chart.rows] == [long, exact, "3-12"]


def test_bar_chart_height_grows_about_22px_per_bar() -> None:
    def height(count: int) -> float:
        bars = [Bar(f"{i}-1", 1, 3) for i in range(count)]
        return float(parse(bar_chart("bars", "t", bars, "得点")).get("height", ""))

    assert height(11) - height(1) == pytest.approx(220, abs=1)


def test_bar_table_with_and_without_references() -> None:
    plain = bar_chart("bars", "t", [Bar("0-1", 2.3456, 3)], "得点")
    assert plain.headers == ["項目", "得点"]
    assert plain.rows == [["0-1", 2.35]]
    assert elements(parse(plain), "line", "reference") == []

    chart = bar_chart("bars", "t", [Bar("0-1", 2, 3, 1.234), Bar("0-2", 1, 3)], "得点", "平均")
    assert chart.headers == ["項目", "得点", "平均"]
    assert chart.rows == [["0-1", 2, 1.23], ["0-2", 1, None]]


def test_bar_description_names_highest_lowest_and_count_above_reference() -> None:
    bars = [Bar("0-1", 3, 3, 2), Bar("0-2", 1, 3, 1.5), Bar("3-12", 2, 3, 1), Bar("D5", 2.5, 3)]
    description = bar_chart("bars", "t", bars, "得点", "全団体平均").description
    assert description == (
        "4 項目の得点を示します。最も高いのは 0-1（3）、最も低いのは 0-2（1）です。"
        "全団体平均を上回る項目は 2 / 3 です。"
    )


def test_bar_description_ranks_by_share_of_maximum_when_maxima_differ() -> None:
    bars = [Bar("D5", 3, 4), Bar("0-1", 1, 3), Bar("0-2", 3, 3)]
    description = bar_chart("bars", "t", bars, "得点").description
    assert "最も高いのは 0-2（満点の100.0%）" in description
    assert "最も低いのは 0-1（満点の33.3%）" in description


def test_bar_chart_needs_bars() -> None:
    with pytest.raises(ValueError, match="at least one bar"):
        bar_chart("bars", "t", [], "得点")


# --- stacked columns ----------------------------------------------------------------------

LEVELS = [
    Segment("レベル4 共創", [2, 3, 5], "#0017c1"),
    Segment("レベル3 協働", [6, 8, 9], "#4d6bff"),
    Segment("レベル2 支援", [12, 10, 9], "#a8b8ff"),
    Segment("レベル1 関与", [7, 6, 1], "#e0e6ff"),
]


def stacked(segments: list[Segment] = LEVELS, categories: list[str] = YEARS) -> Chart:
    return stacked_column_chart("levels", "支援分類の推移", categories, segments)


def test_segment_heights_are_proportional_to_counts_and_stack_without_gaps() -> None:
    root = parse(stacked())
    rects = elements(root, "rect", "segment")
    first_year = [r for r in rects if r.get("data-category") == "0"]
    heights = [float(r.get("height", "")) for r in first_year]
    counts = [int(r.get("data-value", "")) for r in first_year]
    assert counts == [2, 6, 12, 7]
    unit = heights[0] / 2
    assert heights == pytest.approx([unit * c for c in counts], abs=0.02)
    # First segment at the bottom; each next one sits right on top of the previous one.
    for lower, upper in itertools.pairwise(first_year):
        assert float(upper.get("y", "")) + float(upper.get("height", "")) == pytest.approx(
            float(lower.get("y", "")), abs=0.02
        )


def test_totals_are_printed_above_each_column_and_counts_only_in_tall_segments() -> None:
    root = parse(stacked())
    totals = elements(root, "text", "total")
    assert [t.text for t in totals] == ["27", "27", "24"]
    column_tops = {}
    for rect in elements(root, "rect", "segment"):
        category = rect.get("data-category")
        column_tops[category] = min(column_tops.get(category, 1e9), float(rect.get("y", "")))
    for total in totals:
        assert float(total.get("y", "")) < column_tops[total.get("data-category")]
    counts = [t.text for t in elements(root, "text", "count")]
    # In 令和6年度 the single レベル1 municipality is a segment too short to label.
    assert counts.count("1") == 0
    assert len(counts) == 11
    (one,) = [r for r in elements(root, "rect", "segment") if r.get("data-value") == "1"]
    assert float(one.get("height", "")) < 14


def test_count_colour_contrasts_with_the_segment() -> None:
    root = parse(stacked([Segment("濃", [10], "#0017c1"), Segment("淡", [10], "#e0e6ff")], ["R6"]))
    dark, light = elements(root, "text", "count")
    assert dark.get("fill") == "#ffffff"
    assert light.get("fill") != "#ffffff"


def test_gridlines_use_a_nice_integer_step() -> None:
    def ticks(chart: Chart) -> list[str]:
        return [t.text or "" for t in elements(parse(chart), "text", "tick")]

    assert ticks(stacked()) == ["0", "10", "20", "30"]
    assert ticks(stacked([Segment("a", [3], "#000")], ["R6"])) == ["0", "1", "2", "3"]
    assert ticks(stacked([Segment("a", [41], "#000")], ["R6"])) == [
        "0",
        "10",
        "20",
        "30",
        "40",
        "50",
    ]


def test_zero_totals_do_not_divide_by_zero() -> None:
    chart = stacked([Segment("a", [0, 0], "#000"), Segment("b", [0, 0], "#fff")], ["R5", "R6"])
    root = parse(chart)
    assert elements(root, "rect", "segment") == []
    assert [t.text for t in elements(root, "text", "total")] == ["0", "0"]
    assert chart.rows[-1] == ["合計", 0, 0]
    assert "nan" not in chart.svg.lower()
    empty = stacked([], ["R6"])
    assert empty.rows == [["合計", 0]]


def test_stacked_table_and_legend() -> None:
    chart = stacked()
    assert chart.headers == ["区分", *YEARS]
    assert chart.rows == [
        ["レベル4 共創", 2, 3, 5],
        ["レベル3 協働", 6, 8, 9],
        ["レベル2 支援", 12, 10, 9],
        ["レベル1 関与", 7, 6, 1],
        ["合計", 27, 27, 24],
    ]
    (legend,) = elements(parse(chart), "g", "legend")
    assert [t.text for t in legend.iter(f"{NS}text")] == [s.name for s in LEVELS]
    assert [r.get("fill") for r in legend.iter(f"{NS}rect")] == [s.color for s in LEVELS]


def test_stacked_description_spells_out_the_latest_year() -> None:
    assert stacked().description == (
        "年度ごとの区分別の団体数です。令和6年度はレベル4 共創 5 団体、レベル3 協働 9 団体、"
        "レベル2 支援 9 団体、レベル1 関与 1 団体、合計 24 団体です。"
    )


@pytest.mark.parametrize(
    "segments",
    [[Segment("a", [1, 2], "#000")], [Segment("a", [1, -1, 2], "#000")]],
    ids=["wrong-length", "negative"],
)
def test_stacked_rejects_bad_counts(segments: list[Segment]) -> None:
    with pytest.raises(ValueError, match="count"):
        stacked(segments)


@pytest.mark.parametrize("colour", ["blue", "#12345", "url(#x)", '#fff" onload="x'])
def test_segment_colour_must_be_hex(colour: str) -> None:
    with pytest.raises(ValueError, match="colour"):
        Segment("a", [1], colour)
