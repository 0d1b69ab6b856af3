"""The evaluation on the dashboard: the hand-counted county of tests/reports/scenario.py (school year 2025),
shown as the reports service counts it, in tables, SVG charts and the CSV export."""

import csv
import io
import re

import pytest

from tests.reports import scenario

AUTUMN = "school_year=2025&term=autumn"


@pytest.fixture
def county(make):
    return scenario.build(make)


def _bars(html, series=None):
    """(label, value) of each bar of the page's SVG charts."""
    bars = re.findall(r'<rect class="bar"[^>]*data-series="([^"]*)" data-label="([^"]*)" data-value="([^"]*)"', html)
    return [(label, float(value)) for name, label, value in bars if series in (None, name)]


def test_school_page_shows_coverage_per_class_and_the_policy_numbers(county, signed_in):
    client = signed_in(county.school_admin)
    response = client.get(f"/dashboard/schools/{county.school.id}?{AUTUMN}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # autumn: 1班 3 students, 2 visited; 2班 3 students, 1 visited (hand-counted in scenario.py)
    assert _bars(html, "家访覆盖率") == [("三年级1班", 0.6667), ("三年级2班", 0.3333)]
    assert '<td class="num" id="coverage-rate">50.0%</td>' in html
    assert '<td class="num" id="attendance-rate">60.0%</td>' in html  # 3 attended of 5 expected
    assert _bars(html, "已开展")[:3] == [("家庭教育指导", 2), ("家长夜校", 5), ("家长代表大会", 1)]
    guidance = re.search(r'<tr data-kind="guidance" data-rule="guidance">(.*?)</tr>', html, re.S).group(1)
    assert "每学期≥2" in guidance and "达标" in guidance and "未达标" not in guidance
    meeting = re.search(r'<tr data-kind="parent_meeting" data-rule="parent_meeting">(.*?)</tr>', html, re.S).group(1)
    assert "未达标" in meeting  # 1 of the 2 a year so far
    # bookings by month and channel, the twelve months up to the term's end: October 2025 has green 2, general 1
    green, general = _bars(html, "绿色通道"), _bars(html, "普通预约")
    assert [label for label, _ in green] == [f"2025-{m:02}" for m in range(2, 13)] + ["2026-01"]
    assert ("2025-10", 2) in green and ("2025-10", 1) in general and sum(v for _, v in green + general) == 3
    assert "4.00" in html and "5.00" in html  # feedback averages: courses and home visits 4.0, venues 5.0


def test_the_csv_export_is_the_reports_one(county, signed_in):
    client = signed_in(county.school_admin)
    page = client.get(f"/dashboard/schools/{county.school.id}?{AUTUMN}").get_data(as_text=True)
    link = re.search(r'id="csv-link" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    response = client.get(link)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f"evaluation-school-{county.school.id}-2025-autumn.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["周期", "截至", "类别", "对象", "指标", "数值", "要求", "是否达标"]
    assert any(row[4].startswith("家庭教育指导") and row[5] == "2" for row in rows)


def test_region_and_alliance_pages_drill_down_to_schools(county, signed_in):
    client = signed_in(county.region_admin)
    region = client.get(f"/dashboard/regions/{county.county.id}?{AUTUMN}").get_data(as_text=True)
    labels = [label for label, _ in _bars(region, "家访覆盖率")]
    assert labels == ["评估一小", "评估二小", "评估三小"]  # the town's school counts in the county; not 别县小学
    assert f"/dashboard/alliances/{county.alliance.id}?school_year=2025&amp;term=autumn" in region
    alliance = client.get(f"/dashboard/alliances/{county.alliance.id}?{AUTUMN}").get_data(as_text=True)
    assert [label for label, _ in _bars(alliance, "家访覆盖率")] == ["评估一小", "评估二小"]
    assert "别县小学" not in region and "别县小学" not in alliance


def test_class_page_counts_the_class_only(county, signed_in):
    client = signed_in(county.alliance_admin)
    html = client.get(f"/dashboard/classes/{county.c1.id}?{AUTUMN}").get_data(as_text=True)
    assert '<td class="num" id="class-students">3</td>' in html
    assert '<td class="num" id="class-visited">2</td>' in html
    assert "一直在1班" not in html  # no child is named on the dashboard


def test_the_earliest_school_year_shows_its_page(county, signed_in):
    """The earliest school year a report accepts shows its page (the bookings trend reaches back twelve months
    without asking for a report of a year before it)."""
    client = signed_in(county.school_admin)
    response = client.get(f"/dashboard/schools/{county.school.id}?school_year=2000&term=autumn")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
