"""One reminder dispatcher process for bench.reminders: ``drain()`` of jlt_family/reminders/dispatcher.py in a
loop (what the scheduler's dispatcher job runs every few seconds, without the ticks in between) until nothing is
due or sending any more, or the deadline. Prints one JSON line: what this process claimed.

    python -m bench.dispatch_worker <database url> <fake WeChat base url> <deadline seconds> <templates JSON>
        <send threads>
"""

import json
import sys
import time

import sqlalchemy as sa

from bench import common


def main():
    url, wechat_base, deadline_seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    templates, send_threads = json.loads(sys.argv[4]), int(sys.argv[5])
    app = common.bench_app(
        url,
        WECHAT_API_BASE=wechat_base,
        WECHAT_TEMPLATES=templates,
        WECHAT_TIMEOUT_SECONDS=5.0,
        REMINDER_SEND_THREADS=send_threads,
    )
    from jlt_family.core.extensions import db
    from jlt_family.reminders import dispatcher
    from jlt_family.reminders.models import Reminder, ReminderStatus

    started = time.monotonic()
    claimed = rounds = 0
    with app.app_context():
        while time.monotonic() - started < deadline_seconds:
            got = dispatcher.drain(max_seconds=deadline_seconds - (time.monotonic() - started))
            claimed += got
            rounds += 1
            if got:
                continue
            left = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Reminder)
                .where(Reminder.status.in_((ReminderStatus.PENDING, ReminderStatus.SENDING)))
            )
            db.session.commit()
            if not left:
                break
            time.sleep(0.2)  # the other dispatcher holds the rest (or they are not due yet)
    print(
        json.dumps({"claimed": claimed, "rounds": rounds, "seconds": round(time.monotonic() - started, 2)}), flush=True
    )


if __name__ == "__main__":
    main()
