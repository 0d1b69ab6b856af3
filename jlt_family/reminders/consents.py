"""订阅消息授权与免打扰: the one-time consents a user gave to a template (each one push) and the kinds they muted."""

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa

from jlt_family.core.extensions import db
from jlt_family.core.sql import rowcount
from jlt_family.core.timeutil import utcnow
from jlt_family.reminders.models import ReminderMute, SubscribeConsent
from jlt_family.reminders.templates import configured_template_ids, templates


def record_consents(user_id: int, template_ids: list[str]) -> list[str]:
    """Each accepted template is one more credit (one push); ids not configured are ignored and returned."""
    known = configured_template_ids()
    ignored = sorted({t for t in template_ids if t not in known})
    for template_id in template_ids:
        if template_id in known:
            _add_credit(user_id, template_id)
    return ignored


def _add_credit(user_id: int, template_id: str) -> None:
    def bump() -> int:
        return rowcount(
            db.session.execute(
                sa.update(SubscribeConsent)
                .where(SubscribeConsent.user_id == user_id, SubscribeConsent.template_id == template_id)
                .values(credits=SubscribeConsent.credits + 1, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )
        )

    if bump():
        return
    try:
        with db.session.begin_nested():
            db.session.add(SubscribeConsent(user_id=user_id, template_id=template_id, credits=1))
    except sa.exc.IntegrityError:  # a concurrent report inserted the row first
        bump()


def consents_of(user_id: int) -> dict[str, int]:
    rows = db.session.scalars(sa.select(SubscribeConsent).where(SubscribeConsent.user_id == user_id))
    return {row.template_id: row.credits for row in rows}


@dataclass(frozen=True)
class TemplateCredits:
    """订阅消息额度 of one kind: its configured template and the credits the user has left."""

    kind: str
    template_id: str
    credits: int


@dataclass(frozen=True)
class Credits:
    """What ``ConsentsSchema`` dumps: the credits of each configured template; ``ignored``: unknown ids reported."""

    templates: list[TemplateCredits]
    ignored: list[str] = field(default_factory=list)


def credits_of(user_id: int, *, ignored: Iterable[str] = ()) -> Credits:
    """The template of each reminder kind that has one (to request) and the user's credits left for it."""
    left = consents_of(user_id)
    items = [
        TemplateCredits(kind=kind, template_id=t["template_id"], credits=left.get(t["template_id"], 0))
        for kind, t in sorted(templates().items())
        if t and t.get("template_id")
    ]
    return Credits(templates=items, ignored=list(ignored))


def muted_kinds(user_id: int) -> list[str]:
    return sorted(db.session.scalars(sa.select(ReminderMute.kind).where(ReminderMute.user_id == user_id)))


def set_mutes(user_id: int, kinds: list[str]) -> list[str]:
    """Replace the user's muted kinds with ``kinds``."""
    wanted, current = set(kinds), set(muted_kinds(user_id))
    if current - wanted:
        db.session.execute(
            sa.delete(ReminderMute).where(ReminderMute.user_id == user_id, ReminderMute.kind.in_(current - wanted))
        )
    db.session.add_all(ReminderMute(user_id=user_id, kind=kind) for kind in sorted(wanted - current))
    db.session.flush()
    return sorted(wanted)
