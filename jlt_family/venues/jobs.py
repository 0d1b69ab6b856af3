"""The venue jobs' work: expire pending bookings, release green places, mark no-shows and suspend.

Each selects the due rows, then moves each with the same conditional UPDATE the API uses: running a job twice,
or in two processes at once, or while staff confirm, changes each booking once. A job commits after each booking
(a short transaction that locks the booking, then its slot, in the same order as the API: no deadlocks with
cancellations, and one failure does not undo the others).
"""

import datetime as dt

import sqlalchemy as sa

from jlt_family.core.audit import audit
from jlt_family.core.errors import Conflict
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import to_shanghai, utcnow
from jlt_family.families.models import Family
from jlt_family.venues import eligibility, notify
from jlt_family.venues.models import Booking, BookingStatus, GreenSuspension, Offering, Slot
from jlt_family.venues.service import _give_back, _move


def expire_pending(now=None):
    """Pending bookings nobody confirmed in time expire; their places go back and the family is told."""
    now = now or utcnow()
    due = db.session.scalars(
        sa.select(Booking).where(Booking.status == BookingStatus.PENDING, Booking.expires_at <= now)
        .order_by(Booking.id)
    ).all()
    expired = 0
    for booking in due:
        if _move(booking, [BookingStatus.PENDING], BookingStatus.EXPIRED, expires_at=None):
            _give_back(booking)
            notify.expired(booking)
            expired += 1
        db.session.commit()
    return expired


def release_green(now=None):
    """Unused green places go to the general pool ``green_release_minutes`` before the start (once per slot)."""
    now = now or utcnow()
    due = db.session.execute(
        sa.select(Slot.id, Slot.starts_at, Offering.green_release_minutes)
        .join(Offering, Offering.id == Slot.offering_id)
        .where(Slot.green_released_at.is_(None), Offering.green_release_minutes.is_not(None), Slot.starts_at > now,
               Slot.starts_at <= now + dt.timedelta(days=2))
    ).all()
    released = 0
    for slot_id, starts_at, minutes in due:
        if starts_at - dt.timedelta(minutes=minutes) > now:
            continue
        released += db.session.execute(
            sa.update(Slot).where(Slot.id == slot_id, Slot.green_released_at.is_(None))
            .values(green_capacity=Slot.green_taken, green_released_at=now),
            execution_options={"synchronize_session": False},
        ).rowcount
        db.session.commit()
    return released


def mark_no_shows(now=None):
    """Confirmed bookings whose slot has ended without a check-in become no-shows; the policy may suspend."""
    now = now or utcnow()
    due = db.session.scalars(
        sa.select(Booking).join(Slot, Slot.id == Booking.slot_id)
        .where(Booking.status == BookingStatus.CONFIRMED, Slot.ends_at <= now).order_by(Booking.id)
    ).all()
    families, marked = set(), 0
    for booking in due:
        if _move(booking, [BookingStatus.CONFIRMED], BookingStatus.NO_SHOW):
            marked += 1
            if booking.family_id is not None:
                families.add(booking.family_id)
        db.session.commit()
    for family_id in sorted(families):
        apply_no_show_policy(family_id, now)
        db.session.commit()
    return marked


def apply_no_show_policy(family_id, now=None):
    """N no-shows within the window (since the last suspension) suspend the family's green channel."""
    now = now or utcnow()
    # The family's row lock first: two job runs at once cannot both suspend (the reads below come after it).
    db.session.scalar(sa.select(Family.id).where(Family.id == family_id).with_for_update())
    if eligibility.suspension_in_force(family_id, now) is not None:
        return None
    policy = eligibility.family_policy(family_id)
    since = now - dt.timedelta(days=policy.no_show_window_days)
    last = db.session.scalar(sa.select(sa.func.max(GreenSuspension.starts_at))
                             .where(GreenSuspension.family_id == family_id))
    if last is not None and last > since:
        since = last
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(Booking).join(Slot, Slot.id == Booking.slot_id)
        .where(Booking.family_id == family_id, Booking.status == BookingStatus.NO_SHOW, Slot.starts_at > since)
    )
    if count < policy.no_show_limit:
        return None
    ends_at = now + dt.timedelta(days=policy.suspension_days)
    suspension = GreenSuspension(
        family_id=family_id, alliance_id=policy.alliance_id, starts_at=now, ends_at=ends_at, no_show_count=count,
        reason=f"{policy.no_show_window_days} 天内爽约 {count} 次",
    )
    db.session.add(suspension)
    notify.suspended(suspension, to_shanghai(ends_at).strftime("%Y-%m-%d %H:%M"))
    return suspension


def lift_suspension(suspension, actor):
    """An administrator lifts a suspension (409 when it is no longer in force)."""
    moved = db.session.execute(
        sa.update(GreenSuspension).where(GreenSuspension.id == suspension.id, GreenSuspension.lifted_at.is_(None))
        .values(lifted_at=utcnow(), lifted_by_id=actor.user_id),
        execution_options={"synchronize_session": False},
    ).rowcount
    if not moved:
        raise Conflict("该暂停已解除", code="suspension_already_lifted")
    db.session.expire(suspension)
    audit(actor, "venue_green_suspension_lifted", "venue_green_suspension", suspension.id)
    return suspension
