"""Inbox, consents, mutes, broadcasts and the delivery state through the API."""

import datetime as dt

import pytest
import sqlalchemy as sa

from jlt_family.core.timeutil import utcnow
from jlt_family.reminders import service
from jlt_family.reminders.models import InboxOutcome, Reminder, ReminderStatus
from jlt_family.reminders.templates import cut, format_time
from tests.reminders.support import add_reminder, credits_of

INBOX = "/api/v1/me/inbox"


def _message(db, user, minutes_ago=5, **kw):
    return add_reminder(db, user, due_at=utcnow() - dt.timedelta(minutes=minutes_ago), **kw)


def test_the_inbox_lists_my_due_messages_newest_first(call, world, db):
    old = _message(db, world.guardian_a, minutes_ago=60, title="旧消息")
    new = _message(db, world.guardian_a, minutes_ago=1, title="新消息")
    _message(db, world.guardian_a, minutes_ago=-60, title="还没到时间")
    _message(db, world.guardian_a, status=ReminderStatus.CANCELLED, title="已取消")
    _message(db, world.guardian_b, title="别人的")
    db.session.commit()
    body = call("GET", INBOX, world.guardian_a).json
    assert [item["id"] for item in body["items"]] == [new.id, old.id] and body["total"] == 2
    assert body["items"][0]["at"].endswith("+08:00") and body["items"][0]["is_read"] is False


def test_unread_count_mark_read_and_mark_all_read(call, world, db):
    first, _second = _message(db, world.guardian_a), _message(db, world.guardian_a)
    other = _message(db, world.guardian_b)
    db.session.commit()
    assert call("GET", f"{INBOX}/unread-count", world.guardian_a).json == {"unread": 2}
    assert call("POST", f"{INBOX}/{first.id}/read", world.guardian_a).json["is_read"] is True
    assert call("GET", f"{INBOX}/unread-count", world.guardian_a).json == {"unread": 1}
    assert call("GET", f"{INBOX}?unread=true", world.guardian_a).json["total"] == 1
    assert call("POST", f"{INBOX}/{other.id}/read", world.guardian_a).json["code"] == "message_not_found"
    assert call("POST", f"{INBOX}/read-all", world.guardian_a).json == {"marked": 1}
    assert call("GET", f"{INBOX}/unread-count", world.guardian_b).json == {"unread": 1}


def test_the_inbox_list_is_flat(call, world, db, count_queries):
    _message(db, world.guardian_a)
    db.session.commit()
    call("GET", INBOX, world.guardian_a)
    db.session.commit()
    with count_queries() as few:
        call("GET", INBOX, world.guardian_a)
    for _ in range(10):
        _message(db, world.guardian_a)
    db.session.commit()
    with count_queries() as many:
        call("GET", INBOX, world.guardian_a)
    assert many.n == few.n


def test_each_reported_acceptance_is_one_credit(call, world, db, templates):
    path = "/api/v1/me/subscribe-consents"
    answer = call("POST", path, world.guardian_a, json={"accepted": ["TPL-COURSE", "TPL-NOTICE", "TPL-UNKNOWN"]})
    assert answer.status_code == 200 and answer.json["ignored"] == ["TPL-UNKNOWN"]
    call("POST", path, world.guardian_a, json={"accepted": ["TPL-COURSE"]})
    left = {t["kind"]: t["credits"] for t in call("GET", path, world.guardian_a).json["templates"]}
    assert left == {"broadcast": 1, "course_session": 2}
    assert credits_of(db, world.guardian_a) == 2
    too_many = call("POST", path, world.guardian_a, json={"accepted": ["A", "B", "C", "D"]})
    assert too_many.status_code == 422


def test_mutes_are_replaced_as_a_set(call, world):
    path = "/api/v1/me/reminder-mutes"
    assert call("PUT", path, world.guardian_a, json={"kinds": ["course_session", "home_visit"]}).json == {
        "kinds": ["course_session", "home_visit"]
    }
    assert call("PUT", path, world.guardian_a, json={"kinds": ["home_visit"]}).status_code == 200
    assert call("GET", path, world.guardian_a).json == {"kinds": ["home_visit"]}
    assert call("PUT", path, world.guardian_a, json={"kinds": ["Bad Kind"]}).status_code == 422


def _broadcast(call, world, **body):
    return call(
        "POST",
        f"/api/v1/alliances/{world.alliance.id}/broadcasts",
        world.alliance_admin,
        json={"title": "全国家庭教育宣传周", "body": "周六上午亲子阅读活动。", **body},
    )


def _recipients(db):
    db.session.expire_all()
    return sorted(db.session.scalars(sa.select(Reminder.user_id).where(Reminder.kind == "broadcast")))


def test_a_broadcast_reaches_each_guardian_of_the_alliance_once(call, make, world, db):
    make.student(world.class_b, world.family_a)  # a second child: still one message
    elsewhere = make.family()
    make.guardian(family=elsewhere)
    make.student(make.school_class(), elsewhere)  # a school outside the alliance
    db.session.commit()
    answer = _broadcast(call, world)
    assert answer.status_code == 201 and answer.json["recipients"] == 2
    assert _recipients(db) == sorted([world.guardian_a.id, world.guardian_b.id])


def test_a_broadcast_to_chosen_grades_and_schools(call, make, world, db):
    make.student(world.class_c, world.family_b)  # grade 5
    db.session.commit()
    assert _broadcast(call, world, grades=[5]).json["recipients"] == 1
    assert _recipients(db) == [world.guardian_b.id]
    refused = _broadcast(call, world, school_ids=[make.school().id])
    assert refused.status_code == 422 and refused.json["code"] == "school_not_in_alliance"


def test_a_broadcast_is_one_insert_however_many_families(call, make, world, db, count_queries):
    for _ in range(20):
        family = make.family()
        make.guardian(family=family)
        make.student(world.class_a, family)
    db.session.commit()
    call("GET", INBOX, world.alliance_admin)  # warm the caller's token
    with count_queries() as counted:
        assert _broadcast(call, world).json["recipients"] == 22
    assert counted.n < 20


@pytest.mark.shanghai_time("10:00")  # the notice an hour ago is due (at night it would wait for 07:00)
def test_the_delivery_state_counts_by_status_kind_and_reason(call, world, db):
    service.notice(
        kind="venue_booking",
        subject_type="venue_booking",
        subject_id=1,
        user_ids=[world.guardian_a.id, world.guardian_b.id],
        title="预约已确认",
        body="",
        page="",
        school_id=world.school.id,
        now=utcnow() - dt.timedelta(hours=1),
    )
    failed = db.session.scalars(sa.select(Reminder)).first()
    failed.status, failed.last_error_code = ReminderStatus.FAILED, 47003
    _message(
        db,
        world.guardian_a,
        alliance_id=world.alliance.id,
        status=ReminderStatus.INBOX_ONLY,
        outcome=InboxOutcome.NO_CREDIT,
    )
    db.session.commit()
    state = call("GET", f"/api/v1/alliances/{world.alliance.id}/reminder-delivery", world.region_admin).json
    assert {(c["status"], c["kind"], c["count"]) for c in state["counts"]} == {
        ("failed", "venue_booking", 1),
        ("pending", "venue_booking", 1),
        ("inbox_only", "course_session", 1),
    }
    assert state["oldest_due_pending"]["kind"] == "venue_booking"
    assert state["failures"] == [{"error_code": 47003, "count": 1}]
    assert state["inbox_only"] == [{"outcome": "no_credit", "count": 1}]


def test_values_are_cut_to_the_field_rules_in_code_points():
    assert cut("thing", "家" * 25) == "家" * 19 + "…" and len(cut("thing", "😀" * 30)) == 20
    assert cut("phrase", "已经确认完毕了") == "已经确认完"
    assert cut("name", "欧阳" * 6) == "欧阳欧阳欧阳欧阳欧…" and cut("name", "A" * 25) == "A" * 19 + "…"
    assert cut("character_string", "编号 AB-12 34" + "x" * 40) == "AB-1234" + "x" * 25
    assert cut("thing", "  ") == "无"
    assert format_time(dt.datetime(2026, 11, 22, 7, 1, tzinfo=dt.UTC)) == "2026年11月22日 15:01"


def test_the_region_delivery_state_counts_the_alliances_of_the_region_and_below(call, make, world, db):
    town = make.region(parent=world.county, name="测试镇")
    below = make.alliance(region=town)
    elsewhere = make.alliance(region=world.other_county)
    for alliance_id, kind in (
        (world.alliance.id, "course_session"),
        (below.id, "home_visit"),
        (elsewhere.id, "home_visit"),
        (None, "home_visit"),
    ):
        _message(
            db,
            world.guardian_a,
            kind=kind,
            alliance_id=alliance_id,
            status=ReminderStatus.INBOX_ONLY,
            outcome=InboxOutcome.DEVELOPMENT,
        )
    db.session.commit()
    path = f"/api/v1/regions/{world.county.id}/reminder-delivery"
    state = call("GET", path, world.region_admin).json
    assert state["alliances"] == 2
    assert {(c["status"], c["kind"], c["count"]) for c in state["counts"]} == {
        ("inbox_only", "course_session", 1),
        ("inbox_only", "home_visit", 1),
    }
    assert state["inbox_only"] == [{"outcome": "development", "count": 2}]
    refused = call("GET", path, world.other_region_admin)
    assert (refused.status_code, refused.json["code"]) == (403, "not_region_admin")
    assert call("GET", "/api/v1/regions/999999/reminder-delivery", world.region_admin).status_code == 404
