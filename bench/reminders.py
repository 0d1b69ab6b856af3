"""Reminders: 50,000 due reminders pushed by two dispatcher processes to the fake WeChat server.

    .venv/bin/python -m bench.reminders                       # ~2-4 minutes
    .venv/bin/python -m bench.reminders --reminders 200000 --deadline 1800

Seeds 50,000 users, each with one consent credit for the template and one due reminder, starts the fake WeChat
server (jlt_family/devtools/fake_wechat.py) in this process, measures its raw POST rate from one keep-alive client,
then runs two dispatcher processes (bench/dispatch_worker.py: the dispatcher's ``drain()`` in a loop) until
nothing is due. Reports sends per second as a ratio to that raw rate, and counts duplicates and losses from the
fake server's received messages against the reminder rows (both must be 0).
"""

import argparse
import datetime as dt
import json
import re
import subprocess
import sys
import time
from collections import Counter

import requests
import sqlalchemy as sa

from bench import common, seed
from bench.common import log

TEMPLATE_ID = "BENCH-TEMPLATE-broadcast"
TEMPLATES = {
    "broadcast": {
        "template_id": TEMPLATE_ID,
        "page": "pages/inbox/index",
        "fields": {"thing1": "title", "thing2": "body", "time3": "due_at"},
    }
}


def prepare(db_name, n, revision="head"):
    """The demo world, then ``n`` users with a credit and a due reminder each (bulk INSERTs)."""
    from jlt_family.alliances.models import Alliance
    from jlt_family.auth.models import User
    from jlt_family.core.extensions import db
    from jlt_family.reminders.models import Reminder, SubscribeConsent

    url = common.create_database(db_name)
    app = common.bench_app(url)
    common.upgrade(app, revision)
    seed.seed_demo(app)
    started = time.perf_counter()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    due = now - dt.timedelta(minutes=1)
    with app.app_context():
        alliance = db.session.scalar(sa.select(Alliance).order_by(Alliance.id).limit(1))
        # No quiet hours for the run (else a run at night Shanghai time would only defer every push).
        alliance.quiet_hours_start = alliance.quiet_hours_end = dt.time(0, 0)
        db.session.commit()
        alliance_id = alliance.id
        with db.engine.begin() as conn:
            first_user = seed._next_id(conn, User.__table__)
            seed.insert_rows(
                conn,
                User.__table__,
                [
                    {"id": first_user + i, "openid": f"bench-push-{i}", "nickname": f"家长{i}", "created_at": now}
                    for i in range(n)
                ],
            )
            seed.insert_rows(
                conn,
                SubscribeConsent.__table__,
                [
                    {"user_id": first_user + i, "template_id": TEMPLATE_ID, "credits": 1, "updated_at": now}
                    for i in range(n)
                ],
            )
            # The demo's own due reminders are marked done first: the run counts only the bench's.
            conn.execute(
                sa.update(Reminder.__table__).where(Reminder.__table__.c.status == "pending").values(status="cancelled")
            )
            seed.insert_rows(
                conn,
                Reminder.__table__,
                [
                    {
                        "user_id": first_user + i,
                        "kind": "broadcast",
                        "subject_type": "broadcast",
                        "subject_id": 1,
                        "alliance_id": alliance_id,
                        "title": "教联体通知",
                        "body": f"第{i}号通知：周六科技馆开放日",
                        "inbox_at": due,
                        "due_at": due,
                        "status": "pending",
                        "next_attempt_at": due,
                        "created_at": due,
                    }
                    for i in range(n)
                ],
            )
    log(f"{n} users, credits and due reminders seeded in {time.perf_counter() - started:.1f} s")
    return app, url, first_user


def raw_post_rate(fake, seconds):
    """One keep-alive client POSTing subscribe messages to the fake server as fast as it answers."""
    http = requests.Session()
    token = http.post(
        f"{fake.base_url}/cgi-bin/stable_token",
        json={"grant_type": "client_credential", "appid": fake.appid, "secret": fake.secret},
    ).json()["access_token"]
    body = {
        "touser": "bench-raw",
        "template_id": TEMPLATE_ID,
        "page": "pages/inbox/index?reminder_id=0",
        "data": {
            "thing1": {"value": "教联体通知"},
            "thing2": {"value": "周六科技馆开放日"},
            "time3": {"value": "2026-12-01 10:00"},
        },
        "miniprogram_state": "formal",
        "lang": "zh_CN",
    }
    url = f"{fake.base_url}/cgi-bin/message/subscribe/send?access_token={token}"
    n, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        if http.post(url, json=body).json()["errcode"] != 0:
            raise RuntimeError("the fake server refused the raw POST")
        n += 1
    return round(n / (time.perf_counter() - started), 1)


def verify(app, fake, first_user):
    """Duplicates and losses: the fake server's messages per reminder id against the reminder rows."""
    from jlt_family.core.extensions import db
    from jlt_family.reminders.models import Reminder, SubscribeConsent

    messages = [m for m in fake.sent_messages if m.get("template_id") == TEMPLATE_ID]
    per_reminder = Counter(int(re.search(r"reminder_id=(\d+)", m["page"]).group(1)) for m in messages)
    with app.app_context():
        rows = dict(
            db.session.execute(sa.select(Reminder.id, Reminder.status).where(Reminder.user_id >= first_user)).all()
        )
        credits_left = db.session.scalar(
            sa.select(sa.func.sum(SubscribeConsent.credits)).where(SubscribeConsent.user_id >= first_user)
        )
    statuses = Counter(str(status) for status in rows.values())
    unfinished = {rid for rid, status in rows.items() if str(status) in ("pending", "sending")}
    return {
        "reminder_rows": len(rows),
        "statuses": dict(statuses),
        "messages_received": len(messages),
        "duplicates": sum(count - 1 for count in per_reminder.values() if count > 1),
        # Lost: finished (not pending or sending any more) without its message having reached WeChat.
        "lost": sum(1 for rid in rows if rid not in per_reminder and rid not in unfinished),
        "unfinished_at_deadline": len(unfinished),
        "sent_rows_without_message": sum(1 for rid, s in rows.items() if str(s) == "sent" and rid not in per_reminder),
        "messages_without_sent_row": sum(1 for rid in per_reminder if str(rows.get(rid)) != "sent"),
        "credits_left": int(credits_left or 0),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reminders", type=int, default=50000)
    parser.add_argument("--dispatchers", type=int, default=2)
    parser.add_argument("--send-threads", type=int, default=4, help="REMINDER_SEND_THREADS of each dispatcher")
    parser.add_argument("--deadline", type=int, default=280, help="seconds the dispatchers may run at most")
    parser.add_argument("--raw-seconds", type=int, default=5)
    parser.add_argument("--revision", default="head")
    parser.add_argument("--db", default="bench_reminders")
    parser.add_argument("--label", default="")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)

    from jlt_family.devtools.fake_wechat import FakeWeChat

    info = common.machine()
    app, url, first_user = prepare(args.db, args.reminders, args.revision)
    procs = []
    try:
        with FakeWeChat() as fake:
            raw_before = raw_post_rate(fake, args.raw_seconds)
            log(f"fake server raw POST rate, one client: {raw_before}/s")
            fake.reset()
            command = [
                sys.executable,
                "-m",
                "bench.dispatch_worker",
                url,
                fake.base_url,
                str(args.deadline),
                json.dumps(TEMPLATES),
                str(args.send_threads),
            ]
            started = time.perf_counter()
            procs = [
                subprocess.Popen(command, cwd=common.ROOT, stdout=subprocess.PIPE, text=True)
                for _ in range(args.dispatchers)
            ]
            outputs = [json.loads(p.communicate(timeout=args.deadline + 60)[0].strip().splitlines()[-1]) for p in procs]
            wall = time.perf_counter() - started
            proof = verify(app, fake, first_user)
            fake.reset()
            raw_after = raw_post_rate(fake, args.raw_seconds)
            log(f"fake server raw POST rate after the run: {raw_after}/s")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        if not args.keep:
            common.drop_database(args.db)
    raw = (raw_before + raw_after) / 2
    sends_per_second = proof["messages_received"] / wall
    log(
        f"{proof['messages_received']} sent in {wall:.1f} s: {sends_per_second:.0f}/s; duplicates "
        f"{proof['duplicates']}, lost {proof['lost']}"
    )
    common.write_result(
        "reminders",
        {
            "label": args.label,
            "machine": info,
            "revision": args.revision,
            "reminders": args.reminders,
            "dispatchers": args.dispatchers,
            "dispatcher_settings": f"REMINDER_BATCH_SIZE=50, REMINDER_SEND_THREADS={args.send_threads}",
            "wall_seconds": round(wall, 2),
            "sends_per_second": round(sends_per_second, 1),
            "fake_raw_post_rate_one_client": {"before": raw_before, "after": raw_after},
            "ratio_to_raw_post_rate": round(sends_per_second / raw, 3),
            "per_dispatcher": outputs,
            "proof": proof,
            "duplicates_and_losses_zero": proof["duplicates"] == 0 and proof["lost"] == 0,
        },
    )
    if proof["unfinished_at_deadline"]:
        log(f"{proof['unfinished_at_deadline']} reminders were not finished by the deadline (--deadline)")
    if proof["duplicates"] or proof["lost"]:
        raise SystemExit("duplicates or losses")


if __name__ == "__main__":
    main()
