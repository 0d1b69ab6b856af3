"""提醒投递状态: counts by status and kind, the oldest due pending reminder, failures and inbox-only outcomes, for
the reminders of an alliance or of the alliances of a region."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from jlt_family.alliances.models import Alliance
from jlt_family.core.extensions import db
from jlt_family.organizations.models import Region
from jlt_family.organizations.service import region_subtree_ids
from jlt_family.reminders.models import Reminder, ReminderStatus


def delivery_state(alliance_ids: Iterable[int], now: dt.datetime) -> dict[str, Any]:
    """Counts by status and kind, the oldest due reminder still pending, failures by error and inbox-only
    outcomes by reason, for the reminders of these alliances (one, or those of a region)."""
    of_alliance = Reminder.alliance_id.in_(list(alliance_ids))
    counts = db.session.execute(
        sa.select(Reminder.status, Reminder.kind, sa.func.count())
        .where(of_alliance)
        .group_by(Reminder.status, Reminder.kind)
        .order_by(Reminder.status, Reminder.kind)
    ).all()
    oldest = db.session.scalar(
        sa.select(Reminder)
        .where(of_alliance, Reminder.status == ReminderStatus.PENDING, Reminder.due_at <= now)
        .order_by(Reminder.due_at, Reminder.id)
        .limit(1)
    )
    failures = db.session.execute(
        sa.select(Reminder.last_error_code, sa.func.count())
        .where(of_alliance, Reminder.status == ReminderStatus.FAILED)
        .group_by(Reminder.last_error_code)
        .order_by(Reminder.last_error_code)
    ).all()
    inbox_only = db.session.execute(
        sa.select(Reminder.outcome, sa.func.count())
        .where(of_alliance, Reminder.status == ReminderStatus.INBOX_ONLY)
        .group_by(Reminder.outcome)
        .order_by(Reminder.outcome)
    ).all()
    return {
        "counts": [{"status": s, "kind": k, "count": n} for s, k, n in counts],
        "oldest_due_pending": oldest,
        "failures": [{"error_code": code, "count": n} for code, n in failures],
        "inbox_only": [{"outcome": outcome, "count": n} for outcome, n in inbox_only],
    }


def region_alliance_ids(region: Region) -> list[int]:
    """The alliances of a region and of the regions under it."""
    regions = region_subtree_ids({region.id})
    return list(db.session.scalars(sa.select(Alliance.id).where(Alliance.region_id.in_(regions)).order_by(Alliance.id)))


def region_delivery_state(region: Region, now: dt.datetime) -> dict[str, Any]:
    """The delivery state over the alliances of a region and of the regions under it, with how many they are."""
    alliance_ids = region_alliance_ids(region)
    return {**delivery_state(alliance_ids, now), "alliances": len(alliance_ids)}
