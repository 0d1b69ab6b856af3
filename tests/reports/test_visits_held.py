"""Home visits count when they were held, through the API, against the hand-counted county:

- dated by the record's time, not the agreed window: s10's visit (评估二小) agreed for 2 February, held on
  30 January, counts in the autumn term, and its rating with it;
- the school year from when it was held: s6's visit proposed on 25 August 2026 (stamped school year 2025) for
  1 September counts in 2026, not in 2025;
- the teacher's class view, the administrators' aggregate and the report give one answer for one class and year
  (the placement history: 2班 has a mover in, s3, and one promoted out before the year's end, s6; 1班 a leaver).
"""

import pytest

from tests.reports import scenario

API = "/api/v1"


@pytest.fixture
def county(make):
    return scenario.build(make)


def _school_report(call, county, query, user=None, school=None):
    school = school or county.school
    response = call("GET", f"{API}/reports/schools/{school.id}?{query}", user or county.region_admin)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _classes(report):
    return {c["name"]: (c["students"], c["visited"]) for c in report["classes"]}


def test_a_visit_held_before_its_agreed_day_counts_in_the_term_it_was_held(call, county):
    autumn = _school_report(call, county, "school_year=2025&term=autumn", school=county.school2)
    assert _classes(autumn) == {"四年级1班": (3, 2)}  # s7 and s10 (held 30 Jan) visited; s8 not
    assert autumn["feedback"]["home_visits"] == {"count": 1, "average": 2.0}  # s10's rating with its visit
    spring = _school_report(call, county, "school_year=2025&term=spring", school=county.school2)
    assert spring["feedback"]["home_visits"] == {"count": 0, "average": None}  # not in the term agreed for


def test_the_alliance_and_the_county_date_the_visit_alike(call, county):
    alliance = call(
        "GET", f"{API}/reports/alliances/{county.alliance.id}?school_year=2025&term=autumn", county.alliance_admin
    ).get_json()
    region = call(
        "GET", f"{API}/reports/regions/{county.county.id}?school_year=2025&term=autumn", county.region_admin
    ).get_json()
    for report in (alliance, region):
        assert (report["coverage"]["students"], report["coverage"]["visited"]) == (9, 5)
        assert report["feedback"]["home_visits"] == {"count": 2, "average": 3.0}  # s1's 4 and s10's 2


def test_a_visit_proposed_in_august_for_september_counts_in_the_new_school_year(call, county):
    assert county.s6_visit.school_year == 2025  # stamped at proposal time, as the old code did
    new_year = _school_report(call, county, "school_year=2026&term=year")
    assert _classes(new_year) == {"四年级1班": (1, 1)}
    assert (new_year["coverage"]["students"], new_year["coverage"]["visited"]) == (1, 1)
    old_year = _school_report(call, county, "school_year=2025&term=year")
    assert _classes(old_year)["三年级2班"] == (3, 1)  # s6 counts here, not visited in 2025


@pytest.mark.parametrize(
    ("class_attr", "year", "expected"),
    [
        ("c1", 2025, (2, 2)),  # s3 moved out on 1 Dec, s4 left in March: not counted
        ("c2", 2025, (3, 1)),  # s3 moved in; s6 promoted on 25 Aug still counts here
        ("c_next", 2026, (1, 1)),  # s6, with the visit held on 1 September
    ],
)
def test_the_class_view_and_the_report_give_one_answer(call, county, class_attr, year, expected):
    school_class = getattr(county, class_attr)
    view = call("GET", f"{API}/classes/{school_class.id}/visit-coverage?page_size=100", county.school_admin)
    assert view.status_code == 200, view.get_json()
    view = view.get_json()
    report = _school_report(call, county, f"school_year={year}&term=year")
    row = next(c for c in report["classes"] if c["id"] == school_class.id)
    assert (view["students"], view["visited"]) == (row["students"], row["visited"]) == expected
    assert view["not_visited"]["total"] == row["students"] - row["visited"]
    assert all(item["school_class"]["id"] == school_class.id for item in view["not_visited"]["items"])


def test_the_past_classs_to_visit_list_is_its_own_roster(call, county):
    view = call("GET", f"{API}/classes/{county.c2.id}/visit-coverage", county.school_admin).get_json()
    # s6 is in next year's class now, but 2班 counts it for 2025; s3 moved in and was visited
    assert [item["name"] for item in view["not_visited"]["items"]] == ["去年家访", "升级生"]


def test_the_aggregate_agrees_with_the_report(call, county):
    for year in (2025, 2026):
        body = call(
            "GET", f"{API}/visit-coverage?school_id={county.school.id}&school_year={year}", county.school_admin
        ).get_json()
        report = _school_report(call, county, f"school_year={year}&term=year")
        assert (body["students"], body["visited"]) == (report["coverage"]["students"], report["coverage"]["visited"])
    assert (body["students"], body["visited"]) == (1, 1)
