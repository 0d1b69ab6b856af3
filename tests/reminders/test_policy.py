"""Whose policy applies when an event names no school (courses of an alliance, a community or a county): each
recipient's own alliance, through their children's school (guardians) or their own school (staff)."""

import datetime as dt

import sqlalchemy as sa

from jlt_family.core.timeutil import SHANGHAI, utcnow
from jlt_family.organizations.models import StaffMembership, StaffRole
from jlt_family.reminders import service
from jlt_family.reminders.models import Reminder
from jlt_family.reminders.policy import Policy, own_alliance_ids, policies_for
from tests.courses import helpers as courses
from tests.reminders.support import NOW

STARTS = dt.datetime(2026, 11, 23, 15, 0, tzinfo=SHANGHAI)  # a Monday afternoon, three days after NOW


def _alliance(make, lead_minutes):
    alliance = make.alliance(reminder_lead_minutes=lead_minutes)
    return alliance, make.school_class(school=make.school(alliance=alliance))


def _guardian(make, *classes):
    family = make.family()
    user = make.user()
    make.guardian(family=family, user=user)
    for school_class in classes:
        make.student(school_class, family)
    return user


def _schedule(user_ids, school_id=None):
    return service.schedule(
        kind="course_session",
        subject_type="course_session",
        subject_id=3,
        user_ids=user_ids,
        starts_at=STARTS,
        ends_at=STARTS + dt.timedelta(hours=2),
        title="家庭教育讲座",
        page="pages/course/session?id=3",
        school_id=school_id,
        now=NOW,
    )


def _plans(db):
    """{user_id: (alliance_id, [lead minutes])} of the reminders written."""
    db.session.expire_all()
    plans = {}
    for row in db.session.scalars(sa.select(Reminder).order_by(Reminder.user_id, Reminder.due_at)):
        alliance_id, leads = plans.setdefault(row.user_id, (row.alliance_id, []))
        leads.append(int((STARTS - row.due_at).total_seconds() // 60))
    return plans


def test_a_guardian_gets_the_alliance_of_their_childs_school(make, world, db):
    north, north_class = _alliance(make, [300])
    lone = _guardian(make, make.school_class(school=make.school()))  # a school outside any alliance
    parent = _guardian(make, north_class)
    db.session.commit()
    _schedule([world.guardian_a.id, parent.id, lone.id])
    assert _plans(db) == {
        world.guardian_a.id: (world.alliance.id, [1440, 120]),
        parent.id: (north.id, [300]),
        lone.id: (None, [1440, 120]),
    }


def test_with_several_children_the_first_childs_alliance_applies(make, db):
    north, north_class = _alliance(make, [300])
    south, south_class = _alliance(make, [30])
    both = _guardian(make, make.school_class(school=make.school()), north_class, south_class)
    db.session.commit()
    assert own_alliance_ids([both.id]) == {both.id: north.id}  # the first child with an alliance, by id
    assert policies_for(None, [both.id])[both.id].lead_minutes == (300,)


def test_staff_get_the_alliance_of_their_school(make, world, db):
    north, north_class = _alliance(make, [300])
    teacher = make.teacher(north_class.school)
    db.session.commit()
    policies = policies_for(None, [world.teacher_a.id, teacher.id, world.stranger.id, world.venue_staff.id])
    assert {user_id: p.alliance_id for user_id, p in policies.items()} == {
        world.teacher_a.id: world.alliance.id,
        teacher.id: north.id,
        world.stranger.id: None,
        world.venue_staff.id: None,
    }
    assert policies[world.stranger.id] == Policy()


def test_a_revoked_grant_gives_no_alliance(make, world, db):
    teacher = make.teacher(world.school)
    db.session.execute(
        sa.update(StaffMembership)
        .where(StaffMembership.user_id == teacher.id)
        .values(revoked_at=utcnow(), active_key=None)
    )
    make.grant(teacher, StaffRole.SCHOOL_ADMIN, make.school())  # a school outside any alliance
    db.session.commit()
    assert own_alliance_ids([teacher.id]) == {}


def test_a_named_school_decides_for_everyone(make, world, db):
    north, north_class = _alliance(make, [300])
    parent = _guardian(make, north_class)
    db.session.commit()
    _schedule([world.guardian_a.id, parent.id], school_id=world.school.id)
    assert {user_id: alliance_id for user_id, (alliance_id, _) in _plans(db).items()} == {
        world.guardian_a.id: world.alliance.id,
        parent.id: world.alliance.id,
    }


def test_a_notice_without_a_school_keeps_each_users_quiet_hours(make, world, db):
    north, north_class = _alliance(make, [300])
    north.quiet_hours_start, north.quiet_hours_end = dt.time(23, 0), dt.time(6, 0)
    parent = _guardian(make, north_class)
    db.session.commit()
    late = dt.datetime(2026, 11, 20, 22, 30, tzinfo=SHANGHAI).astimezone(dt.UTC)
    service.notice(
        kind="venue_green_suspended",
        subject_type="venue_green_suspension",
        subject_id=1,
        user_ids=[world.guardian_a.id, parent.id],
        title="绿色通道已暂停",
        body="",
        page="",
        school_id=None,
        now=late,
    )
    db.session.expire_all()
    due = {r.user_id: (r.alliance_id, r.due_at) for r in db.session.scalars(sa.select(Reminder))}
    seven = dt.datetime(2026, 11, 21, 7, 0, tzinfo=SHANGHAI).astimezone(dt.UTC)
    assert due == {world.guardian_a.id: (world.alliance.id, seven), parent.id: (north.id, late)}


def test_an_alliance_course_reminds_with_the_guardians_own_alliance(call, world, db):
    world.alliance.reminder_lead_minutes = [300]
    course = courses.course(db, world.alliance, world.alliance_admin, title="教联体家长课堂")
    session = courses.session(db, course, starts_in=dt.timedelta(days=3))
    db.session.commit()
    answer = call("POST", f"/api/v1/course-sessions/{session.id}/enrolments", world.guardian_a)
    assert answer.status_code == 201, answer.json
    db.session.expire_all()
    [reminder] = db.session.scalars(sa.select(Reminder)).all()
    assert reminder.alliance_id == world.alliance.id
    assert reminder.inbox_at == session.starts_at - dt.timedelta(minutes=300)
