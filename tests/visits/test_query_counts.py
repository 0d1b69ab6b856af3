"""Visit lists and coverage run a fixed number of SQL statements, however many rows they show (no N+1)."""

import pytest

from tests.visits.conftest import API, window


def _statements(call, count_queries, path, user):
    call("GET", path, user)  # warm: the caller's token and scopes are not what is measured
    with count_queries() as counted:
        assert call("GET", path, user).status_code == 200
    return counted.n


def _more(make, world, db, propose, n, start):
    for i in range(n):
        family = make.family()
        make.guardian(family=family)
        student = make.student(world.class_a, family, left_behind=i % 2 == 0)
        db.session.commit()
        propose(student, windows=[window(start + i, 10)], staff_ids=[world.teacher_b.id])


@pytest.mark.parametrize("path", ["/visits", "/me/visits-to-do", "/me/visits-to-do?page_size=100"])
def test_teacher_lists_are_flat(call, make, world, db, count_queries, propose, path):
    _more(make, world, db, propose, 2, 2)
    few = _statements(call, count_queries, API + path, world.teacher_a)
    _more(make, world, db, propose, 6, 5)
    assert _statements(call, count_queries, API + path, world.teacher_a) == few


def test_class_coverage_is_flat(call, make, world, db, count_queries, propose):
    path = f"{API}/classes/{world.class_a.id}/visit-coverage"
    _more(make, world, db, propose, 2, 2)
    few = _statements(call, count_queries, path, world.school_admin)
    _more(make, world, db, propose, 6, 5)
    assert _statements(call, count_queries, path, world.school_admin) == few


def test_aggregate_is_flat(call, make, world, db, count_queries):
    path = f"{API}/visit-coverage?alliance_id={world.alliance.id}"
    few = _statements(call, count_queries, path, world.alliance_admin)
    for school in (make.school(alliance=world.alliance) for _ in range(4)):
        make.student(make.school_class(school=school))
    db.session.commit()
    assert _statements(call, count_queries, path, world.alliance_admin) == few
