"""The fake WeChat server slow or failing: sign-in and the reminder dispatcher keep their time limits
(WECHAT_TIMEOUT_SECONDS), and no reminder is lost or pushed twice for a failure that is certain.

Bounds are shown causally, not with a stopwatch threshold: a call that waited for the slow server would take
at least the server's delay, and a dispatcher that kept sending would have made one call per reminder.
"""

import datetime as dt
import time

import sqlalchemy as sa

from jlt_family.devtools.fake_wechat import CODE2SESSION, SUBSCRIBE_SEND
from jlt_family.reminders import dispatcher
from jlt_family.reminders.models import Reminder, ReminderStatus
from tests.reminders.support import NOW, TEMPLATES, add_reminder, give_credits

API = "/api/v1"
SERVER_DELAY = 3.0


def _push_mode(configure, fake):
    configure(
        WECHAT_APPID=fake.appid,
        WECHAT_SECRET=fake.secret,
        WECHAT_API_BASE=fake.base_url,
        WECHAT_TIMEOUT_SECONDS=0.3,
        WECHAT_TEMPLATES=TEMPLATES,
        REMINDER_RETRY_BASE_SECONDS=10,
        REMINDER_RETRY_CAP_SECONDS=40,
        REMINDER_MAX_ATTEMPTS=6,
        REMINDER_SEND_THREADS=1,
    )


def _due_reminders(make, db, count):
    rows = []
    for n in range(count):
        user = make.user(openid=f"o-fault-{n}")
        give_credits(db, user, count=3)
        rows.append(add_reminder(db, user, title=f"亲子课{n}"))
    db.session.commit()
    return [row.id for row in rows]


def _statuses(db, ids):
    db.session.expire_all()
    return dict(db.session.execute(sa.select(Reminder.id, Reminder.status).where(Reminder.id.in_(ids))).all())


def _pushes_per_reminder(fake):
    counts = {}
    for message in fake.sent_messages:
        reminder_id = int(message["page"].rsplit("reminder_id=", 1)[1])
        counts[reminder_id] = counts.get(reminder_id, 0) + 1
    return counts


def test_slow_wechat_login_answers_503_without_waiting_for_the_server(client, configure, fake):
    configure(
        WECHAT_APPID=fake.appid, WECHAT_SECRET=fake.secret, WECHAT_API_BASE=fake.base_url, WECHAT_TIMEOUT_SECONDS=0.3
    )
    fake.slow(SERVER_DELAY, CODE2SESSION)
    started = time.monotonic()
    response = client.post(f"{API}/auth/wechat-login", json={"code": fake.code_for("parent-slow")})
    waited = time.monotonic() - started
    assert (response.status_code, response.json["code"]) == (503, "wechat_unavailable")
    assert waited < SERVER_DELAY  # it gave up at its own timeout, not when the server answered
    fake.slow(0, CODE2SESSION)
    time.sleep(SERVER_DELAY)  # let the abandoned call finish before the next test resets the fake


def test_failing_wechat_loses_and_duplicates_no_reminder(make, db, configure, fake):
    _push_mode(configure, fake)
    ids = _due_reminders(make, db, 6)
    fake.http_error(SUBSCRIBE_SEND, 500, times=1)
    assert dispatcher.drain(lambda: NOW) == 6
    # The first send failed with a 500: the rest of the batch was given back untouched, nothing was lost.
    assert fake.calls[SUBSCRIBE_SEND] == 1
    assert set(_statuses(db, ids).values()) == {ReminderStatus.PENDING}

    fake.fail(SUBSCRIBE_SEND, -1, times=2)  # then WeChat is busy (errcode -1) for two calls
    later = NOW + dt.timedelta(minutes=5)
    dispatcher.drain(lambda: later)
    dispatcher.drain(lambda: later + dt.timedelta(minutes=5))
    dispatcher.drain(lambda: later + dt.timedelta(hours=1))
    assert set(_statuses(db, ids).values()) == {ReminderStatus.SENT}
    assert _pushes_per_reminder(fake) == dict.fromkeys(ids, 1)  # each pushed exactly once


def test_slow_wechat_holds_the_dispatcher_for_one_timeout_per_batch(make, db, configure, fake):
    _push_mode(configure, fake)
    ids = _due_reminders(make, db, 8)
    fake.slow(SERVER_DELAY, SUBSCRIBE_SEND)
    dispatcher.drain(lambda: NOW)
    # One send timed out, then the batch was given back: not one timeout per reminder.
    assert fake.calls[SUBSCRIBE_SEND] == 1
    assert set(_statuses(db, ids).values()) == {ReminderStatus.PENDING}
    fake.slow(0, SUBSCRIBE_SEND)
    time.sleep(SERVER_DELAY)  # the abandoned call reaches the fake: WeChat did push that one

    dispatcher.drain(lambda: NOW + dt.timedelta(hours=1))
    assert set(_statuses(db, ids).values()) == {ReminderStatus.SENT}
    pushes = _pushes_per_reminder(fake)
    assert set(pushes) == set(ids)  # nothing lost
    # A send that timed out after WeChat took it is ambiguous and retried (at least once): it alone may be
    # pushed twice; every reminder given back untouched is pushed once.
    assert sorted(pushes.values()) == [1] * 7 + [2]
