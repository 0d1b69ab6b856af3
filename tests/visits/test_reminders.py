"""Visits announce reminders and notices through core.events with the documented keywords."""

import datetime as dt

from tests.visits.conftest import API, window

SCHEDULE_KEYS = {
    "kind",
    "subject_type",
    "subject_id",
    "user_ids",
    "starts_at",
    "ends_at",
    "title",
    "place",
    "page",
    "school_id",
}
NOTICE_KEYS = {"kind", "subject_type", "subject_id", "user_ids", "title", "body", "page", "school_id"}


def _names(announced):
    return [name for name, _ in announced]


def test_a_proposal_notifies_the_family(world, propose, announced):
    visit = propose()
    assert _names(announced) == ["reminders.notice"]
    kwargs = announced[0][1]
    assert set(kwargs) == NOTICE_KEYS
    assert (kwargs["user_ids"], kwargs["subject_id"], kwargs["kind"]) == (
        [world.guardian_a.id],
        visit["id"],
        "home_visit_update",
    )


def test_scheduling_reminds_the_family_and_every_participant(world, propose, call, announced):
    visit = propose(staff_ids=[world.teacher_b.id])
    announced.clear()
    call("POST", f"{API}/visits/{visit['id']}/accept", world.guardian_a, json={"window_id": visit["windows"][0]["id"]})
    assert _names(announced) == ["reminders.schedule", "reminders.notice"]
    schedule = announced[0][1]
    assert set(schedule) == SCHEDULE_KEYS
    assert sorted(schedule["user_ids"]) == sorted([world.guardian_a.id, world.teacher_a.id, world.teacher_b.id])
    assert schedule["starts_at"] == dt.datetime.fromisoformat(visit["windows"][0]["starts_at"])
    assert schedule["starts_at"].utcoffset() is not None
    assert (schedule["subject_type"], schedule["school_id"]) == ("home_visit", world.school.id)
    assert announced[1][1]["user_ids"] == [world.teacher_a.id, world.teacher_b.id]  # the other side


def test_moving_cancels_and_reschedules_and_tells_the_other_side(world, schedule, call, announced):
    visit = schedule()
    announced.clear()
    call("POST", f"{API}/visits/{visit['id']}/move", world.teacher_a, json={**window(6, 16), "reason": "开会"})
    assert _names(announced) == ["reminders.cancel", "reminders.schedule", "reminders.notice"]
    assert announced[0][1] == {"subject_type": "home_visit", "subject_id": visit["id"], "user_ids": None}
    assert announced[1][1]["starts_at"] == dt.datetime.fromisoformat(window(6, 16)["starts_at"])
    assert announced[2][1]["user_ids"] == [world.guardian_a.id]


def test_a_familys_move_reschedules_only_once_the_teacher_accepts(world, schedule, call, announced):
    visit = schedule()
    announced.clear()
    call("POST", f"{API}/visits/{visit['id']}/move", world.guardian_a, json={**window(6, 16), "reason": "出差"})
    assert _names(announced) == ["reminders.notice"]
    assert announced[0][1]["user_ids"] == [world.teacher_a.id] and "出差" in announced[0][1]["body"]
    announced.clear()
    call("POST", f"{API}/visits/{visit['id']}/move-request/accept", world.teacher_a, json={})
    assert _names(announced) == ["reminders.cancel", "reminders.schedule", "reminders.notice"]
    assert announced[1][1]["starts_at"] == dt.datetime.fromisoformat(window(6, 16)["starts_at"])
    assert announced[2][1]["user_ids"] == [world.guardian_a.id]


def test_cancelling_a_scheduled_visit_cancels_its_reminders(world, schedule, call, announced):
    visit = schedule()
    announced.clear()
    call("POST", f"{API}/visits/{visit['id']}/cancel", world.teacher_a, json={"reason": "临时有会"})
    assert _names(announced) == ["reminders.cancel", "reminders.notice"]
    assert announced[1][1]["user_ids"] == [world.guardian_a.id]
    assert "临时有会" in announced[1][1]["body"]


def test_a_refused_acceptance_announces_nothing(world, make, db, propose, schedule, call, announced):
    family = make.family()
    guardian = make.user()
    make.guardian(family=family, user=guardian)
    child = make.student(world.class_a, family)
    db.session.commit()
    other = propose(child, windows=[window(3, 10)])
    schedule(windows=[window(3, 10)])
    announced.clear()
    refused = call(
        "POST", f"{API}/visits/{other['id']}/accept", guardian, json={"window_id": other["windows"][0]["id"]}
    )
    assert refused.status_code == 409
    assert announced == []
