"""Demo reminders: demo-parent-1 and demo-teacher-1 find read and unread items of several kinds in their inbox."""

import pytest
import sqlalchemy as sa

from jlt_family.auth.models import User
from jlt_family.devtools.demo import seed_demo
from jlt_family.reminders.models import Reminder, ReminderStatus, SubscribeConsent
from tests.clock import MID_TERM, today_at
from tests.factories import dev_login_headers

API = "/api/v1"


def _inbox(client, openid):
    headers = dev_login_headers(client, openid)
    items = client.get(f"{API}/me/inbox?page_size=50", headers=headers).json["items"]
    unread = client.get(f"{API}/me/inbox/unread-count", headers=headers).json["unread"]
    return items, unread


# A day well into a term: on the first day of a school year no homeroom class has a week to digest yet.
@pytest.mark.time_machine(MID_TERM)
def test_demo_accounts_have_read_and_unread_items_of_several_kinds(client, db):
    summary = seed_demo()
    db.session.commit()
    items, unread = _inbox(client, "demo-parent-1")
    kinds = {item["kind"] for item in items}
    assert {"course_session", "venue_booking_confirmed", "home_visit", "broadcast"} <= kinds
    assert {item["is_read"] for item in items} == {True, False}
    assert (len(items), unread) == (summary["reminders_inbox_demo_parent_1"], summary["reminders_unread_demo_parent_1"])
    items, unread = _inbox(client, "demo-teacher-1")
    assert {(item["kind"], item["is_read"]) for item in items} == {("visit_digest", False), ("home_visit", True)}
    assert unread == summary["reminders_unread_demo_teacher_1"] == 1


@pytest.mark.shanghai_time("10:00")  # the notices of now are delivered (at night they wait for 07:00)
def test_demo_plans_future_reminders_and_gives_a_consent_credit(db):
    summary = seed_demo()
    db.session.commit()
    parent = db.session.scalar(sa.select(User).where(User.openid == "demo-parent-1"))
    pending = set(
        db.session.scalars(
            sa.select(Reminder.kind).where(Reminder.user_id == parent.id, Reminder.status == ReminderStatus.PENDING)
        )
    )
    assert pending == {"course_session", "venue_booking"}
    assert db.session.scalar(sa.select(SubscribeConsent.credits).where(SubscribeConsent.user_id == parent.id)) == 1
    assert summary["broadcast_recipients"] > 100 and summary["reminders"] > summary["broadcast_recipients"]


@pytest.mark.shanghai_time("02:30")
def test_at_night_the_demo_notices_of_now_wait_for_the_end_of_the_quiet_hours(db):
    seed_demo()
    db.session.commit()
    parent = db.session.scalar(sa.select(User).where(User.openid == "demo-parent-1"))
    pending = db.session.execute(
        sa.select(Reminder.kind, Reminder.due_at).where(
            Reminder.user_id == parent.id, Reminder.status == ReminderStatus.PENDING
        )
    ).all()
    assert {kind for kind, _ in pending} == {"course_session", "venue_booking", "home_visit", "broadcast"}
    assert {due for kind, due in pending if kind in ("home_visit", "broadcast")} == {today_at("07:00")}
