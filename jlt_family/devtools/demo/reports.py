"""Demo data for the evaluation reports, on top of the other domains' demos (deterministic; flushes only).

- 调班: the first visited student of 三年级(2)班 moved to 三年级(1)班 three weeks ago (or on the school year's first
  day, if that is later): the visit made in 三年级(2)班 now counts in 三年级(1)班, the class the student is in;
- 场馆评价: the parents rate their checked-in venue visits;
- a discounted visit: a family (not one of the demo accounts, whose screens other demos count) visited 红色文化研学
  (student half price) on the general channel.
"""

import datetime as dt

import sqlalchemy as sa

from jlt_family.auth.models import User
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import SHANGHAI, shanghai_today, utcnow
from jlt_family.families.models import Guardian
from jlt_family.organizations.calendar import school_year_starting
from jlt_family.organizations.models import SchoolClass
from jlt_family.organizations.placements import StudentClassPlacement
from jlt_family.organizations.students import Student
from jlt_family.venues.models import (
    Booking,
    BookingChild,
    BookingKind,
    BookingStatus,
    Channel,
    Offering,
    Slot,
    VenueFeedback,
)
from jlt_family.visits.models import HomeVisit, VisitState

COMMENTS = {5: "讲解很精彩，孩子回家还在讲", 4: "内容不错，排队时间有点长"}


def seed():
    """Add the reports demo (flushes, never commits)."""
    summary = {"class_moves": _move_a_student(), "discounted_visits": _discounted_visit()}
    summary["venue_feedback"] = _rate_visits()
    return summary


def _move_a_student():
    source = db.session.scalar(sa.select(SchoolClass).where(SchoolClass.invite_code == "YX3B2Q4N"))
    target = db.session.scalar(sa.select(SchoolClass).where(SchoolClass.invite_code == "YX3A1K7M"))
    if source is None or target is None:
        return 0
    visited = sa.exists().where(
        HomeVisit.student_id == Student.id,
        HomeVisit.state == VisitState.COMPLETED,
        HomeVisit.school_year == source.school_year,
    )
    student = db.session.scalar(
        sa.select(Student).where(Student.class_id == source.id, visited).order_by(Student.student_no).limit(1)
    )
    if student is None:
        return 0
    student.school_class = target
    db.session.flush()  # the placement hook closes 三年级(2)班 and opens 三年级(1)班 today
    year_start = school_year_starting(target.school_year, target.school.region).starts_on
    moved_on = min(shanghai_today(), max(year_start, shanghai_today() - dt.timedelta(days=21)))
    rows = db.session.scalars(
        sa.select(StudentClassPlacement)
        .where(StudentClassPlacement.student_id == student.id)
        .order_by(StudentClassPlacement.id)
    ).all()
    rows[0].to_date, rows[-1].from_date = moved_on, moved_on
    if rows[0].from_date > moved_on:
        rows[0].from_date = moved_on
    db.session.flush()
    return 1


def _discounted_visit():
    offering = db.session.scalar(sa.select(Offering).where(Offering.title == "红色文化研学"))
    # deferred: the demo package imports this module while it loads
    from jlt_family.devtools.demo import DEMO_ACCOUNTS

    demo_family_ids = (
        sa.select(Guardian.family_id)
        .join(User, User.id == Guardian.user_id)
        .where(User.openid.in_(list(DEMO_ACCOUNTS)))
    )
    guardian = db.session.scalar(
        sa.select(Guardian)
        .where(Guardian.family_id.not_in(demo_family_ids))
        .where(sa.exists().where(Student.family_id == Guardian.family_id))
        .order_by(Guardian.id)
        .limit(1)
    )
    if offering is None or guardian is None or not offering.rules:
        return 0
    parent, family = guardian.user, guardian.family
    day = shanghai_today() - dt.timedelta(days=10)
    start = dt.datetime.combine(day, offering.rules[0].start_time, tzinfo=SHANGHAI).astimezone(dt.UTC)
    slot = db.session.scalar(sa.select(Slot).where(Slot.offering_id == offering.id, Slot.starts_at == start))
    if slot is None:
        slot = Slot(
            offering=offering,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=offering.duration_minutes),
            capacity=offering.capacity,
            green_capacity=offering.green_quota,
            green_taken=0,
            general_taken=0,
        )
        db.session.add(slot)
    children = family.children[:1]
    db.session.add(
        Booking(
            slot=slot,
            resource_unit_id=offering.resource_unit_id,
            kind=BookingKind.FAMILY,
            channel=Channel.GENERAL,
            family_id=family.id,
            school_id=children[0].school_id,
            booked_by_id=parent.id,
            contact_name=parent.nickname,
            adults=1,
            headcount=2,
            is_free=offering.is_free_for_channel(Channel.GENERAL),
            status=BookingStatus.CHECKED_IN,
            active_key=1,
            code="RPTDEMO01",
            checked_in_count=2,
            checked_in_at=start,
            decided_at=utcnow(),
            children=[BookingChild(student_id=child.id) for child in children],
        )
    )
    db.session.flush()
    return 1


def _rate_visits():
    """The parents rate each checked-in family visit (5 for the first, then 4)."""
    bookings = db.session.scalars(
        sa.select(Booking)
        .where(Booking.status == BookingStatus.CHECKED_IN, Booking.kind == BookingKind.FAMILY)
        .order_by(Booking.id)
    ).all()
    for n, booking in enumerate(bookings):
        rating = 5 if n == 0 else 4
        db.session.add(
            VenueFeedback(
                booking_id=booking.id,
                resource_unit_id=booking.resource_unit_id,
                user_id=booking.booked_by_id,
                rating=rating,
                comment=COMMENTS[rating],
            )
        )
    db.session.flush()
    return len(bookings)
