"""Several dispatcher processes on one database (MariaDB, or the SQLite file) against the fake WeChat server (real
HTTP).

Three processes drain the due reminders (3,000 on MariaDB; 600 on SQLite, whose one writer makes each commit wait
its turn) and WeChat receives each exactly once; a dispatcher killed while it holds leases loses nothing (the
reaper returns its rows, another dispatcher sends them).
"""

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from jlt_family.auth.models import User
from jlt_family.core.timeutil import utcnow
from jlt_family.reminders import dispatcher
from jlt_family.reminders.models import Reminder, ReminderStatus, SubscribeConsent
from tests.clock import process_clock
from tests.reminders.support import TEMPLATES

# At 10:00 in Shanghai (the parent and, through JLT_TEST_CLOCK, each dispatcher process): at night the quiet
# hours would hold every send until 07:00.
pytestmark = pytest.mark.shanghai_time("10:00")

ROOT = Path(__file__).resolve().parents[2]


def _seed(db, reminders, users=100, credits_each=None):
    """``reminders`` due reminders spread over ``users`` users, each with enough consent credits."""
    now = utcnow()
    per_user = -(-reminders // users)
    db.session.execute(
        sa.insert(User),
        [{"openid": f"o-proc-{i}", "nickname": f"家长{i}", "created_at": now, "is_active": True} for i in range(users)],
    )
    user_ids = db.session.scalars(sa.select(User.id).where(User.openid.like("o-proc-%")).order_by(User.id)).all()
    db.session.execute(
        sa.insert(SubscribeConsent),
        [
            {"user_id": uid, "template_id": "TPL-COURSE", "credits": credits_each or per_user, "updated_at": now}
            for uid in user_ids
        ],
    )
    due = now - dt.timedelta(seconds=1)
    db.session.execute(
        sa.insert(Reminder),
        [
            {
                "user_id": user_ids[i % users],
                "kind": "course_session",
                "subject_type": "course_session",
                "subject_id": i,
                "title": f"亲子阅读课{i}",
                "body": "",
                "place": "",
                "page": f"pages/course/s?id={i}",
                "starts_at": now + dt.timedelta(hours=2),
                "inbox_at": due,
                "due_at": due,
                "next_attempt_at": due,
                "status": ReminderStatus.PENDING,
                "attempts": 0,
                "last_error": "",
                "created_at": now,
            }
            for i in range(reminders)
        ],
    )
    db.session.commit()


def _start(fake, db, **options):
    options = {
        "database_url": db.engine.url.render_as_string(hide_password=False),
        "appid": fake.appid,
        "secret": fake.secret,
        "base_url": fake.base_url,
        "templates": TEMPLATES,
        **options,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.reminders.worker", json.dumps(options)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=process_clock({**os.environ, "PYTHONPATH": str(ROOT)}),
    )
    assert proc.stdout.readline().strip() == "ready"
    return proc


def _go(*procs):
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()


def _sends_per_reminder(fake):
    return Counter(int(re.search(r"reminder_id=(\d+)", m["page"]).group(1)) for m in fake.sent_messages)


def _count(db, *where):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Reminder).where(*where))


def _tomorrow_morning():
    """10:00 in Shanghai tomorrow: the seeded reminders are due, the quiet hours are over."""
    return utcnow().replace(hour=2, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)


def _wait_for(condition, what):
    deadline = time.monotonic() + 60  # a hang guard, not a speed check
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


def test_three_processes_send_every_reminder_exactly_once(fake, db):
    total = 600 if db.engine.dialect.name == "sqlite" else 3000
    _seed(db, total)
    procs = [_start(fake, db, now=_tomorrow_morning().isoformat()) for _ in range(3)]
    _go(*procs)
    outputs = [proc.communicate(timeout=300)[0] for proc in procs]  # a hang guard, not a speed check (bench/)
    claimed = [int(out.split()[-1]) for out in outputs]
    sends = _sends_per_reminder(fake)
    assert len(sends) == total and set(sends.values()) == {1}
    assert sum(claimed) == total and all(claimed), claimed  # every process took part
    assert _count(db, Reminder.status == ReminderStatus.SENT) == total
    assert db.session.scalar(sa.select(sa.func.sum(SubscribeConsent.credits))) == 0
    # the stable token is shared through the database, not fetched per send: at most one fetch per process and
    # send thread (each batch's client keeps what it read; at the start several may find the cache empty at once)
    assert fake.token_calls <= 3 * 4


def test_a_killed_dispatcher_loses_nothing(fake, db, wechat_mode, configure):
    configure(WECHAT_TEMPLATES=TEMPLATES)
    _seed(db, 200, users=20, credits_each=20)
    at = _tomorrow_morning()
    fake.slow(0.02, "/cgi-bin/message/subscribe/send")
    proc = _start(fake, db, batch_size=100, send_threads=2, now=at.isoformat())
    _go(proc)
    _wait_for(lambda: len(fake.sent_messages) >= 30, "30 reminders sent")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdin.close()
    proc.stdout.close()
    assert len(fake.sent_messages) >= 30, "the dispatcher sent fewer than 30 messages"
    time.sleep(0.1)  # the fake finishes the call that was in flight, if any
    fake.slow(0)
    held = _count(db, Reminder.status == ReminderStatus.SENDING)
    assert held > 0  # the dead process held leases
    pending = _count(db, Reminder.status == ReminderStatus.PENDING)
    assert pending + held + _count(db, Reminder.status == ReminderStatus.SENT) == 200
    assert dispatcher.drain(lambda: at) == pending  # the held rows wait for their leases to expire
    assert _count(db, Reminder.status == ReminderStatus.SENDING) == held
    assert dispatcher.reap(at + dt.timedelta(seconds=61)) == held
    dispatcher.drain(lambda: at + dt.timedelta(seconds=61))
    sends = _sends_per_reminder(fake)
    assert _count(db, Reminder.status == ReminderStatus.SENT) == 200
    assert set(sends.values()) == {1}  # none twice: the ones in flight at the kill are not pushed again
    unconfirmed = _count(db, Reminder.send_started_at.is_not(None))
    assert unconfirmed <= 2 and len(sends) >= 200 - unconfirmed  # in flight: at most one per send thread


def test_a_dispatcher_killed_mid_send_neither_pushes_twice_nor_spends_twice(fake, db, wechat_mode, configure):
    """Killed while both its send threads wait for WeChat's answer (which WeChat then accepts): those two
    reminders end sent (unconfirmed), once, each with one credit spent; the rest go back and are sent once. Every
    user had exactly one credit per reminder: a credit spent twice would leave a reminder inbox-only."""
    configure(WECHAT_TEMPLATES=TEMPLATES)
    _seed(db, 40, users=20, credits_each=2)
    at = _tomorrow_morning()
    fake.slow(1.5, "/cgi-bin/message/subscribe/send")  # under the worker's 2 s timeout
    proc = _start(fake, db, batch_size=40, send_threads=2, now=at.isoformat())
    _go(proc)
    _wait_for(lambda: fake.calls["/cgi-bin/message/subscribe/send"] == 2, "both send threads in flight")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdin.close()
    proc.stdout.close()
    _wait_for(lambda: len(fake.sent_messages) == 2, "WeChat accepts the two sends in flight")
    fake.slow(0, "/cgi-bin/message/subscribe/send")
    assert _count(db, Reminder.status == ReminderStatus.SENDING) == 40
    assert db.session.scalar(sa.select(sa.func.sum(SubscribeConsent.credits))) == 40 - 2  # reserved in flight
    assert dispatcher.reap(at + dt.timedelta(seconds=61)) == 40
    assert _count(db, Reminder.status == ReminderStatus.SENT, Reminder.send_started_at.is_not(None)) == 2
    dispatcher.drain(lambda: at + dt.timedelta(seconds=61))
    sends = _sends_per_reminder(fake)
    assert len(sends) == 40 and set(sends.values()) == {1}
    assert _count(db, Reminder.status == ReminderStatus.SENT) == 40  # none delivered and marked inbox-only
    assert db.session.scalar(sa.select(sa.func.sum(SubscribeConsent.credits))) == 0  # one credit per push
