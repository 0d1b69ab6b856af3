"""The dispatcher against the fake WeChat server: push, inbox-only outcomes, retries, failures, leases."""

import datetime as dt
import logging
import time

import sqlalchemy as sa

from jlt_family.devtools.fake_wechat import SUBSCRIBE_SEND
from jlt_family.reminders import consents, dispatcher
from jlt_family.reminders.models import InboxOutcome, Reminder, ReminderStatus
from tests.reminders.support import NOW, add_reminder, credits_of, give_credits, reload, statuses


def frozen(at=NOW):
    return lambda: at


def test_a_due_reminder_is_pushed_once_and_spends_one_credit(push, make, db):
    user = make.user(openid="o-guardian")
    give_credits(db, user, count=2)
    reminder = add_reminder(
        db, user, place="市图书馆二楼报告厅", starts_at=dt.datetime(2026, 11, 22, 7, 1, tzinfo=dt.UTC)
    )
    db.session.commit()
    assert dispatcher.drain(frozen()) == 1
    [message] = push.sent_messages
    assert message["touser"] == "o-guardian" and message["template_id"] == "TPL-COURSE"
    assert message["page"] == f"pages/course/session?id=1&reminder_id={reminder.id}"
    assert message["data"]["time2"] == {"value": "2026年11月22日 15:01"}
    assert message["miniprogram_state"] and message["lang"] == "zh_CN"
    sent = reload(db, reminder)
    assert (sent.status, sent.sent_at, sent.attempts, sent.claim_token) == (ReminderStatus.SENT, NOW, 1, None)
    assert credits_of(db, user) == 1
    assert dispatcher.drain(frozen(NOW + dt.timedelta(hours=1))) == 0
    assert len(push.sent_messages) == 1


def test_not_yet_due_reminders_wait(push, make, db):
    user = make.user()
    give_credits(db, user)
    add_reminder(db, user, due_at=NOW + dt.timedelta(minutes=1))
    db.session.commit()
    assert dispatcher.drain(frozen()) == 0
    assert push.sent_messages == []


def test_without_a_credit_the_reminder_is_inbox_only(push, make, db):
    reminder = add_reminder(db, make.user())
    db.session.commit()
    dispatcher.drain(frozen())
    row = reload(db, reminder)
    assert (row.status, row.outcome) == (ReminderStatus.INBOX_ONLY, InboxOutcome.NO_CREDIT)
    assert push.sent_messages == []


def test_a_muted_kind_is_not_pushed_and_keeps_the_credit(push, make, db):
    user = make.user()
    give_credits(db, user)
    consents.set_mutes(user.id, ["course_session"])
    reminder = add_reminder(db, user)
    db.session.commit()
    dispatcher.drain(frozen())
    assert reload(db, reminder).outcome == InboxOutcome.MUTED
    assert credits_of(db, user) == 1 and push.sent_messages == []


def test_no_openid_and_no_template_are_inbox_only(push, make, db):
    no_openid = add_reminder(db, make.user(openid=None))
    other_kind = add_reminder(db, make.user(), kind="home_visit")
    db.session.commit()
    dispatcher.drain(frozen())
    assert reload(db, no_openid).outcome == InboxOutcome.NO_OPENID
    assert reload(db, other_kind).outcome == InboxOutcome.NO_TEMPLATE


def test_development_mode_puts_reminders_in_the_inbox_and_the_log(templates, make, db, caplog):
    reminder = add_reminder(db, make.user(), title="家长会")
    db.session.commit()
    with caplog.at_level(logging.INFO, logger="jlt_family.reminders.dispatcher"):
        dispatcher.drain(frozen())
    assert reload(db, reminder).outcome == InboxOutcome.DEVELOPMENT
    assert "家长会" in caplog.text


def test_busy_wechat_is_retried_with_exponential_backoff_and_a_cap(push, make, db):
    user = make.user()
    give_credits(db, user)
    reminder = add_reminder(db, user)
    db.session.commit()
    push.fail(SUBSCRIBE_SEND, -1, times=10)
    waits = []
    now = NOW
    for _ in range(3):
        dispatcher.drain(frozen(now))
        row = reload(db, reminder)
        assert row.status == ReminderStatus.PENDING and row.last_error_code == -1
        waits.append((row.next_attempt_at - now).total_seconds())
        now = row.next_attempt_at
    assert waits == [10, 20, 40]
    assert credits_of(db, user) == 1  # given back each time
    dispatcher.drain(frozen(now))
    row = reload(db, reminder)
    assert (row.status, row.attempts) == (ReminderStatus.FAILED, 4)


def test_a_timeout_is_retried(push, make, db, configure):
    configure(WECHAT_TIMEOUT_SECONDS=0.1)
    user = make.user()
    give_credits(db, user)
    reminder = add_reminder(db, user)
    db.session.commit()
    push.slow(0.3, SUBSCRIBE_SEND)
    dispatcher.drain(frozen())
    row = reload(db, reminder)
    assert row.status == ReminderStatus.PENDING and row.last_error_code is None and row.attempts == 1
    time.sleep(0.3)  # let the fake finish the abandoned call before the next test injects its faults


def test_a_5xx_is_retried(push, make, db):
    user = make.user()
    give_credits(db, user)
    reminder = add_reminder(db, user)
    db.session.commit()
    push.http_error(SUBSCRIBE_SEND, 502)
    dispatcher.drain(frozen())
    assert reload(db, reminder).status == ReminderStatus.PENDING
    dispatcher.drain(frozen(NOW + dt.timedelta(minutes=1)))
    assert reload(db, reminder).status == ReminderStatus.SENT


def test_a_quota_error_gives_back_the_rest_of_the_batch(push, make, db):
    users = [make.user() for _ in range(3)]
    for user in users:
        give_credits(db, user)
    reminders = [add_reminder(db, user) for user in users]
    db.session.commit()
    push.fail(SUBSCRIBE_SEND, 45011)
    assert dispatcher.dispatch_once(frozen()) == 3
    rows = [reload(db, r) for r in reminders]
    assert {r.status for r in rows} == {ReminderStatus.PENDING}
    assert [r.attempts for r in rows] == [1, 0, 0]
    assert all(r.next_attempt_at > NOW for r in rows)
    assert len(push.requests) == 2  # the token, one send: the others were not tried


def test_an_expired_token_is_refreshed_once(push, make, db):
    user = make.user()
    give_credits(db, user)
    reminder = add_reminder(db, user)
    db.session.commit()
    dispatcher.drain(frozen(NOW - dt.timedelta(minutes=1)))  # nothing due: no token fetched yet
    push.fail(SUBSCRIBE_SEND, 40001)
    dispatcher.drain(frozen())
    assert reload(db, reminder).status == ReminderStatus.SENT
    assert push.token_calls == 2


def test_no_consent_at_wechat_is_inbox_only_without_retry(push, make, db):
    user = make.user()
    give_credits(db, user, count=3)
    reminder = add_reminder(db, user)
    db.session.commit()
    push.fail(SUBSCRIBE_SEND, 43101)
    dispatcher.drain(frozen())
    row = reload(db, reminder)
    assert (row.status, row.outcome, row.last_error_code) == (ReminderStatus.INBOX_ONLY, InboxOutcome.REFUSED, 43101)
    assert credits_of(db, user) == 0
    dispatcher.drain(frozen(NOW + dt.timedelta(days=1)))
    assert push.calls[SUBSCRIBE_SEND] == 1


def test_a_field_rule_violation_fails_loudly(push, make, db, caplog):
    user = make.user()
    give_credits(db, user)
    reminder = add_reminder(db, user)
    db.session.commit()
    push.fail(SUBSCRIBE_SEND, 47003, errmsg="argument invalid! data.thing1.value invalid")
    with caplog.at_level(logging.ERROR):
        dispatcher.drain(frozen())
    row = reload(db, reminder)
    assert (row.status, row.last_error_code) == (ReminderStatus.FAILED, 47003)
    assert credits_of(db, user) == 1
    assert any(r.levelno == logging.ERROR and "misconfigured" in r.getMessage() for r in caplog.records)


def test_the_reaper_returns_expired_leases_only(push, make, db):
    user = make.user()
    give_credits(db, user)
    stale = add_reminder(db, user, status=ReminderStatus.SENDING, claim_token="dead", lease_until=NOW)
    live = add_reminder(
        db, user, status=ReminderStatus.SENDING, claim_token="alive", lease_until=NOW + dt.timedelta(minutes=5)
    )
    db.session.commit()
    assert dispatcher.reap(NOW + dt.timedelta(seconds=1)) == 1
    assert reload(db, stale).status == ReminderStatus.PENDING and reload(db, stale).claim_token is None
    assert reload(db, live).claim_token == "alive"
    dispatcher.drain(frozen(NOW + dt.timedelta(seconds=1)))
    assert reload(db, stale).status == ReminderStatus.SENT and len(push.sent_messages) == 1


def test_a_reaped_claim_is_not_sent_by_its_old_dispatcher(push, make, db):
    user = make.user()
    give_credits(db, user)
    add_reminder(db, user)
    db.session.commit()
    configure = dispatcher.Settings.from_config({})
    token, rows = dispatcher.claim(NOW, configure)
    dispatcher.reap(NOW + dt.timedelta(minutes=2))
    other_token, _ = dispatcher.claim(NOW + dt.timedelta(minutes=2), configure)
    from jlt_family.wechat.client import client

    dispatcher.deliver(rows[0], rows[0].openid, set(), token, client(), NOW, configure)
    assert push.sent_messages == []
    assert db.session.scalar(sa.select(Reminder.claim_token)) == other_token


def test_claims_do_not_overlap(make, db):
    user = make.user()
    for _ in range(5):
        add_reminder(db, user)
    db.session.commit()
    configure = dispatcher.Settings(batch_size=3)
    _, first = dispatcher.claim(NOW, configure)
    _, second = dispatcher.claim(NOW, configure)
    assert len(first) == 3 and len(second) == 2
    assert not {r.id for r in first} & {r.id for r in second}
    assert statuses(db) == {ReminderStatus.SENDING: 5}
