"""场馆评价: a guardian rates a checked-in booking of their family (1–5, optional comment), once per booking,
once its slot has started (422 ``venue_feedback_too_early`` before, times in Asia/Shanghai).

The unit's staff and the administrators above the unit read the ratings: what was said, not who said it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from jlt_family.auth.context import Actor
from jlt_family.core.errors import Conflict, RuleViolation
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import to_shanghai, utcnow
from jlt_family.venues.models import Booking, BookingStatus, Offering, Slot, VenueFeedback

_EXISTS = ("您已评价过这次预约", "venue_feedback_exists")


def leave_feedback(
    actor: Actor, booking: Booking, rating: int, *, comment: str = "", now: dt.datetime | None = None
) -> VenueFeedback:
    """Once, after check-in and once the slot has started (check-in opens before it: a visit not yet begun is
    not rated); two racing submissions leave one row (the unique booking id), the other gets 409."""
    now = now or utcnow()
    if now < booking.slot.starts_at:
        starts = to_shanghai(booking.slot.starts_at).strftime("%Y-%m-%d %H:%M")
        raise RuleViolation(f"场次开始后才能评价（开始时间 {starts}）", code="venue_feedback_too_early")
    if booking.status != BookingStatus.CHECKED_IN:
        raise Conflict("核销入馆后才能评价", code="not_checked_in")
    if db.session.scalar(sa.select(VenueFeedback.id).where(VenueFeedback.booking_id == booking.id)) is not None:
        raise Conflict(_EXISTS[0], code=_EXISTS[1])
    feedback = VenueFeedback(
        booking_id=booking.id,
        resource_unit_id=booking.resource_unit_id,
        user_id=actor.user_id,
        rating=rating,
        comment=comment,
    )
    db.session.add(feedback)
    try:
        db.session.flush()
    except IntegrityError:
        raise Conflict(_EXISTS[0], code=_EXISTS[1]) from None
    return feedback


def unit_feedback(unit_id: int) -> sa.Select:
    """The unit's ratings, newest first, with the offering and the day of the visit (no names): rows of
    ``id, rating, comment, created_at, offering_title, visited_at``."""
    return (
        sa.select(
            VenueFeedback.id,
            VenueFeedback.rating,
            VenueFeedback.comment,
            VenueFeedback.created_at,
            Offering.title.label("offering_title"),
            Slot.starts_at.label("visited_at"),
        )
        .join(Booking, Booking.id == VenueFeedback.booking_id)
        .join(Slot, Slot.id == Booking.slot_id)
        .join(Offering, Offering.id == Slot.offering_id)
        .where(VenueFeedback.resource_unit_id == unit_id)
        .order_by(VenueFeedback.created_at.desc(), VenueFeedback.id.desc())
    )


@dataclasses.dataclass
class FeedbackStats:
    """评价汇总 of a unit: how many ratings, and their average (None without any)."""

    count: int
    average: float | None


def unit_stats(unit_id: int) -> FeedbackStats:
    """The count and average rating of a unit."""
    count, total = db.session.execute(
        sa.select(sa.func.count(VenueFeedback.id), sa.func.sum(VenueFeedback.rating)).where(
            VenueFeedback.resource_unit_id == unit_id
        )
    ).one()
    return FeedbackStats(count=count, average=round(int(total) / count, 2) if count else None)
