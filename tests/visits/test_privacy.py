"""Visit notes and the home address: only for those allowed, and every staff read of them is audit-logged."""

import datetime as dt

import sqlalchemy as sa

from jlt_family.core.models import AuditLog
from tests.visits.conftest import API


def _reads(db, shown):
    """Who read a visit with ``shown`` ("notes" or "home_address") on it (one ``read_visit`` entry per read)."""
    entries = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "read_visit").order_by(AuditLog.id))
    return [entry.actor_user_id for entry in entries if entry.detail[shown]]


def _record(call, world, visit):
    body = {
        "visited_at": (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat(),
        "mode": "home",
        "notes": "父母离异，孩子情绪低落",
        "family_summary": "孩子很懂事",
        "follow_ups": [{"description": "联系心理老师", "due_on": "2030-01-15"}],
    }
    assert call("POST", f"{API}/visits/{visit['id']}/record", world.teacher_a, json=body).status_code == 201


def _detail(call, user, visit):
    response = call("GET", f"{API}/visits/{visit['id']}", user)
    assert response.status_code == 200, response.json
    return response.json


def test_notes_are_for_the_visiting_teachers_the_homeroom_teacher_and_leaders_each_read_logged(
    call, world, db, schedule, make
):
    helper = make.teacher(world.school, nickname="心理老师")
    db.session.commit()
    visit = schedule(staff_ids=[helper.id])
    _record(call, world, visit)
    for reader in (world.teacher_a, helper, world.school_admin):  # 班主任 (and proposer), visiting teacher, leader
        record = _detail(call, reader, visit)["record"]
        assert record["notes"] == "父母离异，孩子情绪低落"
        assert [f["description"] for f in record["follow_ups"]] == ["联系心理老师"]
    subject_teacher = _detail(call, world.teacher_b, visit)["record"]  # teaches the class, not on the visit
    assert (subject_teacher["notes"], subject_teacher["follow_ups"]) == (None, [])
    assert subject_teacher["family_summary"] == "孩子很懂事"
    assert _detail(call, world.guardian_a, visit)["record"]["notes"] is None
    assert sorted(_reads(db, "notes")) == sorted([world.teacher_a.id, helper.id, world.school_admin.id])


def test_a_subject_teacher_finds_no_notes_on_any_path(call, client, world, schedule):
    visit = schedule()
    _record(call, world, visit)
    listed = call("GET", f"{API}/visits", world.teacher_b).json["items"]
    assert [v["id"] for v in listed] == [visit["id"]]
    assert "父母离异" not in str(listed) and "联系心理老师" not in str(listed)
    assert "父母离异" not in str(call("GET", f"{API}/visits/{visit['id']}", world.teacher_b).json)
    follow_ups = call("GET", f"{API}/me/visit-follow-ups?status=all", world.teacher_b).json
    assert follow_ups["items"] == []
    feed = call("POST", f"{API}/me/visit-calendar", world.teacher_a).json["url"]
    assert "父母离异" not in client.get("/" + feed.split("/", 3)[3]).get_data(as_text=True)


def test_the_homeroom_teacher_sees_the_address_logged(call, world, db, propose):
    visit = propose(user=world.school_admin, mode="online")
    assert _detail(call, world.teacher_a, visit)["home_address"] == "幸福路1号"
    assert _reads(db, "home_address") == [world.teacher_a.id]


def test_staff_of_a_scheduled_home_visit_see_the_address_others_do_not(call, world, db, propose):
    proposed = propose(user=world.teacher_b)
    assert _detail(call, world.teacher_b, proposed)["home_address"] is None  # not scheduled yet
    call(
        "POST",
        f"{API}/visits/{proposed['id']}/accept",
        world.guardian_a,
        json={"window_id": proposed["windows"][0]["id"]},
    )
    scheduled = proposed
    assert _detail(call, world.teacher_b, scheduled)["home_address"] == "幸福路1号"
    assert _detail(call, world.school_admin, scheduled)["home_address"] is None  # leader, but not on this visit
    assert _reads(db, "home_address") == [world.teacher_b.id]


def test_staff_of_a_scheduled_online_visit_do_not_see_the_address(call, world, schedule):
    visit = schedule(user=world.teacher_b, mode="online")
    assert _detail(call, world.teacher_b, visit)["home_address"] is None


def test_the_family_sees_its_own_address_without_an_audit_entry(call, world, db, schedule):
    visit = schedule()
    assert _detail(call, world.guardian_a, visit)["home_address"] == "幸福路1号"
    assert _reads(db, "home_address") == []


def test_outsiders_get_404_for_a_visit(call, world, schedule):
    visit = schedule()
    for outsider in (world.guardian_b, world.teacher_c, world.venue_staff, world.alliance_admin, world.stranger):
        response = call("GET", f"{API}/visits/{visit['id']}", outsider)
        assert (response.status_code, response.json["code"]) == (404, "visit_not_found")
    assert call("GET", f"{API}/visits/{visit['id']}").status_code == 401


def test_lists_show_each_caller_only_their_visits(call, world, schedule):
    schedule()
    schedule(world.child_b, world.guardian_b, world.teacher_b)

    def ids(user):
        return len(call("GET", f"{API}/visits", user).json["items"])

    assert (ids(world.guardian_a), ids(world.guardian_b), ids(world.teacher_a), ids(world.teacher_b)) == (1, 1, 1, 2)
    assert (ids(world.teacher_c), ids(world.school_admin), ids(world.alliance_admin), ids(world.stranger)) == (
        0,
        2,
        0,
        0,
    )
