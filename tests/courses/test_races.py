"""Real races on MariaDB and on the SQLite file: threads released together by a barrier, each request in its own
transaction."""

import threading

import sqlalchemy as sa

from jlt_family.core.extensions import db as _db
from jlt_family.courses.models import CourseFormat, CourseSession, Enrolment, EnrolmentStatus


def _race(app, requests):
    """Send ``requests`` ((method, path, headers), ...) at once; their statuses in the same order."""
    _db.session.commit()  # the test's own transaction ends (on SQLite it holds the write lock)
    barrier = threading.Barrier(len(requests))
    statuses = [None] * len(requests)

    def send(i, method, path, headers):
        client = app.test_client()
        barrier.wait()
        statuses[i] = client.open(path, method=method, headers=headers).status_code

    threads = [threading.Thread(target=send, args=(i, *request)) for i, request in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def _rows(db, session):
    db.session.expire_all()
    return db.session.scalars(
        sa.select(Enrolment).where(Enrolment.session_id == session.id).order_by(Enrolment.id)
    ).all()


def _assert_counters_match_rows(db, session):
    rows = _rows(db, session)
    fresh = db.session.get(CourseSession, session.id)
    holding = [
        e for e in rows if e.status in (EnrolmentStatus.ENROLLED, EnrolmentStatus.ATTENDED, EnrolmentStatus.ABSENT)
    ]
    waiting = [e for e in rows if e.status == EnrolmentStatus.WAITLISTED]
    assert (fresh.taken, fresh.waitlisted) == (len(holding), len(waiting))
    assert fresh.taken <= fresh.capacity
    return rows


def test_sixty_parents_racing_for_ten_places(app, make, world, db, h, parents):
    session = h.session(db, h.course(db, world.school, world.teacher_a), capacity=10)
    db.session.commit()
    users = parents(60)
    path = f"/api/v1/course-sessions/{session.id}/enrolments"
    statuses = _race(app, [("POST", path, make.login(user)) for user in users])
    assert statuses == [201] * 60
    rows = _assert_counters_match_rows(db, session)
    assert [e.status for e in rows] == [EnrolmentStatus.ENROLLED] * 10 + [EnrolmentStatus.WAITLISTED] * 50
    assert [e.waitlist_position for e in rows[10:]] == list(range(1, 51))  # arrival order: ids and positions agree


def test_a_session_of_twenty_places_ends_with_twenty_enrolled_and_its_counter_agrees(app, make, world, db, h, parents):
    """A full session of 20 with 5 waiting: ten enrolled parents cancel while 20 newcomers enrol, all at once.
    The five waiting and five newcomers take the ten freed places; exactly 20 are enrolled, as the counter says."""
    session = h.session(db, h.course(db, world.school, world.teacher_a), capacity=20)
    users = parents(45)
    enrolled = [h.enrolment(db, session, user) for user in users[:20]]
    for user in users[20:25]:
        h.enrolment(db, session, user, status=EnrolmentStatus.WAITLISTED)
    db.session.commit()
    requests = [
        ("POST", f"/api/v1/course-enrolments/{e.id}/cancel", make.login(user))
        for e, user in zip(enrolled[:10], users[:10], strict=True)
    ]
    requests += [("POST", f"/api/v1/course-sessions/{session.id}/enrolments", make.login(user)) for user in users[25:]]
    assert _race(app, requests) == [200] * 10 + [201] * 20
    rows = _assert_counters_match_rows(db, session)
    assert sum(e.status == EnrolmentStatus.ENROLLED for e in rows) == 20
    assert db.session.get(CourseSession, session.id).taken == 20


def test_ten_cancellations_at_once_leave_the_waitlist_counter_right(app, make, world, db, h, parents):
    """A full session of 20 with 15 waiting: ten enrolled parents cancel at once, ten waiting move up, the
    waitlist counter says 5 and so do the rows."""
    session = h.session(db, h.course(db, world.school, world.teacher_a), capacity=20)
    users = parents(35)
    enrolled = [h.enrolment(db, session, user) for user in users[:20]]
    for user in users[20:]:
        h.enrolment(db, session, user, status=EnrolmentStatus.WAITLISTED)
    db.session.commit()
    requests = [
        ("POST", f"/api/v1/course-enrolments/{e.id}/cancel", make.login(user))
        for e, user in zip(enrolled[:10], users[:10], strict=True)
    ]
    assert _race(app, requests) == [200] * 10
    rows = _assert_counters_match_rows(db, session)
    fresh = db.session.get(CourseSession, session.id)
    assert (fresh.taken, fresh.waitlisted) == (20, 5)
    assert sum(e.status == EnrolmentStatus.CANCELLED for e in rows) == 10


def test_concurrent_cancellations_promote_exactly_as_many(app, make, world, db, h, parents):
    session = h.session(db, h.course(db, world.school, world.teacher_a), capacity=10)
    users = parents(30)
    enrolments = [h.enrolment(db, session, user) for user in users[:10]]
    waiting = [h.enrolment(db, session, user, status=EnrolmentStatus.WAITLISTED) for user in users[10:]]
    db.session.commit()
    requests = [
        ("POST", f"/api/v1/course-enrolments/{e.id}/cancel", make.login(user))
        for e, user in zip(enrolments, users[:10], strict=True)
    ]
    assert _race(app, requests) == [200] * 10
    rows = _assert_counters_match_rows(db, session)
    by_id = {e.id: e for e in rows}
    assert [by_id[e.id].status for e in waiting] == [EnrolmentStatus.ENROLLED] * 10 + [EnrolmentStatus.WAITLISTED] * 10
    assert db.session.get(CourseSession, session.id).taken == 10


def test_leaving_and_cancelling_at_once_keep_the_counts(app, make, world, db, h, parents):
    """Enrolled parents cancel while the heads of the waitlist leave it and newcomers enrol: no deadlock, no
    drift, never more than the capacity."""
    session = h.session(db, h.course(db, world.school, world.teacher_a), capacity=5)
    users = parents(20)
    enrolled = [h.enrolment(db, session, user) for user in users[:5]]
    waiting = [h.enrolment(db, session, user, status=EnrolmentStatus.WAITLISTED) for user in users[5:15]]
    db.session.commit()
    requests = [
        ("POST", f"/api/v1/course-enrolments/{e.id}/cancel", make.login(u))
        for e, u in zip(enrolled + waiting[:5], users[:10], strict=True)
    ]
    requests += [("POST", f"/api/v1/course-sessions/{session.id}/enrolments", make.login(u)) for u in users[15:]]
    statuses = _race(app, requests)
    assert statuses == [200] * 10 + [201] * 5
    rows = _assert_counters_match_rows(db, session)
    assert db.session.get(CourseSession, session.id).taken == 5
    remaining = {e.id: e.status for e in rows}
    assert all(remaining[e.id] == EnrolmentStatus.ENROLLED for e in waiting[5:])  # the next five in line


def test_a_session_change_overlapping_a_format_change_never_leaves_an_offline_session_without_a_place(
    app, make, world, db, h, monkeypatch
):
    """The session change (clearing the place) has read the course (online) and pauses just before locking its
    session while the course goes offline; the course lock makes one of the two see the other's result."""
    from jlt_family.courses import planning

    course = h.course(db, world.school, world.teacher_a, format=CourseFormat.ONLINE_LIVE)
    session = h.session(db, course, online_url="https://live.example.cn/x")
    db.session.commit()
    course_id, session_id = course.id, session.id
    headers = make.login(world.teacher_a)
    paused, format_done, statuses = threading.Event(), threading.Event(), {}
    real_lock_session = planning.lock_session

    def lock_session_after_a_pause(session_id):
        paused.set()
        format_done.wait(timeout=1.5)  # with the course lock held, the format change cannot finish meanwhile
        return real_lock_session(session_id)

    monkeypatch.setattr(planning, "lock_session", lock_session_after_a_pause)

    def change_session():
        response = app.test_client().patch(f"/api/v1/course-sessions/{session_id}", headers=headers, json={"place": ""})
        statuses["session"] = response.status_code

    def change_format():
        paused.wait(timeout=5)
        response = app.test_client().patch(f"/api/v1/courses/{course_id}", headers=headers, json={"format": "offline"})
        statuses["format"] = response.status_code
        format_done.set()

    threads = [threading.Thread(target=change_session), threading.Thread(target=change_format)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    db.session.rollback()
    db.session.expire_all()

    fresh_course, fresh_session = db.session.get(type(course), course_id), db.session.get(CourseSession, session_id)
    assert statuses == {"session": 200, "format": 422}
    assert (fresh_course.format, fresh_session.place) == ("online_live", "")
