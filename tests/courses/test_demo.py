"""The parent school's demo data: a term of courses across kinds and categories, counters matching the rows."""

import pytest
import sqlalchemy as sa

from jlt_family.courses.models import ActivityKind, Course, CourseSession, Enrolment, EnrolmentStatus, SessionStatus
from jlt_family.devtools.demo import seed_demo
from jlt_family.organizations.models import Region, School
from jlt_family.reports import service
from jlt_family.reports.periods import resolve_period
from tests.clock import MID_TERM
from tests.factories import dev_login_headers


def test_the_demo_has_a_term_of_courses_with_consistent_counters(db, client):
    summary = seed_demo()
    db.session.commit()
    courses = db.session.scalars(sa.select(Course)).all()
    # the matching demo adds the draft courses of the needs it accepted
    assert summary["courses"] + summary.get("courses_from_needs", 0) == len(courses) >= 10
    assert len({c.activity_kind for c in courses}) == 8
    assert len({c.category for c in courses}) >= 7
    assert {c.provider_kind.value for c in courses} == {"school", "alliance", "community", "region"}
    for session in db.session.scalars(sa.select(CourseSession)):
        statuses = db.session.scalars(sa.select(Enrolment.status).where(Enrolment.session_id == session.id)).all()
        waiting = statuses.count(EnrolmentStatus.WAITLISTED)
        assert (session.taken, session.waitlisted) == (len(statuses) - waiting, waiting)
        assert session.taken <= session.capacity
    login = client.post("/api/v1/auth/dev-login", json={"openid": "demo-parent-1"})
    headers = {"Authorization": f"Bearer {login.json['token']}"}
    catalogue = client.get("/api/v1/courses?page_size=100", headers=headers).json
    assert {item["provider"]["kind"] for item in catalogue["items"]} == {"school", "alliance", "community", "region"}


@pytest.mark.time_machine(MID_TERM)
def test_the_demo_records_who_attended_its_past_coordination_meetings(db, client):
    seed_demo()
    db.session.commit()
    meetings = db.session.scalars(
        sa.select(CourseSession)
        .join(Course, Course.id == CourseSession.course_id)
        .where(Course.activity_kind == ActivityKind.ALLIANCE_MEETING, CourseSession.status == SessionStatus.HELD)
    ).all()
    assert meetings
    headers = dev_login_headers(client, "demo-alliance-admin")
    for meeting in meetings:
        body = client.get(f"/api/v1/course-sessions/{meeting.id}/meeting-attendance", headers=headers).json
        assert body["families"] > 0 and body["community"] > 0 and body["resource_units"] > 0
        assert body["all_kinds_attended"] is True and "兴安盟科技馆" in body["note"]
    county = db.session.scalar(sa.select(Region).where(Region.code == "152201"))
    attendees = service.region_report(county, resolve_period(county))["alliances"][0]["coordination_meetings"][
        "attendees"
    ]
    assert attendees["families"] > 0 and attendees["meetings_with_all_kinds"] == len(meetings)


@pytest.mark.time_machine(MID_TERM)
def test_the_demo_school_held_its_own_coordination_meeting_and_its_compliance_shows_it(db, client):
    """各学校每学年至少召开1次"教联体"工作协调会 (001 §二(二)1): the demo's first school holds its own meeting, so its
    compliance page shows the yearly rule met rather than an empty row."""
    seed_demo()
    db.session.commit()
    school = db.session.scalar(sa.select(School).where(School.name == "乌兰浩特市第一小学"))
    headers = dev_login_headers(client, "demo-school-admin")
    body = client.get(f"/api/v1/schools/{school.id}/course-compliance", headers=headers).json
    meeting = {item["activity_kind"]: item for item in body["year"]["items"]}["alliance_meeting"]
    assert (meeting["held"], meeting["met"]) == (1, True)
