"""家访周报: the homeroom teachers' weekly digest on a frozen clock, once per teacher and week."""

import datetime as dt
import threading

import pytest
import sqlalchemy as sa
from apscheduler.triggers.cron import CronTrigger

from jlt_family.core.scheduler import registered_jobs
from jlt_family.core.timeutil import SHANGHAI, utcnow
from jlt_family.organizations.models import StaffMembership
from jlt_family.reminders import digest
from jlt_family.reminders.models import Reminder, ReminderStatus
from jlt_family.visits.models import HomeVisit, VisitMode, VisitPurpose, VisitState

MONDAY = dt.datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI).astimezone(dt.UTC)  # ISO week 2026-W48


def _visited(db, world, student, school_year=2026, start=dt.datetime(2026, 10, 10, 2, tzinfo=dt.UTC)):
    db.session.add(
        HomeVisit(
            student=student,
            school_id=student.school_id,
            class_id=student.class_id,
            school_year=school_year,
            mode=VisitMode.HOME,
            purpose=VisitPurpose.ACADEMIC,
            state=VisitState.COMPLETED,
            proposed_by_id=world.teacher_a.id,
            awaiting=None,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
        )
    )
    db.session.flush()


@pytest.fixture
def classes(make, world, db):
    """class_a: child_a (left-behind), one more child not visited, one in difficulty visited, one visited only
    last school year; class_b: child_b; class_c: nobody; and teacher_a's class of last year, never visited."""
    make.student(world.class_a, name="王小一")
    _visited(db, world, make.student(world.class_a, name="王小二", in_difficulty=True))
    _visited(
        db,
        world,
        make.student(world.class_a, name="王小三"),
        school_year=2025,
        start=dt.datetime(2026, 5, 10, 2, tzinfo=dt.UTC),
    )  # held last school year
    last_year = make.school_class(school=world.school, homeroom=world.teacher_a, school_year=2025)
    make.student(last_year, left_behind=True)
    db.session.commit()


def _digests(db):
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Reminder).where(Reminder.kind == "visit_digest").order_by(Reminder.id))
    return {row.user_id: row for row in rows}


def test_each_homeroom_teacher_gets_the_count_of_students_not_yet_visited(world, db, classes):
    assert digest.send_weekly_digests(MONDAY) == 2
    digests = _digests(db)
    assert set(digests) == {world.teacher_a.id, world.teacher_b.id}  # teacher_c's class has nobody to visit
    mine = digests[world.teacher_a.id]
    assert mine.title == "家访周报：3 名学生待家访"
    assert f"{world.class_a.name}：重点关注儿童 1 名、其他学生 2 名" in mine.body
    assert "优先安排重点关注儿童" in mine.body
    assert (mine.subject_type, mine.subject_id, mine.status, mine.due_at) == (
        "visit_digest",
        202648,
        ReminderStatus.PENDING,
        MONDAY,
    )
    assert (mine.alliance_id, mine.page) == (world.alliance.id, "pages/visit/todo")
    assert "重点关注儿童 0 名、其他学生 1 名" in digests[world.teacher_b.id].body


def test_a_second_run_in_the_same_week_sends_nothing(world, db, classes):
    digest.send_weekly_digests(MONDAY)
    assert digest.send_weekly_digests(MONDAY + dt.timedelta(days=3)) == 0
    assert len(_digests(db)) == 2
    assert digest.send_weekly_digests(MONDAY + dt.timedelta(days=7)) == 2
    weeks = db.session.scalars(sa.select(Reminder.subject_id).where(Reminder.user_id == world.teacher_a.id))
    assert sorted(weeks) == [202648, 202649]


def test_a_teacher_no_longer_at_the_school_gets_no_digest(world, db, classes):
    db.session.execute(
        sa.update(StaffMembership)
        .where(StaffMembership.user_id == world.teacher_b.id)
        .values(revoked_at=utcnow(), active_key=None)
    )
    db.session.commit()
    digest.send_weekly_digests(MONDAY)
    assert set(_digests(db)) == {world.teacher_a.id}


def test_the_job_runs_on_monday_at_eight_in_shanghai(world, db, classes):
    func, trigger = registered_jobs()["reminders_visit_digest"]
    options = {key: value for key, value in trigger.items() if key != "trigger"}
    assert trigger["trigger"] == "cron"
    friday = dt.datetime(2026, 11, 20, 23, 0, tzinfo=SHANGHAI)
    assert CronTrigger(**options).get_next_fire_time(None, friday) == dt.datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI)
    func()
    db.session.commit()
    assert len(_digests(db)) == 2


def test_two_schedulers_at_once_send_one_digest_per_teacher(app, make, world, db):
    teachers = [make.teacher(world.school) for _ in range(30)]
    for teacher in teachers:
        make.student(make.school_class(school=world.school, homeroom=teacher))
    db.session.commit()
    barrier = threading.Barrier(3)
    written = []

    def run():
        with app.app_context():
            barrier.wait()
            written.append(digest.send_weekly_digests(MONDAY))
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    per_user = db.session.execute(
        sa.select(Reminder.user_id, sa.func.count()).where(Reminder.kind == "visit_digest").group_by(Reminder.user_id)
    ).all()
    assert len(per_user) == 32 and {count for _, count in per_user} == {1}  # 30 + teacher_a and teacher_b
    assert sum(written) == 32
