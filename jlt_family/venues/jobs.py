"""The venue jobs' work: expire pending bookings, release green places, mark no-shows and suspend.

Each selects the due rows, then moves each through ``lifecycle.move_booking`` as the API does (with no actor, the
reason in the history): running a job twice, or in two processes at once, or while staff confirm, changes each
booking once. A job works on each booking (or slot, or family) in its own short transaction (``_each``),
locking in the same order as the API (the slot's row, then the booking, then the family's counter): no deadlocks
with cancellations. A failure in one (a deadlock, a receiver of the notice failing) rolls back that one only, is
logged with its id, and the job carries on; the next run picks it up again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable

import sqlalchemy as sa

from jlt_family.auth.context import Actor
from jlt_family.core.audit import audit
from jlt_family.core.errors import Conflict
from jlt_family.core.extensions import db
from jlt_family.core.sql import update_rows
from jlt_family.core.timeutil import to_shanghai, utcnow
from jlt_family.families.models import Family
from jlt_family.venues import eligibility, notify
from jlt_family.venues.lifecycle import move_booking
from jlt_family.venues.models import MAX_GREEN_RELEASE_MINUTES, Booking, BookingStatus, GreenSuspension, Offering, Slot

log = logging.getLogger(__name__)

POLICY_RECHECK = dt.timedelta(hours=24)  # how long a family's no-show policy is re-checked after a no-show
EXPIRED_REASON = "超时未确认，自动过期"  # the reason in an expired booking's history
NO_SHOW_REASON = "场次结束未核销"  # the reason in a no-show's history


def _each(job_name: str, subject: str, ids: Iterable[int], work: Callable[[int], object]) -> list[int]:
    """``work(id)`` for each id, committed one by one; the ids it changed something for (``work`` was truthy).

    A failing id is rolled back and logged (``job_name``, ``subject`` and the id), and the others go on.
    """
    done = []
    for item_id in ids:
        try:
            changed = work(item_id)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("venue job %s: %s %s failed; rolled back, the others go on", job_name, subject, item_id)
            continue
        if changed:
            done.append(item_id)
    return done


def expire_pending(now: dt.datetime | None = None) -> int:
    """Pending bookings nobody confirmed in time expire; their places go back and the family is told."""
    now = now or utcnow()
    due = db.session.scalars(
        sa.select(Booking.id)
        .where(Booking.status == BookingStatus.PENDING, Booking.expires_at <= now)
        .order_by(Booking.id)
    ).all()
    return len(_each("expire_pending", "booking", due, _expire))


def _expire(booking_id: int) -> bool:
    booking = db.session.get_one(Booking, booking_id)
    if not move_booking(
        booking, BookingStatus.EXPIRED, actor_id=None, reason=EXPIRED_REASON, values={"expires_at": None}
    ):
        return False
    notify.expired(booking)
    return True


def release_green(now: dt.datetime | None = None) -> int:
    """Unused green places go to the general pool ``green_release_minutes`` before the start (once per slot)."""
    now = now or utcnow()
    candidates = db.session.execute(
        sa.select(Slot.id, Slot.starts_at, Offering.green_release_minutes)
        .join(Offering, Offering.id == Slot.offering_id)
        .where(
            Slot.green_released_at.is_(None),
            Offering.green_release_minutes.is_not(None),
            Slot.starts_at > now,
            Slot.starts_at <= now + dt.timedelta(minutes=MAX_GREEN_RELEASE_MINUTES),
        )
        .order_by(Slot.id)
    ).all()
    due = [
        slot_id for slot_id, starts_at, minutes in candidates if starts_at - dt.timedelta(minutes=minutes or 0) <= now
    ]
    return len(_each("release_green", "slot", due, lambda slot_id: _release(slot_id, now)))


def _release(slot_id: int, now: dt.datetime) -> int:
    return update_rows(
        sa.update(Slot)
        .where(Slot.id == slot_id, Slot.green_released_at.is_(None))
        .values(green_capacity=Slot.green_taken, green_released_at=now)
    )


def mark_no_shows(now: dt.datetime | None = None) -> int:
    """Confirmed bookings whose slot has ended without a check-in become no-shows; the policy may suspend."""
    now = now or utcnow()
    due = db.session.execute(
        sa.select(Booking.id, Booking.family_id)
        .join(Slot, Slot.id == Booking.slot_id)
        .where(Booking.status == BookingStatus.CONFIRMED, Slot.ends_at <= now)
        .order_by(Booking.id)
    ).all()
    families = dict(due)
    marked = _each("mark_no_shows", "booking", [booking_id for booking_id, _ in due], _mark_no_show)
    noted = {families[booking_id] for booking_id in marked} | _recent_no_show_families(now)
    family_ids = sorted(family_id for family_id in noted if family_id is not None)
    _each("apply_no_show_policy", "family", family_ids, lambda family_id: apply_no_show_policy(family_id, now))
    return len(marked)


def _recent_no_show_families(now: dt.datetime) -> set[int]:
    """Families with a no-show of a slot that ended within ``POLICY_RECHECK``: a policy check that failed in an
    earlier run is tried again (the check is idempotent; it runs in its own transaction, after the marking, so
    it never holds a family's counter while waiting for the family's row)."""
    return set(
        db.session.scalars(
            sa.select(Booking.family_id)
            .distinct()
            .join(Slot, Slot.id == Booking.slot_id)
            .where(
                Booking.status == BookingStatus.NO_SHOW,
                Booking.family_id.is_not(None),
                Slot.ends_at > now - POLICY_RECHECK,
                Slot.ends_at <= now,
            )
        )
    )


def _mark_no_show(booking_id: int) -> bool:
    return move_booking(
        db.session.get_one(Booking, booking_id), BookingStatus.NO_SHOW, actor_id=None, reason=NO_SHOW_REASON
    )


def apply_no_show_policy(family_id: int, now: dt.datetime | None = None) -> GreenSuspension | None:
    """N no-shows within the window (since the last suspension) suspend the family's green channel."""
    now = now or utcnow()
    # The family's row lock first: two job runs at once cannot both suspend (the reads below come after it).
    db.session.scalar(sa.select(Family.id).where(Family.id == family_id).with_for_update())
    if eligibility.suspension_in_force(family_id, now) is not None:
        return None
    policy = eligibility.family_policy(family_id)
    since = now - dt.timedelta(days=policy.no_show_window_days)
    last = db.session.scalar(
        sa.select(sa.func.max(GreenSuspension.starts_at)).where(GreenSuspension.family_id == family_id)
    )
    if last is not None and last > since:
        since = last
    count = db.session.execute(
        sa.select(sa.func.count())
        .select_from(Booking)
        .join(Slot, Slot.id == Booking.slot_id)
        .where(Booking.family_id == family_id, Booking.status == BookingStatus.NO_SHOW, Slot.starts_at > since)
    ).scalar_one()
    if count < policy.no_show_limit:
        return None
    ends_at = now + dt.timedelta(days=policy.suspension_days)
    suspension = GreenSuspension(
        family_id=family_id,
        alliance_id=policy.alliance_id,
        starts_at=now,
        ends_at=ends_at,
        no_show_count=count,
        reason=f"{policy.no_show_window_days} 天内爽约 {count} 次",
    )
    db.session.add(suspension)
    notify.suspended(suspension, to_shanghai(ends_at).strftime("%Y-%m-%d %H:%M"))
    return suspension


def lift_suspension(suspension: GreenSuspension, actor: Actor) -> GreenSuspension:
    """An administrator lifts a suspension (409 when it is no longer in force)."""
    moved = update_rows(
        sa.update(GreenSuspension)
        .where(GreenSuspension.id == suspension.id, GreenSuspension.lifted_at.is_(None))
        .values(lifted_at=utcnow(), lifted_by_id=actor.user_id)
    )
    if not moved:
        raise Conflict("该暂停已解除", code="suspension_already_lifted")
    db.session.expire(suspension)
    audit(actor, "venue_green_suspension_lifted", "venue_green_suspension", suspension.id)
    return suspension
