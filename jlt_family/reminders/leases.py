"""租约: how a dispatcher claims due reminders, gives back the ones it did not begin, and how the reaper settles
the leases of a dispatcher that died or stalled (the rules are in ``jlt_family.reminders.dispatcher``'s
docstring)."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa

from jlt_family.auth.models import User
from jlt_family.core.extensions import db
from jlt_family.reminders.models import Reminder, ReminderStatus

log = logging.getLogger("jlt_family.reminders.dispatcher")

UNCONFIRMED = "unconfirmed: the dispatcher stopped before WeChat answered"


@dataclass(frozen=True)
class Settings:
    batch_size: int = 50
    lease_seconds: int = 60
    max_attempts: int = 6
    retry_base_seconds: int = 30
    retry_cap_seconds: int = 3600
    send_threads: int = 4

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        return cls(
            send_threads=config.get("REMINDER_SEND_THREADS", cls.send_threads),
            batch_size=config.get("REMINDER_BATCH_SIZE", cls.batch_size),
            lease_seconds=config.get("REMINDER_LEASE_SECONDS", cls.lease_seconds),
            max_attempts=config.get("REMINDER_MAX_ATTEMPTS", cls.max_attempts),
            retry_base_seconds=config.get("REMINDER_RETRY_BASE_SECONDS", cls.retry_base_seconds),
            retry_cap_seconds=config.get("REMINDER_RETRY_CAP_SECONDS", cls.retry_cap_seconds),
        )

    def lease(self, now: dt.datetime) -> dt.datetime:
        return now + _seconds(self.lease_seconds)

    def backoff(self, attempts: int) -> int:
        """Seconds before the next try after ``attempts`` tries: base, 2×base, 4×base ... up to the cap."""
        return min(self.retry_base_seconds * 2 ** max(attempts - 1, 0), self.retry_cap_seconds)


def _seconds(n):
    return dt.timedelta(seconds=n)


def _updated(statement: sa.Update) -> int:
    """Run an UPDATE in the session's transaction; how many rows it changed."""
    result = cast(sa.CursorResult[Any], db.session.execute(statement))
    return result.rowcount


def _reminders():
    return Reminder.__table__


# Claim, release, reap ------------------------------------------------------------------------------------------


def claim(now: dt.datetime, settings: Settings) -> tuple[str, Sequence[sa.Row[Any]]]:
    """Claim up to ``batch_size`` due reminders: ``(token, rows)``, committed; each row has the reminder's
    columns and the user's ``openid`` (plain rows, not ORM objects: nothing to refresh after the commits)."""
    token = secrets.token_hex(16)
    ids = db.session.scalars(
        sa.select(Reminder.id)
        .where(Reminder.status == ReminderStatus.PENDING, Reminder.next_attempt_at <= now)
        .order_by(Reminder.next_attempt_at, Reminder.id)
        .limit(settings.batch_size)
        .with_for_update(skip_locked=True)
    ).all()
    if ids:
        db.session.execute(
            sa.update(_reminders())
            .where(_reminders().c.id.in_(ids), _reminders().c.status == ReminderStatus.PENDING)
            .values(status=ReminderStatus.SENDING, claim_token=token, lease_until=settings.lease(now))
        )
    db.session.commit()
    if not ids:
        return token, []
    t = _reminders()
    rows = db.session.execute(
        sa.select(t, User.openid)
        .join(User, User.id == t.c.user_id)
        .where(t.c.claim_token == token)
        .order_by(t.c.next_attempt_at, t.c.id)
    ).all()
    db.session.commit()
    return token, rows


def release(token: str, ids: Sequence[int], next_attempt_at: dt.datetime) -> None:
    """Give back the claimed rows of ``ids`` not yet begun (still sending with our token, no send started).

    By primary key: an UPDATE by the claim token alone (not indexed) scans the table and locks every row it
    passes, other dispatchers' rows in flight included, and deadlocked against them (MariaDB 1213)."""
    t = _reminders()
    if ids:
        db.session.execute(
            sa.update(t)
            .where(
                t.c.id.in_(ids),
                t.c.claim_token == token,
                t.c.status == ReminderStatus.SENDING,
                t.c.send_started_at.is_(None),
            )
            .values(status=ReminderStatus.PENDING, claim_token=None, lease_until=None, next_attempt_at=next_attempt_at)
        )
    db.session.commit()


def reap(now: dt.datetime) -> int:
    """Settle ``sending`` reminders whose lease expired (their dispatcher died or stalled); returns how many.

    Those whose send never began go back to ``pending`` (no credit was spent on them); those whose send began
    have an unknown outcome and are marked sent, unconfirmed, never pushed again (the rule in the module's
    docstring)."""
    t = _reminders()
    expired = (t.c.status == ReminderStatus.SENDING, t.c.lease_until < now)
    returned = _updated(
        sa.update(t)
        .where(*expired, t.c.send_started_at.is_(None))
        .values(status=ReminderStatus.PENDING, claim_token=None, lease_until=None)
    )
    unconfirmed = _updated(
        sa.update(t)
        .where(*expired, t.c.send_started_at.is_not(None))
        .values(status=ReminderStatus.SENT, sent_at=t.c.send_started_at, lease_until=None, last_error=UNCONFIRMED)
    )
    db.session.commit()
    if returned:
        log.warning("reaper returned %d reminders with expired leases", returned)
    if unconfirmed:
        log.warning("reaper marked %d reminders sent, unconfirmed: their dispatcher stopped mid-send", unconfirmed)
    return returned + unconfirmed
