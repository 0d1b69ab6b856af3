"""The aggregate queries behind the evaluation reports: each one grouped statement, whatever the number of
schools, classes or students (GROUP BY, COUNT, conditional SUM in the database; never a loop over rows).

Each takes ``school_ids``, a SELECT of the ids of the schools in scope, and a ``Period``.
"""

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from jlt_family.core.extensions import db
from jlt_family.core.timeutil import utcnow
from jlt_family.courses.models import ActivityKind, Course, CourseSession, Enrolment, EnrolmentStatus, Feedback
from jlt_family.courses.models import SessionStatus as CourseSessionStatus
from jlt_family.courses.models import counts_as_held as session_counts_as_held
from jlt_family.organizations.calendar import AUTUMN, SPRING
from jlt_family.organizations.models import Alliance, School, SchoolClass
from jlt_family.organizations.placements import StudentClassPlacement as Placement
from jlt_family.venues.models import Booking, BookingKind, BookingStatus, Channel, Slot, VenueFeedback
from jlt_family.visits.models import HomeVisit, VisitFeedback, VisitState

# Bookings that count: whatever was not withdrawn (cancelled), refused (rejected) or left to lapse (expired).
COUNTED_BOOKINGS = (BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN, BookingStatus.NO_SHOW)
EXPECTED_ATTENDANCE = (EnrolmentStatus.ATTENDED, EnrolmentStatus.ABSENT, EnrolmentStatus.ENROLLED)


def _sum(condition):
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


# 家访覆盖 -----------------------------------------------------------------------------------------------------


def coverage(school_ids, period, *, per_class=False):
    """Students on the roster at the reference date and those with a completed visit this school year (up to the
    reference date), grouped by school (or by school and class).

    The class a student counts in: the last class of this school year they were placed in on or before the
    reference date. Only students still in a class of the school on that date count (a student who left
    does not); their visits count whichever class they were in when visited.
    """
    year, ref = period.school_year.start_year, period.reference_date
    _start, ref_end = period.utc_bounds(period.starts_on, ref)
    ranked = (
        sa.select(Placement.student_id, Placement.class_id, SchoolClass.school_id,
                  sa.func.row_number().over(partition_by=Placement.student_id,
                                            order_by=(Placement.from_date.desc(), Placement.id.desc())).label("rn"))
        .join(SchoolClass, SchoolClass.id == Placement.class_id)
        .where(SchoolClass.school_year == year, SchoolClass.school_id.in_(school_ids), Placement.from_date <= ref)
        .subquery("ranked")
    )
    # still in a class of the same school on that date (of any school year: a promotion before the year's end
    # keeps the student; a transfer to another school does not, though the student is placed there)
    current = aliased(SchoolClass)
    on_roster = sa.exists().where(Placement.student_id == ranked.c.student_id, Placement.from_date <= ref,
                                  sa.or_(Placement.to_date.is_(None), Placement.to_date > ref),
                                  current.id == Placement.class_id, current.school_id == ranked.c.school_id)
    visited = sa.exists().where(HomeVisit.student_id == ranked.c.student_id, HomeVisit.school_year == year,
                                HomeVisit.state == VisitState.COMPLETED,
                                sa.or_(HomeVisit.starts_at.is_(None), HomeVisit.starts_at < ref_end))
    keys = [ranked.c.school_id, ranked.c.class_id] if per_class else [ranked.c.school_id]
    stmt = (
        sa.select(*keys, sa.func.count().label("students"), _sum(visited).label("visited"))
        .where(ranked.c.rn == 1, on_roster)
        .group_by(*keys)
    )
    rows = db.session.execute(stmt).all()
    if per_class:
        return {row.class_id: (row.students, int(row.visited)) for row in rows}
    return {row.school_id: (row.students, int(row.visited)) for row in rows}


def classes_of(school_ids, period):
    """The classes of the school year in scope: [(id, school_id, grade, name)], by grade and name."""
    return db.session.execute(
        sa.select(SchoolClass.id, SchoolClass.school_id, SchoolClass.grade, SchoolClass.name)
        .where(SchoolClass.school_id.in_(school_ids), SchoolClass.school_year == period.school_year.start_year)
        .order_by(SchoolClass.grade, SchoolClass.name, SchoolClass.id)
    ).all()


# 家校活动 (the schools' courses: 家长会, 家长夜校, 家庭教育指导 ...) ---------------------------------------------


def _held(period):
    """Sessions that took place within the school year so far: not cancelled, already ended (a back-filled one
    only with its attendance recorded)."""
    start, end = period.utc_bounds(period.school_year.starts_on, period.school_year.ends_on)
    return sa.and_(CourseSession.status != CourseSessionStatus.CANCELLED, CourseSession.starts_at >= start,
                   CourseSession.starts_at < end, CourseSession.ends_at <= utcnow(), session_counts_as_held())


def _term_bucket(period):
    spring_start, _end = period.utc_bounds(period.spring_starts_on, period.spring_starts_on)
    return sa.case((CourseSession.starts_at < spring_start, AUTUMN), else_=SPRING)


def activities(school_ids, period):
    """Held sessions of the schools' own courses, with attendance, by school, activity kind and term:
    {(school_id, kind, term): (held, attended, expected)}. Attended / expected: enrolments marked attended over
    those attended, absent or left enrolled (never checked in) on a held session."""
    bucket = _term_bucket(period).label("term")
    stmt = (
        sa.select(Course.school_id, Course.activity_kind, bucket,
                  sa.func.count(sa.distinct(CourseSession.id)).label("held"),
                  _sum(Enrolment.status == EnrolmentStatus.ATTENDED).label("attended"),
                  sa.func.count(Enrolment.id).label("expected"))
        .select_from(CourseSession)
        .join(Course, Course.id == CourseSession.course_id)
        .outerjoin(Enrolment, sa.and_(Enrolment.session_id == CourseSession.id,
                                      Enrolment.status.in_(EXPECTED_ATTENDANCE)))
        .where(Course.school_id.in_(school_ids), _held(period))
        .group_by(Course.school_id, Course.activity_kind, bucket)
    )
    return {(row.school_id, ActivityKind(row.activity_kind), row.term): (row.held, int(row.attended), row.expected)
            for row in db.session.execute(stmt)}


def coordination_meetings(alliance_ids, period):
    """教联体协调会 held per alliance in the school year up to the reference date: courses of kind
    alliance_meeting run by the alliance itself or by one of its schools. {alliance_id: held}."""
    _start, ref_end = period.utc_bounds(period.starts_on, period.reference_date)
    alliance_of = sa.func.coalesce(Course.alliance_id, School.alliance_id).label("alliance_id")
    stmt = (
        sa.select(alliance_of, sa.func.count(sa.distinct(CourseSession.id)).label("held"))
        .select_from(CourseSession)
        .join(Course, Course.id == CourseSession.course_id)
        .outerjoin(School, School.id == Course.school_id)
        .where(Course.activity_kind == ActivityKind.ALLIANCE_MEETING, _held(period),
               CourseSession.starts_at < ref_end, alliance_of.in_(alliance_ids))
        .group_by(alliance_of)
    )
    return {row.alliance_id: row.held for row in db.session.execute(stmt)}


# 场馆预约 (green channel) -----------------------------------------------------------------------------------------


def bookings(school_ids, period):
    """Venue bookings of the schools' families and classes (``Booking.school_id``) whose slot starts in the
    period, counted by channel, kind, price and outcome, per school: {school_id: {...}}."""
    start, end = period.utc_bounds()
    stmt = (
        sa.select(
            Booking.school_id,
            sa.func.count(Booking.id).label("total"),
            _sum(Booking.channel == Channel.GREEN).label("green"),
            _sum(Booking.channel == Channel.GENERAL).label("general"),
            _sum(Booking.kind == BookingKind.FAMILY).label("family"),
            _sum(Booking.kind == BookingKind.GROUP).label("group"),
            _sum(Booking.is_free.is_(True)).label("free"),
            _sum(Booking.is_free.is_(False)).label("discounted"),
            _sum(Booking.status == BookingStatus.CHECKED_IN).label("checked_in"),
            _sum(Booking.status == BookingStatus.NO_SHOW).label("no_show"),
            sa.func.coalesce(sa.func.sum(sa.case((Booking.status == BookingStatus.CHECKED_IN,
                                                  Booking.checked_in_count), else_=0)), 0).label("visitors"),
        )
        .join(Slot, Slot.id == Booking.slot_id)
        .where(Booking.school_id.in_(school_ids), Booking.status.in_(COUNTED_BOOKINGS),
               Slot.starts_at >= start, Slot.starts_at < end)
        .group_by(Booking.school_id)
    )
    return {row.school_id: {key: int(value) for key, value in row._mapping.items() if key != "school_id"}
            for row in db.session.execute(stmt)}


def bookings_by_month(school_ids, month_starts, end):
    """Venue bookings of the schools per month and channel (one grouped statement): ``month_starts`` are the UTC
    instants at which each Shanghai month begins, ``end`` where the last one ends; {month index: (green,
    general)}. The month is a CASE over those bounds, the same on SQLite and MySQL, with no time-zone function."""
    bounds = [*month_starts[1:], end]
    month = sa.case(*((Slot.starts_at < bound, index) for index, bound in enumerate(bounds))).label("month")
    stmt = (
        sa.select(month, _sum(Booking.channel == Channel.GREEN).label("green"),
                  _sum(Booking.channel == Channel.GENERAL).label("general"))
        .join(Slot, Slot.id == Booking.slot_id)
        .where(Booking.school_id.in_(school_ids), Booking.status.in_(COUNTED_BOOKINGS),
               Slot.starts_at >= month_starts[0], Slot.starts_at < end)
        .group_by(month)
    )
    return {row.month: (int(row.green), int(row.general)) for row in db.session.execute(stmt)}


# 家长评价 ---------------------------------------------------------------------------------------------------------


def feedback(school_ids, period):
    """Parent ratings per school and source in the period (one UNION ALL):
    {(school_id, source): (count, rating_sum)}, source one of courses, home_visits, venue_visits."""
    start, end = period.utc_bounds()
    courses = (
        sa.select(Course.school_id.label("school_id"), sa.literal("courses").label("source"),
                  Feedback.rating.label("rating"))
        .join(CourseSession, CourseSession.id == Feedback.session_id)
        .join(Course, Course.id == Feedback.course_id)
        .where(Course.school_id.in_(school_ids), CourseSession.starts_at >= start, CourseSession.starts_at < end)
    )
    visits = (
        sa.select(HomeVisit.school_id, sa.literal("home_visits"), VisitFeedback.rating)
        .join(HomeVisit, HomeVisit.id == VisitFeedback.visit_id)
        .where(HomeVisit.school_id.in_(school_ids), HomeVisit.school_year == period.school_year.start_year,
               HomeVisit.starts_at >= start, HomeVisit.starts_at < end)
    )
    venues = (
        sa.select(Booking.school_id, sa.literal("venue_visits"), VenueFeedback.rating)
        .join(Booking, Booking.id == VenueFeedback.booking_id)
        .join(Slot, Slot.id == Booking.slot_id)
        .where(Booking.school_id.in_(school_ids), Slot.starts_at >= start, Slot.starts_at < end)
    )
    union = sa.union_all(courses, visits, venues).subquery("ratings")
    stmt = (
        sa.select(union.c.school_id, union.c.source, sa.func.count().label("n"),
                  sa.func.sum(union.c.rating).label("total"))
        .group_by(union.c.school_id, union.c.source)
    )
    return {(row.school_id, row.source): (row.n, int(row.total)) for row in db.session.execute(stmt)}


# The scope's members --------------------------------------------------------------------------------------------


def schools_of(school_ids):
    return db.session.execute(
        sa.select(School.id, School.name, School.alliance_id).where(School.id.in_(school_ids)).order_by(School.id)
    ).all()


def alliances_of(alliance_clause):
    return db.session.execute(
        sa.select(Alliance.id, Alliance.name, Alliance.status).where(alliance_clause).order_by(Alliance.id)
    ).all()
