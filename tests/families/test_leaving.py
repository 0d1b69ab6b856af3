"""退出家庭 for a guardian with history: the guardian row stays (pseudonymised, unlinked from the user and the
family), every history row stays and the reports count the same; the user may sign in afresh and join another
family; the family's remaining guardian is unaffected; places in sessions not yet started are given back."""

import sqlalchemy as sa

from jlt_family.core.extensions import db
from jlt_family.courses.models import CourseSession, Enrolment, EnrolmentStatus, Feedback
from jlt_family.families.models import DEPARTED_GUARDIAN_NAME, Guardian, GuardianRelation
from tests.courses import matrix as courses_matrix
from tests.fuzz.world import seeded_world

API = "/api/v1"
# What a guardian may have left behind, each through the API or the matrix's records (checked to be there).
HISTORY_KINDS = {
    "course_enrolment",
    "course_feedback",
    "venue_booking",
    "venue_feedback",
    "visit_event",
    "visit_feedback",
    "subscribe_consent",
    "reminder",
    "reminder_mute",
    "care_entrustment",
    "binding_request",
    "family_invite",
}
TEMPLATES = {"course_session": {"template_id": "TPL-COURSE", "page": "pages/course/session", "fields": {}}}


def _guardian_of(user):
    return db.session.scalar(sa.select(Guardian).where(Guardian.user_id == user.id))


def _history(user_id, guardian_id):
    """{table: rows} of every table with a column pointing at the user or the guardian, for these two."""
    found = {}
    for table in db.metadata.sorted_tables:
        columns = [
            fk.parent
            for fk in table.foreign_keys
            if (fk.column.table.name, fk.column.name) in (("user", "id"), ("guardian", "id"))
            and table.name not in ("guardian", "user_session", "idempotency_record")
        ]
        for column in columns:
            value = guardian_id if column.references(db.metadata.tables["guardian"].c.id) else user_id
            n = db.session.scalar(sa.select(sa.func.count()).select_from(table).where(column == value))
            if n:
                found[f"{table.name}.{column.name}"] = n
    feedback = db.session.scalar(
        sa.select(sa.func.count()).select_from(Feedback).join(Enrolment).where(Enrolment.guardian_id == guardian_id)
    )
    if feedback:
        found["course_feedback.enrolment_id"] = feedback
    return found


def _act_as_guardian_a(call, world):
    """Everything the permission matrix lets guardian_a write (enrol, feedback, book, reply to a visit ...)."""
    from sqlalchemy.exc import MultipleResultsFound

    from tests.matrix_support import Form
    from tests.test_permission_matrix import ENDPOINTS

    requests = []
    for _name, method, path, body, expected in ENDPOINTS:
        if method in ("POST", "PUT", "PATCH") and 200 <= expected["guardian_a"] < 300:
            try:
                url, payload = path(world), body(world) if body else None
            except MultipleResultsFound:  # a record the seeding already made twice (an inbox message)
                db.session.rollback()
                continue
            if "/auth/" not in url:
                requests.append((method, url, payload))
    db.session.commit()
    for method, url, payload in requests:
        kwargs = (
            {"data": dict(payload), "content_type": "multipart/form-data"}
            if isinstance(payload, Form)
            else {"json": payload}
            if payload is not None
            else {}
        )
        call(method, url, world.guardian_a, **kwargs)
        db.session.commit()


def _report(call, world):
    response = call("GET", f"{API}/reports/schools/{world.school.id}", world.school_admin)
    assert response.status_code == 200, response.json
    return response.json


def test_a_guardian_with_every_kind_of_history_leaves_and_the_history_stays(call, make, configure):
    configure(WECHAT_TEMPLATES=TEMPLATES)
    world = seeded_world(make)
    second = make.guardian(family=world.family_a, relation=GuardianRelation.FATHER)
    db.session.commit()
    _act_as_guardian_a(call, world)
    assert (
        call("POST", f"{API}/me/subscribe-consents", world.guardian_a, json={"accepted": ["TPL-COURSE"]}).status_code
        == 200
    )
    guardian = _guardian_of(world.guardian_a)
    before = _history(world.guardian_a.id, guardian.id)
    assert {key.split(".")[0] for key in before} >= HISTORY_KINDS, before
    report = _report(call, world)

    response = call("DELETE", f"{API}/family/guardians/me", world.guardian_a)
    assert response.status_code == 204, response.get_json()

    db.session.expire_all()
    assert _history(world.guardian_a.id, guardian.id) == before
    assert _report(call, world) == report
    departed = db.session.get(Guardian, guardian.id)
    assert (departed.user_id, departed.family_id, departed.left_family_id) == (None, None, world.family_a.id)
    assert departed.name == DEPARTED_GUARDIAN_NAME and departed.left_at is not None
    # the family's remaining guardian: unaffected, now the primary one, the children still theirs
    family = call("GET", f"{API}/family", second.user).json
    assert [g["id"] for g in family["guardians"]] == [second.id]
    assert family["guardians"][0]["is_primary"] is True
    assert [c["id"] for c in family["children"]] == [world.child_a.id]
    # the user who left: no family, may join another one, and signs in afresh as the same person
    assert call("GET", f"{API}/family", world.guardian_a).json["code"] == "family_not_found"
    invite = call("POST", f"{API}/family/invites", world.guardian_b).json
    joined = call(
        "POST",
        f"{API}/family/invites/redeem",
        world.guardian_a,
        json={"code": invite["code"], "relation": "mother", "name": "甲家长"},
    )
    assert joined.status_code == 201, joined.json
    assert _guardian_of(world.guardian_a).family_id == world.family_b.id


def test_the_roster_of_a_past_session_shows_the_departed_guardian_without_a_phone(call, make, world):
    cast = courses_matrix._cast(world)
    make.guardian(family=world.family_a, relation=GuardianRelation.FATHER)
    db.session.commit()
    assert call("DELETE", f"{API}/family/guardians/me", world.guardian_a).status_code == 204
    roster = call("GET", f"{API}/course-sessions/{cast.past.id}/enrolments", world.teacher_a)
    assert roster.status_code == 200, roster.json
    [item] = roster.json["items"]
    assert (item["guardian_name"], item["phone"], item["status"]) == (DEPARTED_GUARDIAN_NAME, None, "attended")


def test_places_in_sessions_not_started_are_given_back_and_the_waitlist_moves_up(call, make, world):
    cast = courses_matrix._cast(world)
    full = cast.later
    full.capacity = 1
    waiting_user = world.guardian_b
    db.session.commit()
    assert (
        call("POST", f"{API}/course-sessions/{full.id}/enrolments", waiting_user, json={}).json["status"]
        == "waitlisted"
    )
    make.guardian(family=world.family_a, relation=GuardianRelation.FATHER)
    db.session.commit()

    assert call("DELETE", f"{API}/family/guardians/me", world.guardian_a).status_code == 204

    db.session.expire_all()
    held = db.session.get(Enrolment, cast.booked.id)
    assert held.status == EnrolmentStatus.CANCELLED and held.active_key is None
    promoted = db.session.scalar(
        sa.select(Enrolment).where(Enrolment.session_id == full.id, Enrolment.user_id == waiting_user.id)
    )
    assert promoted.status == EnrolmentStatus.ENROLLED
    session = db.session.get(CourseSession, full.id)
    assert (session.taken, session.waitlisted) == (1, 0)
    assert db.session.get(Enrolment, cast.live_booked.id).status == EnrolmentStatus.CANCELLED  # starts in 10 min
    # what already happened stays: the ended session's attendance
    past = db.session.scalar(sa.select(Enrolment).where(Enrolment.session_id == cast.past.id))
    assert past.status == EnrolmentStatus.ATTENDED


def test_the_last_guardian_of_a_child_with_history_still_cannot_leave(call, world):
    courses_matrix._cast(world)
    response = call("DELETE", f"{API}/family/guardians/me", world.guardian_a)
    assert (response.status_code, response.json["code"]) == (409, "last_guardian")
    db.session.expire_all()
    assert _guardian_of(world.guardian_a).family_id == world.family_a.id


def test_two_guardians_who_both_left_can_both_be_kept(call, make, world):
    """Departed rows do not collide with each other (no user, no family) and the family keeps its last one."""
    courses_matrix._cast(world)
    second = make.guardian(family=world.family_a, relation=GuardianRelation.FATHER)
    third = make.guardian(family=world.family_a, relation=GuardianRelation.OTHER)
    db.session.commit()
    assert call("DELETE", f"{API}/family/guardians/me", world.guardian_a).status_code == 204
    assert call("DELETE", f"{API}/family/guardians/me", second.user).status_code == 204
    last = call("DELETE", f"{API}/family/guardians/me", third.user)
    assert (last.status_code, last.json["code"]) == (409, "last_guardian")
    db.session.expire_all()
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Guardian).where(Guardian.left_family_id == world.family_a.id)
        )
        == 2
    )


def test_what_is_still_to_be_sent_about_the_family_is_cancelled_for_the_one_who_left(call, make, world):
    """A departed guardian gets no more reminders of the family's visits and bookings; sent ones stay in their
    inbox, the remaining guardian's stay planned, and what the user receives as a teacher is not touched."""
    from jlt_family.reminders.models import Reminder, ReminderStatus
    from tests.reminders.support import add_reminder
    from tests.venues import matrix as venues_matrix
    from tests.visits import matrix as visits_matrix

    second = make.guardian(family=world.family_a, relation=GuardianRelation.FATHER)
    visit_id = visits_matrix._scheduled(world)
    booking = venues_matrix._booking(world)
    rows = {
        "visit": add_reminder(db, world.guardian_a, kind="home_visit", subject_type="home_visit", subject_id=visit_id),
        "booking": add_reminder(
            db, world.guardian_a, kind="venue_booking", subject_type="venue_booking", subject_id=booking.id
        ),
        "sent": add_reminder(
            db,
            world.guardian_a,
            kind="venue_booking",
            subject_type="venue_booking",
            subject_id=booking.id,
            status=ReminderStatus.SENT,
        ),
        "other_guardian": add_reminder(
            db, second.user, kind="home_visit", subject_type="home_visit", subject_id=visit_id
        ),
        "not_the_family": add_reminder(
            db, world.guardian_a, kind="home_visit", subject_type="home_visit", subject_id=visit_id + 1
        ),  # not the family's
    }
    db.session.commit()

    assert call("DELETE", f"{API}/family/guardians/me", world.guardian_a).status_code == 204

    db.session.expire_all()
    status = {name: db.session.get(Reminder, row.id).status for name, row in rows.items()}
    assert status == {
        "visit": ReminderStatus.CANCELLED,
        "booking": ReminderStatus.CANCELLED,
        "sent": ReminderStatus.SENT,
        "other_guardian": ReminderStatus.PENDING,
        "not_the_family": ReminderStatus.PENDING,
    }
