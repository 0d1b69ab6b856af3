"""Need lists run a fixed number of SQL statements, however many needs, matches and bookings they show."""

from tests.matching import helpers
from tests.matching.helpers import API


def _statements(call, count_queries, path, user):
    call("GET", path, user)  # warm: the caller's token and scopes are not what is measured
    with count_queries() as counted:
        response = call("GET", path, user)
        assert response.status_code == 200
    return counted.n, response.json["total"]


def _matched_needs(call, world, db, science, n):
    for _ in range(n):
        need = helpers.need(db, world.school, world.school_admin, headcount=10)
        db.session.commit()
        slot = helpers.slot(db, science, days=2)
        db.session.commit()
        body = {
            "kind": "venue",
            "offering_id": science.id,
            "bookings": [{"slot_id": slot.id, "class_id": world.class_a.id, "headcount": 10}],
        }
        assert call("POST", f"{API}/needs/{need.id}/accept", world.school_admin, json=body).status_code == 201


def test_need_lists_are_flat(call, world, db, science, count_queries):
    _matched_needs(call, world, db, science, 1)
    few_school = _statements(call, count_queries, f"{API}/needs", world.alliance_admin)
    few_unit = _statements(call, count_queries, f"{API}/resource-units/{world.venue.id}/needs", world.venue_staff)
    _matched_needs(call, world, db, science, 5)
    helpers.need(db, world.school, world.teacher_a)
    db.session.commit()
    assert _statements(call, count_queries, f"{API}/needs", world.alliance_admin) == (few_school[0], 7)
    assert _statements(call, count_queries, f"{API}/resource-units/{world.venue.id}/needs", world.venue_staff) == (
        few_unit[0],
        6,
    )
