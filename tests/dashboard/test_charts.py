"""The server-drawn SVG charts: one bar per value, heights in proportion, labels escaped."""

import re

from jlt_family.dashboard.charts import column_chart


def _heights(svg):
    return [float(h) for h in re.findall(r'<rect class="bar"[^>]* height="([0-9.]+)"', str(svg))]


def test_bars_are_in_proportion_and_carry_their_values():
    svg = str(column_chart(["一班", "二班", "三班"], [("覆盖率", [1.0, 0.5, 0])], percent=True, threshold=1.0))
    assert re.findall(r'data-label="([^"]+)" data-value="([^"]+)"', svg) == [
        ("一班", "1.0"),
        ("二班", "0.5"),
        ("三班", "0"),
    ]
    full, half, none = _heights(svg)
    assert abs(full - 2 * half) < 0.2 and none == 0
    assert 'class="threshold"' in svg and "100%" in svg


def test_grouped_series_get_a_legend():
    svg = str(column_chart(["秋", "春"], [("绿色通道", [2, 0]), ("普通预约", [1, 3])]))
    assert len(_heights(svg)) == 4 and "绿色通道" in svg and "普通预约" in svg


def test_labels_are_escaped_and_empty_data_says_so():
    svg = str(column_chart(["<script>alert(1)</script>"], [("x", [1])]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "暂无数据" in str(column_chart([], [("x", [])]))
