"""The number of SQL statements of a report does not grow with the schools, classes or students in scope."""

import datetime as dt

from jlt_family.courses.models import ActivityKind, EnrolmentStatus
from jlt_family.reports import service
from jlt_family.reports.periods import resolve_period
from jlt_family.venues.models import BookingStatus, Channel
from tests.reports import scenario


def _county(make, schools, classes_per_school, students_per_class):
    county = make.region(name=f"县{schools}")
    alliances = [make.alliance(region=county) for _ in range(max(1, schools // 4))]
    unit = make.resource_unit(region=county, alliances=alliances)
    for n in range(schools):
        school = make.school(alliance=alliances[n % len(alliances)], region=county)
        for c in range(classes_per_school):
            school_class = make.school_class(school=school, school_year=scenario.YEAR, name=f"{c + 1}班")
            for i in range(students_per_class):
                student = make.student(school_class, left_behind=i % 2 == 0, in_difficulty=i % 3 == 0)
                if i % 2 == 0:
                    scenario.entrust(make, student, dt.date(scenario.YEAR, 9, 10))
                if i < students_per_class - 1:  # one student of each class is not visited
                    scenario.visit(make, student, school_class, scenario.at(scenario.YEAR, 10, 10))
        course = scenario.course(make, school, kind=ActivityKind.GUIDANCE)
        scenario.enrol(
            make, scenario.session(make, course, scenario.at(scenario.YEAR, 10, 1)), EnrolmentStatus.ATTENDED
        )
        scenario.booking(
            make,
            unit,
            school,
            scenario.at(scenario.YEAR, 10, 2, 10),
            channel=Channel.GENERAL,
            status=BookingStatus.NO_SHOW,
        )
    make.db.session.commit()
    return county, alliances[0]


def _statements(count_queries, build):
    with count_queries() as counted:
        report = build()
    return counted.n, report


def test_region_report_queries_do_not_grow(make, count_queries):
    small, _ = _county(make, schools=2, classes_per_school=1, students_per_class=2)
    large, _ = _county(make, schools=12, classes_per_school=3, students_per_class=4)
    n_small, report_small = _statements(
        count_queries, lambda: service.region_report(small, resolve_period(small, scenario.YEAR, "autumn"))
    )
    n_large, report_large = _statements(
        count_queries, lambda: service.region_report(large, resolve_period(large, scenario.YEAR, "autumn"))
    )
    assert report_small["coverage"]["students"] == 4 and report_large["coverage"]["students"] == 144
    assert report_large["coverage"]["visited"] == 108 and report_large["bookings"]["no_show"] == 12
    assert report_large["entrustments"]["entrusted"] == report_large["entrustments"]["left_behind"] == 72
    assert n_small == n_large <= 12


def test_alliance_and_school_report_queries_do_not_grow(make, count_queries):
    small, small_alliance = _county(make, schools=2, classes_per_school=1, students_per_class=1)
    large, large_alliance = _county(make, schools=12, classes_per_school=4, students_per_class=3)
    counts = []
    for alliance in (small_alliance, large_alliance):
        n, _ = _statements(
            count_queries, lambda a=alliance: service.alliance_report(a, resolve_period(a.region, scenario.YEAR))
        )
        counts.append(n)
    for alliance in (small_alliance, large_alliance):
        school = alliance.schools[0]
        n, report = _statements(
            count_queries, lambda s=school: service.school_report(s, resolve_period(s.region, scenario.YEAR))
        )
        counts.append(n)
    assert counts[0] == counts[1] <= 10 and counts[2] == counts[3] <= 10
    assert len(report["classes"]) == 4


def test_endpoint_queries_do_not_grow(make, call, count_queries):
    small, _ = _county(make, schools=2, classes_per_school=1, students_per_class=1)
    large, _ = _county(make, schools=12, classes_per_school=2, students_per_class=2)
    admin = make.user()
    make.grant(admin, "region_admin", small)
    make.grant(admin, "region_admin", large)
    make.db.session.commit()
    counts = []
    for region in (small, large):
        call("GET", f"/api/v1/reports/regions/{region.id}", admin)  # the same state before each counted call
        with count_queries() as counted:
            assert call("GET", f"/api/v1/reports/regions/{region.id}?school_year=2025", admin).status_code == 200
        counts.append(counted.n)
    assert counts[0] == counts[1]


def test_the_leaders_school_report_with_the_not_yet_visited_list_does_not_grow(make, call, count_queries, db):
    from jlt_family.organizations.models import StaffRole

    counts, listed = [], []
    for size in (1, 6):
        _county_region, alliance = _county(make, schools=2, classes_per_school=size, students_per_class=size)
        school = alliance.schools[0]
        leader = make.user()
        make.grant(leader, StaffRole.SCHOOL_ADMIN, school)
        make.db.session.commit()
        url = f"/api/v1/reports/schools/{school.id}?school_year={scenario.YEAR}&term=autumn"
        call("GET", url, leader)  # the same state before each counted call
        with count_queries() as counted:
            response = call("GET", url, leader)
        assert response.status_code == 200
        counts.append(counted.n)
        listed.append(len(response.get_json()["not_visited"]["items"]))
    assert listed == [1, 6] and counts[0] == counts[1]
