"""Races on MariaDB with real transactions: venue feedback stays once per booking; moves of one student at once
keep one open placement, matching the student's class.

Each thread opens its transaction and reads (its REPEATABLE READ snapshot) before a barrier releases them all,
so every thread's "not rated yet" / "still in that class" check sees the state from before the others wrote:
only the database guards (the unique booking id, the student row lock) can keep the invariants.
"""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from jlt_family.auth.context import Actor
from jlt_family.auth.models import User
from jlt_family.core.errors import AppError
from jlt_family.core.extensions import db as _db
from jlt_family.organizations import placements
from jlt_family.organizations.placements import StudentClassPlacement
from jlt_family.organizations.students import Student
from jlt_family.venues import feedback
from jlt_family.venues.models import Booking, BookingStatus, VenueFeedback
from tests.races import WAITS_INSIDE_ITS_TRANSACTION
from tests.venues.matrix import _booking

pytestmark = pytest.mark.mysql(reason=WAITS_INSIDE_ITS_TRANSACTION)


def _race(app, jobs):
    """Run ``jobs`` (callables run in their own app context and transaction) at once; each one's outcome."""
    barrier = threading.Barrier(len(jobs))

    def run(job):
        with app.app_context():
            try:
                return job(barrier)
            except AppError as exc:
                _db.session.rollback()
                return exc.code
            finally:
                _db.session.remove()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = [f.result(timeout=60) for f in [pool.submit(run, job) for job in jobs]]
    _db.session.rollback()
    return results


def test_guardians_racing_to_rate_one_visit_leave_one_rating(app, make, world, db):
    booking_id = _booking(world, BookingStatus.CHECKED_IN, starts_in=-dt.timedelta(hours=3)).id
    user_ids = [world.guardian_a.id]
    for _ in range(5):
        user = make.user()
        make.guardian(family=world.family_a, user=user)
        user_ids.append(user.id)
    db.session.commit()

    def rate(user_id):
        def job(barrier):
            actor = Actor(_db.session.get(User, user_id))
            booking = _db.session.get(Booking, booking_id)
            barrier.wait()
            feedback.leave_feedback(actor, booking, 4)
            _db.session.commit()
            return "rated"

        return job

    results = _race(app, [rate(u) for u in user_ids])
    assert sorted(results) == ["rated"] + ["venue_feedback_exists"] * 5
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VenueFeedback)) == 1


def test_racing_moves_of_one_student_keep_one_open_placement(app, make, world, db):
    classes = [world.class_b, world.class_c] + [make.school_class(school=world.school) for _ in range(3)]
    db.session.commit()
    student_id, class_ids = world.child_a.id, [c.id for c in classes]

    def move(class_id):
        def job(barrier):
            student = _db.session.get(Student, student_id)
            barrier.wait()
            placements.move_student(student, class_id)
            _db.session.commit()
            return "moved"

        return job

    results = _race(app, [move(c) for c in class_ids])
    assert results == ["moved"] * len(class_ids)
    db.session.expire_all()
    student = db.session.get(Student, student_id)
    rows = db.session.scalars(
        sa.select(StudentClassPlacement)
        .where(StudentClassPlacement.student_id == student_id)
        .order_by(StudentClassPlacement.id)
    ).all()
    open_rows = [p for p in rows if p.to_date is None]
    assert len(open_rows) == 1 and open_rows[0].class_id == student.class_id
    assert len(rows) == len(class_ids) + 1  # the first class, then one placement per move: none lost
