"""The dispatcher under faults: several dispatchers while WeChat answers 5xx, a dispatcher killed mid-send.

Real threads (each with its own app context, session and connection) against the fake WeChat server (real
HTTP), on the test database: SQLite file or MariaDB.
"""

import datetime as dt
import re
import sqlite3
import threading
from collections import Counter

import pytest
import sqlalchemy as sa

from jlt_family.auth.models import User
from jlt_family.devtools.fake_wechat import SUBSCRIBE_SEND
from jlt_family.reminders import dispatcher
from jlt_family.reminders.models import Reminder, ReminderStatus, SubscribeConsent
from jlt_family.wechat.client import WeChatError
from tests.reminders.support import NOW, add_reminder, credits_of, give_credits, reload, statuses

REMINDERS, USERS, CREDITS_EACH = 240, 40, 10


def _seed(db):
    db.session.execute(
        sa.insert(User),
        [
            {"openid": f"o-fault-{i}", "nickname": f"家长{i}", "created_at": NOW, "is_active": True}
            for i in range(USERS)
        ],
    )
    user_ids = db.session.scalars(sa.select(User.id).where(User.openid.like("o-fault-%")).order_by(User.id)).all()
    db.session.execute(
        sa.insert(SubscribeConsent),
        [{"user_id": uid, "template_id": "TPL-COURSE", "credits": CREDITS_EACH, "updated_at": NOW} for uid in user_ids],
    )
    db.session.execute(
        sa.insert(Reminder),
        [
            {
                "user_id": user_ids[i % USERS],
                "kind": "course_session",
                "subject_type": "course_session",
                "subject_id": i,
                "title": f"亲子阅读课{i}",
                "body": "",
                "place": "",
                "page": f"pages/course/s?id={i}",
                "starts_at": NOW + dt.timedelta(hours=3),
                "inbox_at": NOW,
                "due_at": NOW,
                "next_attempt_at": NOW,
                "status": ReminderStatus.PENDING,
                "attempts": 0,
                "last_error": "",
                "created_at": NOW,
            }
            for i in range(REMINDERS)
        ],
    )
    db.session.commit()


def _dispatchers(app, count, at):
    """``count`` dispatcher threads, each dispatching batches at ``at`` until none is claimed; their errors."""
    # The test's own reads end first: on SQLite their transaction holds the write lock (BEGIN IMMEDIATE), and the
    # dispatchers would wait for it as long as a job waits for a lock.
    dispatcher.db.session.rollback()
    errors, barrier = [], threading.Barrier(count)

    def run():
        with app.app_context():
            barrier.wait()
            try:
                while dispatcher.dispatch_once(lambda: at):
                    pass
            except Exception as exc:  # noqa: BLE001 (reported by the test's assertion)
                errors.append(f"{exc!r} in {getattr(exc, 'statement', '')}")
            finally:
                dispatcher.db.session.remove()

    threads = [threading.Thread(target=run, name=f"dispatcher-{i}") for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)  # a hang guard
    assert not any(thread.is_alive() for thread in threads)
    dispatcher.db.session.rollback()  # the test's snapshot predates the dispatchers' commits: read afresh
    return errors


def _credits(db):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.sum(SubscribeConsent.credits)))


def test_dispatchers_give_their_batches_back_at_once_while_wechat_answers_5xx(app, push, db, configure):
    configure(REMINDER_BATCH_SIZE=8, REMINDER_SEND_THREADS=2, REMINDER_MAX_ATTEMPTS=20)
    _seed(db)
    push.http_error(SUBSCRIBE_SEND, 503, times=10**6)
    for hour in range(3):  # three rounds of the outage, each with every reminder due again
        at = NOW + dt.timedelta(hours=hour)
        errors = _dispatchers(app, 6, at)
        assert errors == []  # no deadlock (MariaDB 1213) nor any other error
        # every reminder is back at once, due after its backoff (10, 20 or 40 s here), none waits for the reaper
        assert statuses(db) == {ReminderStatus.PENDING: REMINDERS}
        assert db.session.scalar(sa.select(sa.func.count()).where(Reminder.claim_token.is_not(None))) == 0
        retry_at = set(db.session.scalars(sa.select(Reminder.next_attempt_at).distinct()))
        assert retry_at <= {at + dt.timedelta(seconds=s) for s in (10, 20, 40)}, retry_at
        assert at + dt.timedelta(seconds=10) in retry_at  # the batches given back: after the first backoff
    assert _credits(db) == USERS * CREDITS_EACH  # the failed sends gave their credits back
    assert push.sent_messages == []

    push.reset()  # WeChat recovers
    assert _dispatchers(app, 4, NOW + dt.timedelta(hours=3)) == []
    sends = Counter(int(re.search(r"reminder_id=(\d+)", m["page"]).group(1)) for m in push.sent_messages)
    assert len(sends) == REMINDERS and set(sends.values()) == {1}  # each exactly once
    assert statuses(db) == {ReminderStatus.SENT: REMINDERS}
    assert _credits(db) == USERS * CREDITS_EACH - REMINDERS


@pytest.mark.mysql
def test_a_release_does_not_wait_for_another_dispatchers_reminder_in_flight(app, push, db):
    """The release of a batch locks its own rows only: another dispatcher in the middle of marking one of its
    reminders (its row lock held) does not hold it up. Before, the release scanned every ``sending`` row by the
    unindexed token, waited for that lock (1205 here, with a 1 s lock wait) or deadlocked (1213)."""
    _seed(db)
    settings = dispatcher.Settings(batch_size=5)
    mine, mine_rows = dispatcher.claim(NOW, settings)
    theirs, their_rows = dispatcher.claim(NOW, settings)
    errors = []
    with db.engine.connect() as other:  # the other dispatcher marks one of its reminders, not yet committed
        other.execute(
            sa.update(Reminder)
            .where(Reminder.id == their_rows[0].id, Reminder.claim_token == theirs)
            .values(status=ReminderStatus.PENDING, claim_token=None)
        )

        def release():
            with app.app_context():
                try:
                    dispatcher.db.session.execute(sa.text("SET SESSION innodb_lock_wait_timeout = 1"))
                    dispatcher.release(mine, [row.id for row in mine_rows], NOW + dt.timedelta(seconds=30))
                except Exception as exc:  # noqa: BLE001 (reported by the test's assertion)
                    errors.append(repr(exc))
                finally:
                    dispatcher.db.session.remove()

        thread = threading.Thread(target=release)
        thread.start()
        thread.join(timeout=60)  # a hang guard
        other.rollback()
    db.engine.dispose()  # no pooled connection keeps the 1 s lock wait
    assert not thread.is_alive() and errors == []
    db.session.rollback()
    released = db.session.execute(
        sa.select(Reminder.status, Reminder.next_attempt_at, Reminder.claim_token).where(
            Reminder.id.in_([row.id for row in mine_rows])
        )
    ).all()
    assert set(released) == {(ReminderStatus.PENDING, NOW + dt.timedelta(seconds=30), None)}


def _claim_and_start_sending(db, make):
    """A due reminder whose dispatcher claimed it and began its send (the credit reserved), then stopped."""
    user = make.user(openid="o-in-flight")
    give_credits(db, user)
    reminder = add_reminder(db, user)
    db.session.commit()
    settings = dispatcher.Settings.from_config({})
    token, [row] = dispatcher.claim(NOW, settings)
    assert dispatcher._begin(row, token, "TPL-COURSE", NOW, settings) == "ok"
    return user, reminder, token, row


def test_a_lease_reaped_mid_send_is_not_pushed_again_and_keeps_its_one_credit(push, make, db):
    user, reminder, _token, _row = _claim_and_start_sending(db, make)
    assert credits_of(db, user) == 0  # reserved for the send in flight
    assert dispatcher.reap(NOW + dt.timedelta(seconds=61)) == 1
    assert dispatcher.drain(lambda: NOW + dt.timedelta(seconds=61)) == 0
    assert push.sent_messages == []  # not pushed a second time
    row = reload(db, reminder)
    assert (row.status, row.sent_at, row.send_started_at, row.outcome) == (ReminderStatus.SENT, NOW, NOW, None)
    assert row.last_error == dispatcher.UNCONFIRMED
    assert credits_of(db, user) == 0


def test_the_late_answer_of_a_reaped_send_is_still_recorded(push, make, db):
    """The dispatcher was only slow: WeChat's answer (here a 5xx, so nothing was sent) arrives after the reaper;
    the credit goes back and the reminder is retried, as if the lease had held."""
    user, reminder, token, row = _claim_and_start_sending(db, make)
    dispatcher.reap(NOW + dt.timedelta(seconds=61))
    settings = dispatcher.Settings(retry_base_seconds=10)
    dispatcher._failed_send(row, token, "TPL-COURSE", WeChatError(None, "HTTP 502"), NOW, settings)
    row = reload(db, reminder)
    assert (row.status, row.next_attempt_at, row.send_started_at) == (
        ReminderStatus.PENDING,
        NOW + dt.timedelta(seconds=10),
        None,
    )
    assert credits_of(db, user) == 1
    dispatcher.drain(lambda: NOW + dt.timedelta(seconds=10))
    assert reload(db, reminder).status == ReminderStatus.SENT and len(push.sent_messages) == 1
    assert credits_of(db, user) == 0


class _LockProbe:
    """A WeChat client that, while each send is in flight, looks for a transaction the dispatcher holds open: the
    session's own, and on a SQLite file the database's write lock (another connection takes it without waiting)."""

    def __init__(self, db):
        self.db, self.seen = db, []

    def send_subscribe_message(self, openid, template_id, data, page):
        lock_free = None
        if self.db.engine.dialect.name == "sqlite":
            probe = sqlite3.connect(self.db.engine.url.database, timeout=0, isolation_level=None)
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
                lock_free = True
            except sqlite3.OperationalError:
                lock_free = False
            finally:
                probe.close()
        self.seen.append((self.db.session().in_transaction(), lock_free))
        return {"errcode": 0}


def test_no_transaction_is_open_while_a_reminder_is_sent(push, make, db, configure):
    configure(REMINDER_SEND_THREADS=1)
    for i in range(3):
        user = make.user(openid=f"o-probe-{i}")
        give_credits(db, user)
        add_reminder(db, user, subject_id=i)
    db.session.commit()
    probe = _LockProbe(db)
    assert dispatcher.drain(lambda: NOW, client=probe) == 3
    free = None if db.engine.dialect.name != "sqlite" else True
    assert probe.seen == [(False, free)] * 3
    assert statuses(db) == {ReminderStatus.SENT: 3}
