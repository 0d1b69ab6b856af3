"""The parent school's demo data: a term of courses across kinds and categories, counters matching the rows."""

import sqlalchemy as sa

from jlt_family.courses.models import Course, CourseSession, Enrolment, EnrolmentStatus
from jlt_family.devtools.demo import seed_demo


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
