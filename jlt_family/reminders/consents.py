"""订阅消息授权与免打扰: the one-time consents a user gave to a template (each one push) and the kinds they muted."""

import sqlalchemy as sa

from jlt_family.core.extensions import db
from jlt_family.core.timeutil import utcnow
from jlt_family.reminders.models import ReminderMute, SubscribeConsent
from jlt_family.reminders.templates import configured_template_ids


def record_consents(user_id, template_ids):
    """Each accepted template is one more credit (one push); ids not configured are ignored and returned."""
    known = configured_template_ids()
    ignored = sorted({t for t in template_ids if t not in known})
    for template_id in template_ids:
        if template_id in known:
            _add_credit(user_id, template_id)
    return ignored


def _add_credit(user_id, template_id):
    def bump():
        return db.session.execute(
            sa.update(SubscribeConsent)
            .where(SubscribeConsent.user_id == user_id, SubscribeConsent.template_id == template_id)
            .values(credits=SubscribeConsent.credits + 1, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount

    if bump():
        return
    try:
        with db.session.begin_nested():
            db.session.add(SubscribeConsent(user_id=user_id, template_id=template_id, credits=1))
    except sa.exc.IntegrityError:  # a concurrent report inserted the row first
        bump()


def consents_of(user_id):
    rows = db.session.scalars(sa.select(SubscribeConsent).where(SubscribeConsent.user_id == user_id))
    return {row.template_id: row.credits for row in rows}


def muted_kinds(user_id):
    return sorted(db.session.scalars(sa.select(ReminderMute.kind).where(ReminderMute.user_id == user_id)))


def set_mutes(user_id, kinds):
    """Replace the user's muted kinds with ``kinds``."""
    wanted, current = set(kinds), set(muted_kinds(user_id))
    if current - wanted:
        db.session.execute(
            sa.delete(ReminderMute).where(ReminderMute.user_id == user_id, ReminderMute.kind.in_(current - wanted))
        )
    db.session.add_all(ReminderMute(user_id=user_id, kind=kind) for kind in sorted(wanted - current))
    db.session.flush()
    return sorted(wanted)
