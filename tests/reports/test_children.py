"""What the policy asks about children that no report showed, through the API, against the
hand-counted county: the visit coverage of left-behind (留守) and in-difficulty (困境) children, the not-yet-visited
list, the care entrustments (委托照护) per class; and who sees names (the school's leaders) or counts only."""

import json

import pytest
import sqlalchemy as sa

from jlt_family.core.models import AuditLog
from tests.reports import scenario

API = "/api/v1"
AUTUMN = "school_year=2025&term=autumn"
NAMES = ("一直在1班", "春季才家访", "调班生", "转走生", "去年家访", "升级生", "提前家访", "二小甲", "二小乙")


@pytest.fixture
def county(make):
    return scenario.build(make)


def _get(call, url, user):
    response = call("GET", url, user)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _cov(coverage):
    return coverage["students"], coverage["visited"]


def test_flagged_childrens_coverage_in_the_school_and_the_alliance_reports(call, county):
    school = _get(call, f"{API}/reports/schools/{county.school.id}?{AUTUMN}", county.alliance_admin)
    assert _cov(school["flagged_coverage"]["left_behind"]) == (3, 1)  # s2 ✗, s4 ✓, s5 ✗
    assert _cov(school["flagged_coverage"]["in_difficulty"]) == (1, 0)  # s5
    assert school["flagged_coverage"]["left_behind"]["rate"] == 0.3333
    assert school["not_visited"] == {"students": 3, "left_behind": 2, "in_difficulty": 1, "items": None}
    alliance = _get(call, f"{API}/reports/alliances/{county.alliance.id}?{AUTUMN}", county.alliance_admin)
    assert _cov(alliance["flagged_coverage"]["left_behind"]) == (4, 2)  # and 二小's s10, visited
    assert _cov(alliance["flagged_coverage"]["in_difficulty"]) == (2, 0)  # s5 and 二小's s8
    assert alliance["not_visited"] == {"students": 4, "left_behind": 2, "in_difficulty": 2, "items": None}
    rows = {row["name"]: row for row in alliance["schools"]}
    assert rows["评估二小"]["not_visited"] == {"students": 1, "left_behind": 0, "in_difficulty": 1}
    assert _cov(rows["评估二小"]["flagged_coverage"]["left_behind"]) == (1, 1)
    assert _cov(rows["评估一小"]["flagged_coverage"]["in_difficulty"]) == (1, 0)
    region = _get(call, f"{API}/reports/regions/{county.county.id}?{AUTUMN}", county.region_admin)
    lone = next(row for row in region["schools"] if row["name"] == "评估三小")
    assert lone["flagged_coverage"]["left_behind"]["rate"] is None  # no left-behind child: no rate
    year = _get(call, f"{API}/reports/schools/{county.school.id}?school_year=2025", county.region_admin)
    assert _cov(year["flagged_coverage"]["left_behind"]) == (2, 1)  # s4 left; s2 visited in spring


def test_the_school_leaders_get_the_not_yet_visited_list_flagged_first(call, county, db):
    body = _get(call, f"{API}/reports/schools/{county.school.id}?{AUTUMN}", county.school_admin)
    items = body["not_visited"]["items"]
    assert [(i["name"], i["school_class"]["name"], i["flags"]) for i in items] == [
        ("春季才家访", "三年级1班", ["left_behind"]),
        ("去年家访", "三年级2班", ["left_behind", "in_difficulty"]),
        ("升级生", "三年级2班", []),
    ]  # counted in 2班, though in next year's class now
    assert [i["student_no"] for i in items] == [county.s2.student_no, county.s5.student_no, county.s6.student_no]
    entries = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "read_not_visited_list")).all()
    assert [(e.actor_user_id, e.subject_type, e.subject_id, e.school_id) for e in entries] == [
        (county.school_admin.id, "school", county.school.id, county.school.id)
    ]
    assert entries[0].detail == {"school_year": 2025, "term": "autumn", "rows": 3, "flagged": 2}
    # the year: s2 was visited in spring, s4 left; s5 and s6 remain
    year = _get(call, f"{API}/reports/schools/{county.school.id}?school_year=2025", county.school_admin)
    assert [i["name"] for i in year["not_visited"]["items"]] == ["去年家访", "升级生"]


def test_administrators_above_the_school_get_counts_and_no_name(call, county, db):
    for user in (county.alliance_admin, county.region_admin):
        school = _get(call, f"{API}/reports/schools/{county.school.id}?{AUTUMN}", user)
        assert school["not_visited"]["items"] is None
        assert not {"flagged_coverage", "entrustments", "not_visited"} & set(school["classes"][0])
        alliance = _get(call, f"{API}/reports/alliances/{county.alliance.id}?{AUTUMN}", user)
        region = (
            _get(call, f"{API}/reports/regions/{county.county.id}?{AUTUMN}", user)
            if user is county.region_admin
            else {}
        )
        text = json.dumps([school, alliance, region], ensure_ascii=False)
        assert not [name for name in NAMES if name in text]
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditLog).where(AuditLog.action == "read_not_visited_list")
        )
        == 0
    )


def test_no_childs_name_goes_into_the_csv(call, county):
    response = call("GET", f"{API}/reports/schools/{county.school.id}/export?{AUTUMN}", county.school_admin)
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and not [name for name in NAMES if name in text]
    assert "留守儿童家访覆盖率" in text and "留守儿童委托照护书面告知率" in text


def test_care_entrustments_per_class(call, county):
    autumn = _get(call, f"{API}/reports/schools/{county.school.id}?{AUTUMN}", county.school_admin)
    classes = {c["name"]: c["entrustments"] for c in autumn["classes"]}
    # 1班: s2's acknowledged; s4's ended on 31 Dec. 2班: s5's withdrawn, the next one filed in February.
    assert {n: (e["left_behind"], e["entrusted"], e["acknowledged"]) for n, e in classes.items()} == {
        "三年级1班": (2, 1, 1),
        "三年级2班": (1, 0, 0),
    }
    assert autumn["entrustments"] == {
        "left_behind": 3,
        "entrusted": 1,
        "acknowledged": 1,
        "rate": 0.3333,
        "required_rate": 1.0,
        "met": False,
    }
    flagged = {c["name"]: _cov(c["flagged_coverage"]["left_behind"]) for c in autumn["classes"]}
    assert flagged == {"三年级1班": (2, 1), "三年级2班": (1, 0)}
    year = _get(call, f"{API}/reports/schools/{county.school.id}?school_year=2025", county.school_admin)
    assert {c["name"]: c["entrustments"]["entrusted"] for c in year["classes"]} == {"三年级1班": 1, "三年级2班": 1}
    assert (year["entrustments"]["rate"], year["entrustments"]["met"]) == (1.0, True)
    region = _get(call, f"{API}/reports/regions/{county.county.id}?{AUTUMN}", county.region_admin)
    assert [
        (s["name"], s["entrustments"]["entrusted"], s["entrustments"]["acknowledged"]) for s in region["schools"]
    ] == [("评估一小", 1, 1), ("评估二小", 1, 0), ("评估三小", 0, 0)]
    assert (region["entrustments"]["left_behind"], region["entrustments"]["entrusted"]) == (4, 2)
