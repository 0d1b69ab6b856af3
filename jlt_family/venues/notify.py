"""What venue bookings announce through the reminder contract (core.events), after the change is flushed."""

from __future__ import annotations

from jlt_family.core.events import cancel_reminders, schedule_reminders, send_notice
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import to_shanghai
from jlt_family.families.models import Guardian
from jlt_family.venues.models import Booking, GreenSuspension

KIND = "venue_booking"
SUBJECT = "venue_booking"


def recipients(booking: Booking) -> list[int]:
    """The family's guardians for a family booking; the booking teacher for a group."""
    if booking.family_id is None:
        return [booking.booked_by_id]
    return sorted(db.session.scalars(db.select(Guardian.user_id).where(Guardian.family_id == booking.family_id)).all())


def page(booking: Booking) -> str:
    return f"pages/venue/booking?id={booking.id}"


def _title(booking: Booking) -> str:
    offering = booking.slot.offering
    return f"{offering.resource_unit.name}·{offering.title}"


def _when(booking: Booking) -> str:
    return to_shanghai(booking.slot.starts_at).strftime("%m月%d日 %H:%M")


def _notice(booking: Booking, kind: str, title: str, body: str) -> None:
    send_notice.send(
        booking,
        kind=kind,
        subject_type=SUBJECT,
        subject_id=booking.id,
        user_ids=recipients(booking),
        title=title,
        body=body,
        page=page(booking),
        school_id=booking.school_id,
    )


def confirmed(booking: Booking, *, new: bool = False) -> None:
    """Confirmed (by staff or at once): remind before the visit and tell the family now. ``new``: the booking
    was created in this transaction (confirmed at once), so it has no earlier reminders to replace."""
    db.session.flush()
    slot = booking.slot
    schedule_reminders.send(
        booking,
        kind=KIND,
        subject_type=SUBJECT,
        subject_id=booking.id,
        user_ids=recipients(booking),
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        title=_title(booking),
        place=slot.offering.resource_unit.address,
        page=page(booking),
        school_id=booking.school_id,
        replace=not new,
    )
    _notice(
        booking,
        "venue_booking_confirmed",
        "场馆预约已确认",
        f"{_title(booking)}（{_when(booking)}）预约已确认，预约码 {booking.code}，请按时到场。",
    )


def rejected(booking: Booking) -> None:
    """Rejected by the venue: tell the family (or teacher) why."""
    db.session.flush()
    _notice(
        booking,
        "venue_booking_rejected",
        "场馆预约未通过",
        f"{_title(booking)}（{_when(booking)}）的预约未通过：{booking.reason}",
    )


def expired(booking: Booking) -> None:
    """Nobody confirmed it in time: tell the family its places are free again."""
    db.session.flush()
    _notice(
        booking,
        "venue_booking_expired",
        "场馆预约已过期",
        f"{_title(booking)}（{_when(booking)}）的预约未在规定时间内确认，已自动取消，名额已释放。",
    )


def cancelled(booking: Booking) -> None:
    """Cancelled by anyone: its reminders go, and the booker is told why."""
    db.session.flush()
    cancel_reminders.send(booking, subject_type=SUBJECT, subject_id=booking.id, user_ids=None)
    _notice(
        booking,
        "venue_booking_cancelled",
        "场馆预约已取消",
        f"{_title(booking)}（{_when(booking)}）的预约已取消：{booking.reason}",
    )


def suspended(suspension: GreenSuspension, until_text: str) -> None:
    """The family's green channel is suspended until ``until_text`` (Asia/Shanghai): tell its guardians."""
    db.session.flush()
    user_ids = sorted(
        db.session.scalars(db.select(Guardian.user_id).where(Guardian.family_id == suspension.family_id)).all()
    )
    send_notice.send(
        suspension,
        kind="venue_green_suspended",
        subject_type="venue_green_suspension",
        subject_id=suspension.id,
        user_ids=user_ids,
        title="绿色通道已暂停",
        body=f"近期爽约 {suspension.no_show_count} 次，绿色通道暂停至 {until_text}。",
        page="pages/venue/green-channel",
        school_id=None,
    )
