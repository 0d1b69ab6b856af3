"""The dashboard shows what the policy asks: rules in progress, the as-of date, the attendance of
sessions with enrolment, each school's coordination meetings with who attended, chart labels one can tell
apart, and the class page's breadcrumb up to the county."""

import datetime as dt
import html as html_lib
import re

import pytest

from jlt_family.core.timeutil import utcnow
from jlt_family.courses.models import ActivityKind
from jlt_family.dashboard.charts import column_chart
from jlt_family.reports.periods import resolve_period
from tests.reports import scenario

AUTUMN = "school_year=2025&term=autumn"


@pytest.fixture
def county(make):
    return scenario.build(make)


def _axis_labels(svg):
    """(shown text, full text in <title>) of each label under the columns."""
    return [
        (html_lib.unescape(shown), html_lib.unescape(full))
        for full, shown in re.findall(r'<text class="axis-label"[^>]*><title>([^<]*)</title>([^<]*)</text>', str(svg))
    ]


def _row(html, marker):
    return re.search(rf"<tr {marker}>(.*?)</tr>", html, re.S).group(1)


def test_chart_labels_of_schools_sharing_a_long_start_can_be_told_apart():
    names = [f"乌兰浩特市第{n}中学" for n in "一二三四五六七八"]
    labels = _axis_labels(column_chart(names, [("家访覆盖率", [0.5] * 8)], percent=True))
    shown = [text for text, _ in labels]
    assert len(set(shown)) == 8 and all(len(text) <= 5 for text in shown), shown
    assert shown[0].startswith("一") and [full for _, full in labels] == names  # the full name is the tooltip


def test_the_month_labels_of_the_bookings_chart_differ(county, signed_in):
    client = signed_in(county.school_admin)
    page = client.get(f"/dashboard/schools/{county.school.id}?{AUTUMN}").get_data(as_text=True)
    months = _axis_labels(re.search(r'<section class="card" id="bookings">.*?</svg>', page, re.S).group(0))
    assert [text for text, _ in months] == ["25年2月", *(f"{m}月" for m in range(3, 13)), "26年1月"]
    assert months[0][1] == "2025-02"


def test_region_chart_labels_of_long_school_names_differ(county, signed_in, make):
    for school, n in ((county.school, "一"), (county.school2, "二"), (county.lone_school, "三")):
        school.name = f"乌兰浩特市第{n}中学教育集团东校区附属实验小学分部"
    make.db.session.commit()
    client = signed_in(county.region_admin)
    page = client.get(f"/dashboard/regions/{county.county.id}?{AUTUMN}").get_data(as_text=True)
    chart = re.search(r'<section class="card" id="coverage">.*?</svg>', page, re.S).group(0)
    shown = [text for text, _ in _axis_labels(chart)]
    assert len(set(shown)) == 3, shown


def test_the_class_page_breadcrumb_names_the_county_and_the_alliance(county, signed_in):
    region_admin = signed_in(county.region_admin)
    page = region_admin.get(f"/dashboard/classes/{county.c1.id}?{AUTUMN}").get_data(as_text=True)
    crumbs = re.search(r'<nav class="crumbs" id="crumbs">(.*?)</nav>', page, re.S).group(1)
    assert f"/dashboard/regions/{county.county.id}?" in crumbs and "评估县" in crumbs
    assert f"/dashboard/alliances/{county.alliance.id}?" in crumbs and "评估教联体" in crumbs
    assert crumbs.index("评估县") < crumbs.index("评估教联体") < crumbs.index("评估一小") < crumbs.index("三年级1班")
    school_admin = signed_in(county.school_admin)  # named, not linked, above the admin's own scope
    crumbs = re.search(
        r'<nav class="crumbs" id="crumbs">(.*?)</nav>',
        school_admin.get(f"/dashboard/classes/{county.c1.id}?{AUTUMN}").get_data(as_text=True),
        re.S,
    ).group(1)
    assert "评估县" in crumbs and "评估教联体" in crumbs and "/dashboard/regions/" not in crumbs


def test_the_school_page_shows_the_as_of_date_and_the_attendance_of_sessions_with_enrolment(county, signed_in):
    page = signed_in(county.school_admin).get(f"/dashboard/schools/{county.school.id}?{AUTUMN}").get_data(as_text=True)
    assert '<span id="as-of">数据截至 2026-01-31</span>' in page
    label = re.search(r'<td id="attendance-label">(.*?)</td>', page, re.S).group(1)
    # 9 sessions held, 2 with enrolments: the 60% is over those 2
    assert label.startswith("有报名场次的课程出勤率") and "有报名 2 场" in label and "共举办 9 场" in label
    assert "每学年 100%" in page  # the coverage rate beside a percentage requirement
    yearly = _row(page, 'data-kind="guidance" data-rule="guidance_year"')
    assert "家庭教育指导服务和实践活动" in yearly and "每学年≥2" in yearly and "达标" in yearly


def test_a_rule_of_the_running_year_is_in_progress_and_each_school_shows_its_meetings(world, make, signed_in, call):
    period = resolve_period(world.county)
    start = max(period.utc_bounds(period.school_year.starts_on)[0], utcnow() - dt.timedelta(hours=2))
    parent_meeting = scenario.session(
        make, scenario.course(make, world.school, kind=ActivityKind.PARENT_MEETING), start
    )
    meeting = scenario.session(make, scenario.course(make, world.school, kind=ActivityKind.ALLIANCE_MEETING), start)
    for row in (parent_meeting, meeting):
        row.ends_at = start + (utcnow() - start) / 2
    make.db.session.commit()
    assert (
        call(
            "PUT",
            f"/api/v1/course-sessions/{meeting.id}/meeting-attendance",
            world.school_admin,
            json={"families": 7, "community": 1, "resource_units": 2},
        ).status_code
        == 200
    )
    client = signed_in(world.region_admin)
    page = client.get(f"/dashboard/schools/{world.school.id}?term=year").get_data(as_text=True)
    assert '<span class="progress">进行中</span>' in _row(page, 'data-kind="parent_meeting" data-rule="parent_meeting"')
    assert "进行中" in re.search(r'<td id="coverage-status">(.*?)</td>', page).group(1)  # 0 of 2 visited so far
    alliance = client.get(f"/dashboard/alliances/{world.alliance.id}?term=year").get_data(as_text=True)
    mine = _row(alliance, f'data-school="{world.school.id}"')
    cells = re.findall(r'<td class="num">(\d+)</td>', mine)
    assert cells == ["1", "7", "1", "2", "1"] and '<span class="met">达标</span>' in mine
    other = _row(alliance, f'data-school="{world.other_school.id}"')
    assert '<span class="progress">进行中</span>' in other  # none yet, the year still runs
