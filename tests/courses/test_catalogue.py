"""The catalogue parents browse: who sees which providers' courses, filters, order, flags, fixed query count."""

import datetime as dt

from jlt_family.core.timeutil import to_shanghai
from jlt_family.courses.models import CourseCategory, CourseFormat, EnrolmentStatus
from jlt_family.organizations.models import ResourceUnitKind


def _titles(call, user, query=""):
    response = call("GET", f"/api/v1/courses{query}", user)
    assert response.status_code == 200, response.json
    return [item["title"] for item in response.json["items"]]


def test_parents_see_their_schools_alliances_communities_and_counties_courses(call, h, db, world, make):
    community = make.resource_unit(region=world.county, alliances=[world.alliance], kind=ResourceUnitKind.COMMUNITY)
    far_alliance = make.alliance(region=world.other_county)
    for provider, title in [
        (world.school, "本校"),
        (world.alliance, "教联体"),
        (community, "社区"),
        (world.county, "县"),
        (world.city, "市"),
        (world.other_county, "外县"),
        (far_alliance, "外教联体"),
        (world.venue, "非社区单位"),
    ]:
        h.session(db, h.course(db, provider, world.region_admin, title=title))
    h.session(db, h.course(db, world.school, world.teacher_a, title="草稿", published=False))
    db.session.commit()
    assert set(_titles(call, world.guardian_a)) == {"本校", "教联体", "社区", "县", "市"}
    assert _titles(call, world.stranger) == []


def test_sorted_by_next_session_with_places_and_my_status(call, h, db, world, cast):
    soon = h.course(db, world.school, world.teacher_a, title="明天")
    h.session(db, soon, starts_in=dt.timedelta(days=1), capacity=2)
    h.course(db, world.school, world.teacher_a, title="没有场次")
    db.session.commit()
    items = call("GET", "/api/v1/courses", world.guardian_a).json["items"]
    assert [i["title"] for i in items] == [cast.course.title, "明天", "没有场次"]  # cast.course: live in 10 minutes
    assert items[0]["next_session"]["id"] == cast.live.id
    assert items[0]["my_enrolment"]["status"] == "enrolled"
    assert (items[1]["next_session"]["places_left"], items[1]["my_enrolment"]) == (2, None)
    assert items[2]["next_session"] is None


def test_waitlisted_shows_in_the_catalogue(call, h, db, world):
    session = h.session(db, h.course(db, world.school, world.teacher_a), capacity=1)
    h.enrolment(db, session, world.guardian_b)
    h.enrolment(db, session, world.guardian_a, status=EnrolmentStatus.WAITLISTED)
    db.session.commit()
    item = call("GET", "/api/v1/courses", world.guardian_a).json["items"][0]
    assert (item["my_enrolment"]["status"], item["next_session"]["places_left"]) == ("waitlisted", 0)


def test_filters(call, h, db, world):
    a = h.course(
        db,
        world.school,
        world.teacher_a,
        title="网络素养课",
        category=CourseCategory.INTERNET_LITERACY,
        format=CourseFormat.ONLINE_LIVE,
        grade_min=1,
        grade_max=3,
    )
    later = h.session(db, a, starts_in=dt.timedelta(days=10), capacity=1)
    b = h.course(
        db,
        world.school,
        world.teacher_a,
        title="安全护航",
        category=CourseCategory.SAFETY,
        description="防溺水与交通安全",
        grade_min=5,
        grade_max=6,
    )
    full = h.session(db, b, starts_in=dt.timedelta(days=2), capacity=1)
    h.enrolment(db, full, world.guardian_b)
    db.session.commit()
    user = world.guardian_a
    assert _titles(call, user, "?category=internet_literacy") == ["网络素养课"]
    assert _titles(call, user, "?format=online_live") == ["网络素养课"]
    assert _titles(call, user, "?grade=5") == ["安全护航"]
    assert _titles(call, user, f"?child_id={world.child_a.id}") == ["网络素养课"]  # child_a is in grade 3
    assert _titles(call, user, "?has_places=true") == ["网络素养课"]
    assert _titles(call, user, "?q=交通") == ["安全护航"]
    assert _titles(call, user, "?q=100%") == []
    day = to_shanghai(later.starts_at).date().isoformat()  # the API reads dates in Shanghai
    assert _titles(call, user, f"?date_from={day}") == ["网络素养课"]
    assert _titles(call, user, f"?date_to={day}") == ["安全护航", "网络素养课"]


def test_another_familys_child_filters_to_nothing(call, world):
    assert _titles(call, world.guardian_a, f"?child_id={world.child_b.id}") == []


def test_staff_scope_lists_drafts_of_the_courses_i_run(call, cast, world):
    assert cast.draft.title not in _titles(call, world.teacher_a)
    assert cast.draft.title in _titles(call, world.teacher_a, "?scope=staff")
    assert cast.draft.title in _titles(call, world.region_admin, "?scope=staff")
    assert _titles(call, world.other_school_admin, "?scope=staff") == []


def test_pagination_metadata(call, h, db, world):
    for n in range(3):
        h.course(db, world.school, world.teacher_a, title=f"课{n}")
    db.session.commit()
    body = call("GET", "/api/v1/courses?page=2&page_size=2", world.guardian_a).json
    assert (body["total"], body["page"], body["page_size"], len(body["items"])) == (3, 2, 2, 1)


def _statements(call, count_queries, user):
    call("GET", "/api/v1/courses", user)
    with count_queries() as counted:
        assert call("GET", "/api/v1/courses", user).status_code == 200
    return counted.n


def test_the_catalogue_runs_a_fixed_number_of_queries(call, h, db, world, make, count_queries):
    def add_courses():
        """Each batch adds new providers: a school of a new alliance (with a child of family_a), the alliance,
        a community parent school serving it, and the county."""
        alliance = make.alliance(region=world.county)
        school = make.school(alliance=alliance)
        make.student(make.school_class(school=school), world.family_a)
        community = make.resource_unit(region=world.county, alliances=[alliance], kind=ResourceUnitKind.COMMUNITY)
        for provider in (school, alliance, community, world.county):
            session = h.session(db, h.course(db, provider, world.region_admin))
            h.enrolment(db, session, world.guardian_a)
        db.session.commit()

    add_courses()
    few = _statements(call, count_queries, world.guardian_a)
    for _ in range(3):
        add_courses()
    assert _statements(call, count_queries, world.guardian_a) == few
