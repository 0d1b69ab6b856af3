"""Proposals: which resources fit a need, in which order, why, and what limits them; in a bounded number of
queries whatever the number of units."""

import datetime as dt

from jlt_family.courses.models import CourseCategory
from jlt_family.matching.models import NeedTopic
from jlt_family.organizations.models import ResourceUnitKind
from jlt_family.venues.models import OfferingKind, SlotStatus
from tests.courses import helpers as course_helpers
from tests.matching import helpers
from tests.matching.helpers import API


def _proposals(call, user, need):
    response = call("GET", f"{API}/needs/{need.id}/proposals?page_size=100", user)
    assert response.status_code == 200, response.json
    return response.json["items"]


def test_alliance_units_come_first_then_the_county_and_no_other_county(call, make, world, db, open_need):
    county_unit = make.resource_unit(region=world.county, name="县科普基地", kind=ResourceUnitKind.SCIENCE_BASE)
    far_unit = make.resource_unit(region=world.other_county, name="邻县科技馆")
    far_member = make.resource_unit(region=world.other_county, name="邻县成员科技馆", alliances=[world.alliance])
    ours = helpers.offering(db, world.venue)
    county = helpers.offering(db, county_unit)
    helpers.offering(db, far_unit)
    member = helpers.offering(db, far_member)
    db.session.commit()
    items = _proposals(call, world.school_admin, open_need)
    assert [p["key"] for p in items] == [f"offering:{ours.id}", f"offering:{member.id}", f"offering:{county.id}"]
    assert [p["rank"] for p in items] == [1, 2, 3]
    assert items[0]["serves_alliance"] and items[0]["same_county"]
    assert items[1]["serves_alliance"] and not items[1]["same_county"]
    assert not items[2]["serves_alliance"] and not items[2]["green_channel"]


def test_kind_grades_and_activity_filter_the_offerings(call, make, world, db, open_need):
    library = make.resource_unit(region=world.county, name="县图书馆", kind=ResourceUnitKind.LIBRARY)
    helpers.offering(db, library, kind=OfferingKind.READING)  # a library does not serve 科学教育
    helpers.offering(db, world.venue, kind=OfferingKind.SPORTS)  # nor does a sports offering
    helpers.offering(db, world.venue, min_grade=7, max_grade=9)  # grades 7–9 miss 3–5
    helpers.offering(db, world.venue, is_active=False)
    partial = helpers.offering(db, world.venue, min_grade=4, max_grade=6)
    db.session.commit()
    [only] = _proposals(call, world.school_admin, open_need)
    assert only["key"] == f"offering:{partial.id}"
    assert "仅适合四年级至六年级，需求为三年级至五年级" in only["limits"]


def test_a_small_venue_is_proposed_with_its_limit_and_ranked_after_one_that_fits(call, make, world, db, open_need):
    small = helpers.offering(db, world.venue, title="小展厅", capacity=30, green_quota=0)
    big = helpers.offering(db, world.venue, title="大展厅", capacity=80, green_quota=20)
    for offering in (small, big):
        helpers.slot(db, offering, days=2)
        helpers.slot(db, offering, days=5)
    db.session.commit()
    items = _proposals(call, world.school_admin, open_need)
    assert [p["offering"]["title"] for p in items] == ["大展厅", "小展厅"]
    small_view = items[1]
    assert "每场可接待团体 30 人 < 40 人，需分 2 场" in small_view["limits"]
    assert small_view["slots_needed"] == 2
    assert "期间有 2 个场次有空余名额，分 2 场可容纳全部人数" in small_view["reasons"]
    assert "期间有 2 个场次有空余名额，其中 2 个可容纳全部 40 人" in items[0]["reasons"]


def test_only_open_slots_in_the_period_with_places_are_listed(call, world, db):
    need = helpers.need(db, world.school, world.school_admin, ends_on=helpers.today() + dt.timedelta(days=5))
    offering = helpers.offering(db, world.venue)
    inside = helpers.slot(db, offering, days=2)
    helpers.slot(db, offering, days=3, general_taken=40, green_taken=20)  # full
    helpers.slot(db, offering, days=4, status=SlotStatus.CLOSED)
    helpers.slot(db, offering, days=8)  # after the period
    helpers.slot(db, offering, days=-1)  # past
    db.session.commit()
    [proposal] = _proposals(call, world.school_admin, need)
    assert [s["id"] for s in proposal["slots"]] == [inside.id]
    assert proposal["slots"][0]["places_left"] == 40
    assert proposal["open_slots"] == 1


def test_no_slot_yet_is_a_limit_not_an_exclusion(call, world, db, open_need):
    helpers.offering(db, world.venue)
    db.session.commit()
    [proposal] = _proposals(call, world.school_admin, open_need)
    assert proposal["slots"] == [] and proposal["open_slots"] == 0
    assert proposal["limits"] == ["期间的场次尚未全部发布（场馆提前 30 天发布场次）"]


def test_parent_education_proposes_community_schools_the_alliance_and_the_county(call, make, world, db):
    community = make.resource_unit(
        region=world.county, name="兴安社区家长学校", kind=ResourceUnitKind.COMMUNITY, alliances=[world.alliance]
    )
    other = make.resource_unit(region=world.county, name="民主社区家长学校", kind=ResourceUnitKind.COMMUNITY)
    make.resource_unit(region=world.other_county, name="邻县社区家长学校", kind=ResourceUnitKind.COMMUNITY)
    course_helpers.course(db, community, world.venue_staff, category=CourseCategory.MENTAL_HEALTH)
    course_helpers.course(db, community, world.venue_staff, category=CourseCategory.MENTAL_HEALTH)
    course_helpers.course(db, other, world.venue_staff, category=CourseCategory.SAFETY)
    need = helpers.need(
        db,
        world.school,
        world.school_admin,
        topic=NeedTopic.PARENT_EDUCATION,
        course_category=CourseCategory.MENTAL_HEALTH,
        headcount=60,
    )
    db.session.commit()
    items = _proposals(call, world.school_admin, need)
    assert [p["key"] for p in items] == [
        f"community:{community.id}",
        f"alliance:{world.alliance.id}",
        f"community:{other.id}",
        f"region:{world.county.id}",
    ]
    assert "已开设 2 门「心理调适」课程" in items[0]["reasons"]
    assert "尚未开设过「心理调适」课程" in items[2]["limits"]
    assert items[0]["provider"] == {
        "kind": "community",
        "kind_label": "社区家长学校",
        "id": community.id,
        "name": "兴安社区家长学校",
    }


def test_proposals_take_a_bounded_number_of_queries(call, make, world, db, count_queries, open_need):
    def measured():
        call("GET", f"{API}/needs/{open_need.id}/proposals", world.school_admin)  # warm: token and scopes
        with count_queries() as counted:
            assert call("GET", f"{API}/needs/{open_need.id}/proposals", world.school_admin).status_code == 200
        return counted.n

    offering = helpers.offering(db, world.venue)
    helpers.slot(db, offering, days=2)
    db.session.commit()
    few = measured()
    for i in range(12):
        unit = make.resource_unit(region=world.county, alliances=[world.alliance] if i % 2 else [])
        for days in (2, 3, 4):
            helpers.slot(db, helpers.offering(db, unit), days=days)
    db.session.commit()
    assert measured() == few
