"""Permission-matrix rows of reminders: (name, method, path(world), body(world) or None, statuses per role).

Collected by tests/test_permission_matrix.py; see its helpers (``expect``) and the ``world`` cast.
"""

import datetime as dt

from jlt_family.core.timeutil import utcnow
from tests.matrix_support import expect


def _guardian_a_message(w):
    from jlt_family.reminders import service

    service.notice(
        kind="venue_booking",
        subject_type="venue_booking",
        subject_id=1,
        user_ids=[w.guardian_a.id],
        title="预约已确认",
        body="您的预约已确认。",
        page="pages/booking/index",
        school_id=None,
        now=utcnow() - dt.timedelta(minutes=1),
    )
    from jlt_family.core.extensions import db
    from jlt_family.reminders.models import Reminder

    db.session.commit()
    return db.session.query(Reminder.id).filter_by(user_id=w.guardian_a.id).scalar()


ENDPOINTS = [
    ("inbox", "GET", lambda w: "/api/v1/me/inbox", None, expect(200)),
    ("inbox_unread_count", "GET", lambda w: "/api/v1/me/inbox/unread-count", None, expect(200)),
    (
        "inbox_mark_read",
        "POST",
        lambda w: f"/api/v1/me/inbox/{_guardian_a_message(w)}/read",
        None,
        expect(404, guardian_a=200),
    ),
    ("inbox_read_all", "POST", lambda w: "/api/v1/me/inbox/read-all", None, expect(200)),
    ("consents", "GET", lambda w: "/api/v1/me/subscribe-consents", None, expect(200)),
    (
        "report_consents",
        "POST",
        lambda w: "/api/v1/me/subscribe-consents",
        lambda w: {"accepted": ["TPL-ANY"]},
        expect(200),
    ),
    ("mutes", "GET", lambda w: "/api/v1/me/reminder-mutes", None, expect(200)),
    ("set_mutes", "PUT", lambda w: "/api/v1/me/reminder-mutes", lambda w: {"kinds": ["course_session"]}, expect(200)),
    (
        "broadcast",
        "POST",
        lambda w: f"/api/v1/alliances/{w.alliance.id}/broadcasts",
        lambda w: {"title": "全国家庭教育宣传周", "body": "本周六上午在市图书馆举办亲子阅读活动。"},
        expect(403, alliance_admin=201),
    ),
    (
        "reminder_delivery",
        "GET",
        lambda w: f"/api/v1/alliances/{w.alliance.id}/reminder-delivery",
        None,
        expect(403, alliance_admin=200, region_admin=200),
    ),
    ("region_reminder_delivery", "GET", lambda w: f"/api/v1/regions/{w.city.id}/reminder-delivery", None, expect(403)),
    (
        "county_reminder_delivery",
        "GET",
        lambda w: f"/api/v1/regions/{w.county.id}/reminder-delivery",
        None,
        expect(403, region_admin=200),
    ),
]
