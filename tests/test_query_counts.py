"""List endpoints run a fixed number of SQL statements, however many rows they show (no N+1)."""

from jlt_family.auth.context import Actor
from jlt_family.core.audit import audit


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
