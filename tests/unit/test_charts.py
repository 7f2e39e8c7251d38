"""Unit tests for web.charts (server-rendered SVG helpers)."""
from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # plain pytest discovery without conftest/tests/__init__.py
    sys.path.insert(0, str(ROOT))

from web.charts import (  # noqa: E402
    COMPLETION_COLOURS,
    BarRow,
    MapPoint,
    Segment,
    column_chart,
    percent,
    pie_shares,
    progress_bar,
    province_map,
    stacked_bars,
)

NS = "{http://www.w3.org/2000/svg}"
NASTY = '<b>&"x"'


def parse(svg: str) -> ET.Element:
    """Parse and check the common root contract."""
    assert svg.startswith("<svg")
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label")
    assert root.get("viewBox", "").startswith("0 0 ")
    assert root.get("width") == "100%"
    assert "Noto Sans CJK SC" in root.get("font-family", "")
    assert root.find(f"{NS}title") is not None
    assert "style=" not in svg and "<script" not in svg.lower()
    return root


def circles(root: ET.Element) -> dict[str, ET.Element]:
    return {c.get("data-code"): c for c in root.iter(f"{NS}circle")}


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{NS}text")]


def pt(code, lon, lat, communities=10, completion=0.5, name=None, link=None):
    return MapPoint(code, name or code, lon, lat, communities, completion, link)


POINTS = [
    pt("BJ", 116.4, 39.9, 300, 0.9, "北京"),
    pt("SH", 121.5, 31.2, 200, 0.1, "上海"),
    pt("HI", 110.3, 20.0, 50, 0.5, "海南"),
    pt("XJ", 87.6, 43.8, 0, 0.0, "新疆"),
]


# ---------------------------------------------------------------- map
def test_map_well_formed_with_title_and_cjk():
    svg = province_map(POINTS, "全国进度")
    root = parse(svg)
    assert root.get("aria-label") == "全国进度"
    assert root.find(f"{NS}title").text == "全国进度"
    assert len(circles(root)) == 4
    assert {"北京", "上海", "海南", "新疆"} <= set(texts(root))


def test_map_escapes_names_and_title():
    svg = province_map([pt("X", 100, 30, name=NASTY), pt("Y", 110, 35)], NASTY)
    assert "<b>" not in svg
    root = parse(svg)
    assert root.get("aria-label") == NASTY
    assert root.find(f"{NS}title").text == NASTY
    assert NASTY in texts(root)
    assert circles(root)["X"].find(f"{NS}title").text.startswith(NASTY + ":")


def test_map_north_is_up_and_east_is_right():
    c = circles(parse(province_map(POINTS, "m")))
    ys = {k: float(v.get("cy")) for k, v in c.items()}
    xs = {k: float(v.get("cx")) for k, v in c.items()}
    assert min(ys, key=ys.get) == "XJ"  # northernmost (43.8°N) is highest
    assert max(ys, key=ys.get) == "HI"  # southernmost is lowest
    assert max(xs, key=xs.get) == "SH"  # easternmost is furthest right
    assert min(xs, key=xs.get) == "XJ"


def test_map_points_stay_inside_viewbox():
    root = parse(province_map(POINTS, "m"))
    _, _, w, h = map(float, root.get("viewBox").split())
    for c in circles(root).values():
        x, y, r = float(c.get("cx")), float(c.get("cy")), float(c.get("r"))
        assert r <= x <= w - r and r <= y <= h - r


def test_map_radius_grows_with_communities():
    pts = [pt("A", 100, 30, 1), pt("B", 105, 31, 100), pt("C", 110, 32, 400)]
    c = circles(parse(province_map(pts, "m")))
    r = {k: float(v.get("r")) for k, v in c.items()}
    assert r["A"] < r["B"] < r["C"]


def test_map_zero_communities_is_small_hollow():
    c = circles(parse(province_map(POINTS, "m")))
    assert c["XJ"].get("fill") == "none"
    assert float(c["XJ"].get("r")) < min(float(v.get("r")) for k, v in c.items() if k != "XJ")
    assert c["XJ"].find(f"{NS}title").text == "新疆: 0 communities, 0% complete"


def test_map_colour_by_completion():
    pts = [pt("LOW", 100, 30, 10, 0.0), pt("HIGH", 110, 32, 10, 1.0), pt("MID", 105, 31, 10, 0.5)]
    c = circles(parse(province_map(pts, "m")))
    assert c["LOW"].get("fill") == COMPLETION_COLOURS[0]
    assert c["HIGH"].get("fill") == COMPLETION_COLOURS[-1]
    assert len({c[k].get("fill") for k in c}) == 3


def test_map_tooltip_text():
    c = circles(parse(province_map(POINTS, "m")))
    assert c["BJ"].find(f"{NS}title").text == "北京: 300 communities, 90% complete"


def test_map_links_wrap_circles_and_unsafe_links_dropped():
    pts = [pt("A", 100, 30, link="/province/11?x=1&y=2"), pt("B", 110, 32, link="javascript:alert(1)"),
           pt("C", 105, 31)]
    root = parse(province_map(pts, "m"))
    anchors = list(root.iter(f"{NS}a"))
    assert len(anchors) == 1
    assert anchors[0].get("href") == "/province/11?x=1&y=2"
    assert anchors[0].find(f"{NS}circle").get("data-code") == "A"
    assert "javascript" not in province_map(pts, "m")


def test_map_single_point_and_identical_points():
    parse(province_map([pt("A", 100, 30)], "m"))
    parse(province_map([pt("A", 100, 30), pt("B", 100, 30)], "m"))


def test_map_labels_limited_when_many_points():
    pts = [pt(f"P{i}", 80 + i, 20 + i % 20, i, name=f"N{i}") for i in range(40)]
    labels = texts(parse(province_map(pts, "m")))
    assert "N39" in labels and "N0" not in labels
    assert sum(1 for t in labels if t.startswith("N")) == 30


def test_map_empty():
    root = parse(province_map([], "m"))
    assert "No data" in texts(root)
    root = parse(province_map([], "m", empty_text="暂无数据 <&>"))
    assert "暂无数据 <&>" in texts(root)


# ---------------------------------------------------------------- stacked bars
SEGS = [Segment("done", "已完成", "#3a8f5c"), Segment("todo", "未开始", "#d0524a")]


def test_stacked_bars_totals_and_segments():
    rows = [BarRow("甲社区", {"done": 3, "todo": 2, "ignored": 99}), BarRow("乙", {"done": 1}),
            BarRow("空", {})]
    root = parse(stacked_bars(rows, SEGS, "进度"))
    totals = [t.text for t in root.iter(f"{NS}text") if t.get("class") == "total"]
    assert totals == ["5", "1", "0"]
    bars = root.findall(f"{NS}g[@class='bar']")
    assert len(bars) == 3
    widths = [[float(r.get("width")) for r in b.iter(f"{NS}rect")] for b in bars]
    assert len(widths[0]) == 3 and len(widths[2]) == 1  # track + 2 segments; empty row = track only
    assert widths[0][1] / widths[0][2] == pytest.approx(1.5, rel=0.01)
    assert {"已完成", "未开始"} <= set(texts(root))


def test_stacked_bars_escaping_links_and_empty():
    rows = [BarRow(NASTY, {"done": 1}, link="/c/1"), BarRow("b", {"todo": 1})]
    svg = stacked_bars(rows, [Segment("done", NASTY, 'red" onclick="x'), *SEGS[1:]], NASTY)
    assert "<b>" not in svg and "onclick" not in svg
    root = parse(svg)
    assert [a.get("href") for a in root.iter(f"{NS}a")] == ["/c/1"]
    assert NASTY in "".join(root.itertext())
    assert "No data" in texts(parse(stacked_bars([], SEGS, "t")))


# ---------------------------------------------------------------- progress
@pytest.mark.parametrize(("done", "total", "expected"), [
    (1, 3, "33%"), (2, 3, "67%"), (0, 0, "0%"), (0, 5, "0%"), (5, 5, "100%"),
    (199, 200, "99%"), (1, 1000, "1%"), (7, 5, "100%"), (-1, 5, "0%"),
])
def test_progress_bar_percent(done, total, expected):
    root = parse(progress_bar(done, total, "投票"))
    assert [t.text for t in root.iter(f"{NS}text") if t.get("class") == "percent"] == [expected]
    assert expected in root.get("aria-label")


def test_progress_bar_fill_and_escaping():
    root = parse(progress_bar(1, 4, NASTY))
    assert NASTY in texts(root)
    done = [r for r in root.iter(f"{NS}rect") if r.get("class") == "done"]
    assert float(done[0].get("width")) == pytest.approx(100)
    assert not [r for r in parse(progress_bar(0, 0, "x")).iter(f"{NS}rect") if r.get("class") == "done"]


def test_percent_helper():
    assert percent(1, 3) == 33 and percent(0, 0) == 0 and percent(3, 3) == 100


# ---------------------------------------------------------------- pie
def test_pie_shares_legend_and_total():
    root = parse(pie_shares([("男", 30, "#4a7fb0"), ("女", 70, "#e8904a"), ("其他", 0, "#999")], "性别"))
    legend = texts(root)
    assert "100" in legend
    assert any(t.startswith("男") and "30 (30%)" in t for t in legend)
    assert any(t.startswith("女") and "70 (70%)" in t for t in legend)
    assert any(t.startswith("其他") and "0 (0%)" in t for t in legend)
    arcs = [c for c in root.iter(f"{NS}circle") if c.get("stroke-dasharray")]
    assert [c.get("stroke") for c in arcs] == ["#4a7fb0", "#e8904a"]


def test_pie_percentages_sum_to_100():
    root = parse(pie_shares([("a", 1, "#111"), ("b", 1, "#222"), ("c", 1, "#333")], "t"))
    pcts = [int(t.split("(")[1].rstrip("%)")) for t in texts(root) if "(" in t]
    assert sum(pcts) == 100


def test_pie_all_zero_and_empty():
    for items in ([("a", 0, "#111"), ("b", 0, "#222")], []):
        root = parse(pie_shares(items, "t"))
        assert not [c for c in root.iter(f"{NS}circle") if c.get("stroke-dasharray")]
        assert len(list(root.iter(f"{NS}circle"))) == 1  # grey ring
        assert "0" in texts(root)


def test_pie_escaping():
    svg = pie_shares([(NASTY, 1, "#111")], NASTY)
    assert "<b>" not in svg
    assert any(t.startswith(NASTY) for t in texts(parse(svg)))


# ---------------------------------------------------------------- columns
def test_column_chart_values_and_heights():
    items = [("18-30", 10), ("31-45", 40), ("46-60", 0), (NASTY, 20)]
    svg = column_chart(items, "年龄", colour="#123456")
    assert "<b>" not in svg
    root = parse(svg)
    values = [t.text for t in root.iter(f"{NS}text") if t.get("class") == "value"]
    assert values == ["10", "40", "0", "20"]
    heights = [float(r.get("height")) for r in root.iter(f"{NS}rect")]
    assert heights[1] > heights[3] > heights[0] > heights[2] == 0
    assert {r.get("fill") for r in root.iter(f"{NS}rect")} == {"#123456"}


def test_column_chart_empty_and_bad_colour():
    assert "No data" in texts(parse(column_chart([], "t")))
    svg = column_chart([("a", 1)], "t", colour='"/><script>')
    assert "<script" not in svg
    parse(svg)


def test_control_characters_are_stripped():
    parse(column_chart([("a\x00b\x1f", 1)], "t\x07"))
