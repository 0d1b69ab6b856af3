"""List endpoints run a fixed number of SQL statements, however many rows they show (no N+1).

The staff reads that leave a trail (booking lists, visits, rosters, entrustments, a child's flags) cost one
statement more than before: the audit INSERT, one per request whatever the rows. (In these tests one session
serves every request, and the audited read's commit expires what the previous request had loaded: the caller's
user and scope objects are read again. In the service each request has its own session, so that costs nothing.)
"""

import pytest
import sqlalchemy as sa

from jlt_family.auth.context import Actor
from jlt_family.core.audit import audit
from tests.venues import matrix as venues
from tests.visits.conftest import proposal, window


def _statements(call, count_queries, path, user):
    call("GET", path, user)  # warm: the caller's token and scopes are not what is measured
    with count_queries() as counted:
        assert call("GET", path, user).status_code == 200
    return counted.n


def _more_students(make, world, n):
    return [make.student(world.class_a) for _ in range(n)]


def test_class_binding_requests_list_is_flat(call, make, world, db, count_queries):
    path = f"/api/v1/classes/{world.class_a.id}/binding-requests"
    for student in _more_students(make, world, 2):
        make.binding_request(make.user(), student)
    db.session.commit()
    few = _statements(call, count_queries, path, world.teacher_a)
    for student in _more_students(make, world, 8):
        make.binding_request(make.user(), student)
    db.session.commit()
    assert _statements(call, count_queries, path, world.teacher_a) == few


def test_class_roster_list_is_flat(call, make, world, db, count_queries):
    path = f"/api/v1/classes/{world.class_a.id}/students"
    few = _statements(call, count_queries, path, world.teacher_a)
    _more_students(make, world, 10)
    db.session.commit()
    assert _statements(call, count_queries, path, world.teacher_a) == few


def test_audit_log_list_is_flat(call, make, world, db, count_queries):
    path = f"/api/v1/schools/{world.school.id}/audit-log"
    audit(Actor(world.teacher_a), "read_student_sensitive", "student", world.child_a.id, school_id=world.school.id)
    db.session.commit()
    few = _statements(call, count_queries, path, world.school_admin)
    for teacher in (world.teacher_b, world.teacher_c, world.school_admin):
        audit(Actor(teacher), "read_student_sensitive", "student", world.child_a.id, school_id=world.school.id)
    db.session.commit()
    assert _statements(call, count_queries, path, world.school_admin) == few


def _audit_inserts(call, db, path, user):
    """(statements, INSERTs into audit_log) of one GET."""
    call("GET", path, user)
    statements = []

    def _on_execute(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", _on_execute)
    try:
        assert call("GET", path, user).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", _on_execute)
    return len(statements), sum(s.lstrip().upper().startswith("INSERT INTO AUDIT_LOG") for s in statements)


@pytest.mark.parametrize(
    "reader, path",
    [
        ("venue_staff", lambda w: f"/api/v1/resource-units/{w.venue.id}/venue-bookings?page_size=50"),
        ("teacher_b", lambda w: f"/api/v1/classes/{w.class_a.id}/students?page_size=50"),
        ("teacher_a", lambda w: f"/api/v1/classes/{w.class_a.id}/students?page_size=50"),
        ("school_admin", lambda w: "/api/v1/visits?page_size=50"),
    ],
)
def test_a_trailed_staff_read_is_one_insert_however_many_rows(call, make, world, db, reader, path):
    days = iter(range(2, 40))

    def add(n):
        for _ in range(n):
            student = make.student(world.class_a, make.family())
            venues._booking(world)
            db.session.commit()
            body = proposal(student, windows=[window(next(days), 10)])
            assert call("POST", "/api/v1/visits", world.teacher_a, json=body).status_code == 201

    add(2)
    few, inserts = _audit_inserts(call, db, path(world), getattr(world, reader))
    assert inserts == 1
    add(10)
    assert _audit_inserts(call, db, path(world), getattr(world, reader)) == (few, 1)
