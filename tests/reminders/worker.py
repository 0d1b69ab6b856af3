"""A dispatcher process for the multi-process proofs: ``python -m tests.reminders.worker '<json options>'``.

It builds its own app on the given database and WeChat base URL, prints ``ready``, waits for a line on stdin
(so that every process starts at once), then dispatches until nothing has been due for a few polls and prints
``done <claimed>``. Option ``now`` (ISO 8601): the dispatcher's clock stands at that instant (a test's own time
of day, outside the quiet hours).
"""

import datetime as dt
import json
import sys
import time


def main(options):
    from tests.clock import start_from_environment

    start_from_environment()  # the parent's clock (JLT_TEST_CLOCK), when the test run moved it
    from config import TestingConfig
    from jlt_family import create_app
    from jlt_family.core.timeutil import utcnow
    from jlt_family.reminders import dispatcher

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = options["database_url"]
        WECHAT_APPID = options["appid"]
        WECHAT_SECRET = options["secret"]
        WECHAT_API_BASE = options["base_url"]
        WECHAT_TIMEOUT_SECONDS = 2.0
        WECHAT_TEMPLATES = options["templates"]
        REMINDER_BATCH_SIZE = options.get("batch_size", 50)
        REMINDER_LEASE_SECONDS = options.get("lease_seconds", 60)
        REMINDER_SEND_THREADS = options.get("send_threads", 4)

    now = dt.datetime.fromisoformat(options["now"]) if options.get("now") else None
    clock = (lambda: now) if now else utcnow
    app = create_app(Config)
    with app.app_context():
        print("ready", flush=True)
        sys.stdin.readline()
        claimed, idle = 0, 0
        while idle < options.get("idle_polls", 5):
            n = dispatcher.dispatch_once(clock)
            claimed += n
            idle = 0 if n else idle + 1
            if not n:
                time.sleep(0.05)
        print(f"done {claimed}", flush=True)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
