"""The school_id of the reminder contract: a school's course sends its school; wider courses send None (the
reminders module then takes each parent's policy from their own child's school)."""

import pytest

from jlt_family.courses import planning
from jlt_family.organizations.models import ResourceUnitKind


def _provider(world, make, kind):
    if kind == "community":
        return make.resource_unit(region=world.county, alliances=[world.alliance], kind=ResourceUnitKind.COMMUNITY)
    return {"school": world.school, "alliance": world.alliance, "region": world.county}[kind]


@pytest.mark.parametrize("kind", ["school", "alliance", "community", "region"])
def test_reminder_events_carry_the_school_only_for_a_schools_course(kind, call, h, db, world, make, sent):
    session = h.session(db, h.course(db, _provider(world, make, kind), world.teacher_a), capacity=1)
    db.session.commit()
    expected = world.school.id if kind == "school" else None
    enrolments = f"/api/v1/course-sessions/{session.id}/enrolments"
    first = call("POST", enrolments, world.guardian_a).json
    assert call("POST", enrolments, world.guardian_b).json["status"] == "waitlisted"
    assert call("POST", f"/api/v1/course-enrolments/{first['id']}/cancel", world.guardian_a).status_code == 200
    planning.cancel_session(session, reason="讲师临时有事", actor_id=None)
    db.session.commit()

    schedules = [(kw["user_ids"], kw["school_id"]) for _, kw in sent["schedule"]]
    assert schedules == [([world.guardian_a.id], expected), ([world.guardian_b.id], expected)]
    notices = [(kw["kind"], kw["school_id"]) for _, kw in sent["notice"]]
    assert notices == [("course_waitlist_promoted", expected), ("course_session_cancelled", expected)]
