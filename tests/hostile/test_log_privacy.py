"""Logs never hold session keys, tokens, phone numbers or home addresses.

Every log record (root at DEBUG, with the SQL, HTTP-client and werkzeug loggers switched on) is captured across
WeChat sign-in, phone binding, a family address change, a venue booking, a course enrolment, reminder dispatch,
a logout and errors (a forged token, bad input, a 404, a database conflict), then searched for those values.
"""

import datetime as dt
import logging

import pytest

from jlt_family.reminders import dispatcher
from tests.courses import matrix as courses_matrix
from tests.reminders.support import TEMPLATES, add_reminder, give_credits
from tests.venues import matrix as venues_matrix

API = "/api/v1"
PHONE = "13912345678"
ADDRESS = "锡林大街88号秘密小区3栋"
LOGGERS = ("", "jlt_family", "werkzeug", "sqlalchemy.engine", "sqlalchemy.pool", "urllib3", "apscheduler")


@pytest.fixture
def all_logs(caplog):
    saved = {name: logging.getLogger(name).level for name in LOGGERS}
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    yield caplog
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def _text(records):
    lines = []
    for record in records:
        lines.append(record.getMessage())
        if record.exc_info:
            lines.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(lines)


@pytest.mark.shanghai_time("10:00")  # the reminder is pushed at once (at night it would wait for 07:00)
def test_no_secret_or_personal_value_reaches_the_logs(client, call, make, world, db, configure, wechat_mode, all_logs):
    configure(WECHAT_TEMPLATES=TEMPLATES, REMINDER_SEND_THREADS=1)
    fake = wechat_mode
    secrets = {PHONE, ADDRESS, world.family_a.home_address, world.guardian_a.phone, fake.secret}

    # WeChat sign-in (the session key stays on the server) and phone binding
    code = fake.code_for("log-parent")
    secrets |= {code, fake.session_key_for(code)}
    signed_in = client.post(f"{API}/auth/wechat-login", json={"code": code})
    assert signed_in.status_code == 200
    token = signed_in.json["token"]
    secrets |= {token, token.rsplit(".", 1)[1]}
    auth = {"Authorization": f"Bearer {token}"}
    phone_code = fake.phone_code_for(PHONE)
    secrets.add(phone_code)
    assert client.post(f"{API}/me/phone", headers=auth, json={"code": phone_code}).status_code == 200

    # the family's address, a booking and an enrolment of guardian_a
    guardian_token = make.login(world.guardian_a)
    secrets.add(guardian_token["Authorization"].split()[1])
    assert client.patch(f"{API}/family", headers=guardian_token, json={"home_address": ADDRESS}).status_code == 200
    slot = venues_matrix._slot(world)
    booked = client.post(
        f"{API}/venue-slots/{slot.id}/bookings",
        headers=guardian_token,
        json={"channel": "general", "child_ids": [world.child_a.id], "adults": 1},
    )
    assert booked.status_code == 201, booked.json
    session = courses_matrix._cast(world).upcoming
    assert client.post(
        f"{API}/course-sessions/{session.id}/enrolments", headers=guardian_token, json={}
    ).status_code in (200, 201)

    # reminder dispatch to WeChat (access token in the query string)
    user = make.user(openid="o-log-user", phone=PHONE)
    give_credits(db, user)
    add_reminder(db, user, due_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    db.session.commit()
    dispatcher.drain()
    assert fake.sent_messages
    secrets.add(fake.current_token)

    # errors: a forged token, bad input carrying the values, a 404, a conflict, a WeChat refusal
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    secrets.add(forged)
    assert client.get(f"{API}/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    assert (
        client.patch(
            f"{API}/family", headers=guardian_token, json={"home_address": ADDRESS * 50, "phone": PHONE}
        ).status_code
        == 422
    )
    assert client.get(f"{API}/children/999999", headers=guardian_token).status_code == 404
    assert client.post(f"{API}/me/phone", headers=auth, json={"code": phone_code}).status_code == 400  # used
    assert client.post(f"{API}/auth/logout", headers=auth).status_code == 204
    assert client.get(f"{API}/me", headers=auth).status_code == 401

    logged = _text(all_logs.records)
    assert any(r.name.startswith("sqlalchemy.engine") for r in all_logs.records)  # the SQL log was on
    leaked = sorted(value for value in secrets if value and value in logged)
    assert leaked == [], [line for line in logged.splitlines() if any(v in line for v in leaked)][:8]
