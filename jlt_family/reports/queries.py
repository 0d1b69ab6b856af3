"""The aggregate queries behind the evaluation reports: each one grouped statement, whatever the number of
schools, classes or students (GROUP BY, COUNT, conditional SUM in the database; never a loop over rows).

Each takes ``school_ids``, a SELECT of the ids of the schools in scope, and a ``Period``.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from jlt_family.alliances.models import Alliance, AllianceStatus
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import utcnow
from jlt_family.courses.meetings import ATTENDEE_KINDS, MeetingAttendance
from jlt_family.courses.models import ActivityKind, Course, CourseSession, Enrolment, EnrolmentStatus, Feedback
from jlt_family.courses.models import SessionStatus as CourseSessionStatus
from jlt_family.courses.models import counts_as_held as session_counts_as_held
from jlt_family.organizations.calendar import AUTUMN, SPRING
from jlt_family.organizations.models import School, SchoolClass
from jlt_family.reports.periods import Period
from jlt_family.venues.models import Booking, BookingKind, BookingStatus, Channel, Slot, VenueFeedback
from jlt_family.visits import coverage as visit_coverage
from jlt_family.visits.coverage import Counts, SchoolIds
from jlt_family.visits.models import HomeVisit, VisitFeedback, VisitRecord

# Bookings that count: whatever was not withdrawn (cancelled), cancelled by the venue (cancelled_by_venue, e.g. by
# a closure: neither a visit nor a no-show), refused (rejected) or left to lapse (expired).
COUNTED_BOOKINGS = (BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN, BookingStatus.NO_SHOW)
EXPECTED_ATTENDANCE = (EnrolmentStatus.ATTENDED, EnrolmentStatus.ABSENT, EnrolmentStatus.ENROLLED)


def _sum(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


# 家访覆盖 -----------------------------------------------------------------------------------------------------


def coverage_span(period: Period) -> visit_coverage.Span:
    """The school year of the period counted up to its reference date (visits/coverage.py)."""
    return visit_coverage.Span(period.school_year.start_year, period.school_year.starts_on, period.reference_date)


def coverage(school_ids: SchoolIds, period: Period, *, per_class: bool = False) -> dict[int, Counts]:
    """Students on the roster at the reference date and those with a completed visit held in the school year up
    to the reference date, with the left-behind (留守) and in-difficulty (困境) ones and the left-behind with a care
    entrustment on file, grouped by school (or by class): {id: visits.coverage.Counts}, one statement.

    The same definition as the teacher's class view (visits/coverage.py): the class a student counts in is the
    last class of this school year they were placed in on or before the reference date; only students still in
    a class of the school on that date count (a student who left does not); their visits count whichever class
    they were in when visited, dated by when they were held (not the agreed window, nor the school year stamped
    at proposal time).
    """
    return visit_coverage.counts(school_ids, coverage_span(period), per_class=per_class)


def not_visited(school_ids: SchoolIds, period: Period) -> Sequence[Any]:
    """The students counted over the period without a visit held in it, flagged children first:
    [(Student, SchoolClass)], one statement (for the school's leaders only: names and flags)."""
    members = visit_coverage.members(school_ids, coverage_span(period))
    return db.session.execute(visit_coverage.unvisited(members, flagged_first=True)).all()


def classes_of(school_ids: SchoolIds, period: Period) -> Sequence[sa.Row[int, int, int, str]]:
    """The classes of the school year in scope: [(id, school_id, grade, name)], by grade and name."""
    return db.session.execute(
        sa.select(SchoolClass.id, SchoolClass.school_id, SchoolClass.grade, SchoolClass.name)
        .where(SchoolClass.school_id.in_(school_ids), SchoolClass.school_year == period.school_year.start_year)
        .order_by(SchoolClass.grade, SchoolClass.name, SchoolClass.id)
    ).all()


# 家校活动 (the schools' courses: 家长会, 家长夜校, 家庭教育指导 ...) ---------------------------------------------


def _held(period: Period) -> sa.ColumnElement[bool]:
    """Sessions that took place within the school year so far: not cancelled, already ended (a back-filled one
    only with its attendance recorded)."""
    start, end = period.utc_bounds(period.school_year.starts_on, period.school_year.ends_on)
    return sa.and_(
        CourseSession.status != CourseSessionStatus.CANCELLED,
        CourseSession.starts_at >= start,
        CourseSession.starts_at < end,
        CourseSession.ends_at <= utcnow(),
        session_counts_as_held(),
    )


def _term_bucket(period: Period) -> sa.ColumnElement[str]:
    spring_start, _end = period.utc_bounds(period.spring_starts_on, period.spring_starts_on)
    return sa.case((CourseSession.starts_at < spring_start, AUTUMN), else_=SPRING)


def activities(school_ids: SchoolIds, period: Period) -> dict[tuple[int, ActivityKind, str], tuple[int, int, int, int]]:
    """Held sessions of the schools' own courses, with attendance, by school, activity kind and term:
    {(school_id, kind, term): (held, attended, expected, with_enrolment)}. Attended / expected: enrolments marked
    attended over those attended, absent or left enrolled (never checked in) on a held session; with_enrolment:
    the held sessions that had such enrolments (the sessions an attendance rate is about)."""
    bucket = _term_bucket(period).label("term")
    stmt = (
        sa.select(
            Course.school_id,
            Course.activity_kind,
            bucket,
            sa.func.count(sa.distinct(CourseSession.id)).label("held"),
            _sum(Enrolment.status == EnrolmentStatus.ATTENDED).label("attended"),
            sa.func.count(Enrolment.id).label("expected"),
            sa.func.count(sa.distinct(sa.case((Enrolment.id.is_not(None), CourseSession.id)))).label("enrolled"),
        )
        .select_from(CourseSession)
        .join(Course, Course.id == CourseSession.course_id)
        .outerjoin(
            Enrolment, sa.and_(Enrolment.session_id == CourseSession.id, Enrolment.status.in_(EXPECTED_ATTENDANCE))
        )
        .where(Course.school_id.in_(school_ids), _held(period))
        .group_by(Course.school_id, Course.activity_kind, bucket)
    )
    return {
        (row.school_id, ActivityKind(row.activity_kind), row.term): (
            row.held,
            int(row.attended),
            row.expected,
            row.enrolled,
        )
        for row in db.session.execute(stmt)
    }


def _attendee_sums() -> tuple[sa.ColumnElement[Any], ...]:
    """SUMs of the representatives recorded for coordination meetings (courses/meetings.py), by kind, and the
    meetings that all three kinds attended."""
    all_kinds = sa.and_(*(getattr(MeetingAttendance, kind) > 0 for kind in ATTENDEE_KINDS))
    return (
        *(sa.func.coalesce(sa.func.sum(getattr(MeetingAttendance, kind)), 0).label(kind) for kind in ATTENDEE_KINDS),
        _sum(all_kinds).label("meetings_with_all_kinds"),
    )


def meeting_attendees(school_ids: SchoolIds, period: Period) -> dict[tuple[int, str], dict[str, int]]:
    """Who attended the schools' own coordination meetings (教联体工作协调会) held in the school year, by school
    and term: {(school_id, term): {"families", "community", "resource_units", "meetings_with_all_kinds"}}."""
    bucket = _term_bucket(period).label("term")
    stmt = (
        sa.select(Course.school_id, bucket, *_attendee_sums())
        .select_from(CourseSession)
        .join(Course, Course.id == CourseSession.course_id)
        .join(MeetingAttendance, MeetingAttendance.session_id == CourseSession.id)
        .where(Course.school_id.in_(school_ids), Course.activity_kind == ActivityKind.ALLIANCE_MEETING, _held(period))
        .group_by(Course.school_id, bucket)
    )
    keys = (*ATTENDEE_KINDS, "meetings_with_all_kinds")
    return {
        (row.school_id, row.term): {key: int(getattr(row, key)) for key in keys} for row in db.session.execute(stmt)
    }


def coordination_meetings(alliance_ids: Sequence[int], period: Period) -> dict[int, dict[str, int]]:
    """教联体协调会 held per alliance in the school year up to the reference date: courses of kind
    alliance_meeting run by the alliance itself or by one of its schools, with who attended:
    {alliance_id: {"held", "families", "community", "resource_units", "meetings_with_all_kinds"}}."""
    _start, ref_end = period.utc_bounds(period.starts_on, period.reference_date)
    alliance_of = sa.func.coalesce(Course.alliance_id, School.alliance_id).label("alliance_id")
    stmt = (
        sa.select(alliance_of, sa.func.count(sa.distinct(CourseSession.id)).label("held"), *_attendee_sums())
        .select_from(CourseSession)
        .join(Course, Course.id == CourseSession.course_id)
        .outerjoin(School, School.id == Course.school_id)
        .outerjoin(MeetingAttendance, MeetingAttendance.session_id == CourseSession.id)
        .where(
            Course.activity_kind == ActivityKind.ALLIANCE_MEETING,
            _held(period),
            CourseSession.starts_at < ref_end,
            alliance_of.in_(alliance_ids),
        )
        .group_by(alliance_of)
    )
    keys = ("held", *ATTENDEE_KINDS, "meetings_with_all_kinds")
    return {row.alliance_id: {key: int(getattr(row, key)) for key in keys} for row in db.session.execute(stmt)}


# 场馆预约 (green channel) -----------------------------------------------------------------------------------------


def bookings(school_ids: SchoolIds, period: Period) -> dict[int, dict[str, int]]:
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
            sa.func.coalesce(
                sa.func.sum(sa.case((Booking.status == BookingStatus.CHECKED_IN, Booking.checked_in_count), else_=0)), 0
            ).label("visitors"),
        )
        .join(Slot, Slot.id == Booking.slot_id)
        .where(
            Booking.school_id.in_(school_ids),
            Booking.status.in_(COUNTED_BOOKINGS),
            Slot.starts_at >= start,
            Slot.starts_at < end,
        )
        .group_by(Booking.school_id)
    )
    return {
        row.school_id: {key: int(value) for key, value in row._mapping.items() if key != "school_id"}
        for row in db.session.execute(stmt)
    }


def bookings_by_month(
    school_ids: SchoolIds, month_starts: Sequence[dt.datetime], end: dt.datetime
) -> dict[int, tuple[int, int]]:
    """Venue bookings of the schools per month and channel (one grouped statement): ``month_starts`` are the UTC
    instants at which each Shanghai month begins, ``end`` where the last one ends; {month index: (green,
    general)}. The month is a CASE over those bounds, the same on SQLite and MySQL, with no time-zone function."""
    bounds = [*month_starts[1:], end]
    month = sa.case(*((Slot.starts_at < bound, index) for index, bound in enumerate(bounds))).label("month")
    stmt = (
        sa.select(
            month,
            _sum(Booking.channel == Channel.GREEN).label("green"),
            _sum(Booking.channel == Channel.GENERAL).label("general"),
        )
        .join(Slot, Slot.id == Booking.slot_id)
        .where(
            Booking.school_id.in_(school_ids),
            Booking.status.in_(COUNTED_BOOKINGS),
            Slot.starts_at >= month_starts[0],
            Slot.starts_at < end,
        )
        .group_by(month)
    )
    return {row.month: (int(row.green), int(row.general)) for row in db.session.execute(stmt)}


# 家长评价 ---------------------------------------------------------------------------------------------------------


def feedback(school_ids: SchoolIds, period: Period) -> dict[tuple[int, str], tuple[int, int]]:
    """Parent ratings per school and source in the period (one UNION ALL):
    {(school_id, source): (count, rating_sum)}, source one of courses, home_visits (dated by when the visit was
    held), venue_visits."""
    start, end = period.utc_bounds()
    courses = (
        sa.select(
            Course.school_id.label("school_id"), sa.literal("courses").label("source"), Feedback.rating.label("rating")
        )
        .join(CourseSession, CourseSession.id == Feedback.session_id)
        .join(Course, Course.id == Feedback.course_id)
        .where(Course.school_id.in_(school_ids), CourseSession.starts_at >= start, CourseSession.starts_at < end)
    )
    held = visit_coverage.held_at()  # a visit's rating counts when the visit was held
    visits = (
        sa.select(HomeVisit.school_id, sa.literal("home_visits"), VisitFeedback.rating)
        .join(HomeVisit, HomeVisit.id == VisitFeedback.visit_id)
        .outerjoin(VisitRecord, VisitRecord.visit_id == HomeVisit.id)
        .where(HomeVisit.school_id.in_(school_ids), held >= start, held < end)
    )
    venues = (
        sa.select(Booking.school_id, sa.literal("venue_visits"), VenueFeedback.rating)
        .join(Booking, Booking.id == VenueFeedback.booking_id)
        .join(Slot, Slot.id == Booking.slot_id)
        .where(Booking.school_id.in_(school_ids), Slot.starts_at >= start, Slot.starts_at < end)
    )
    union = sa.union_all(courses, visits, venues).subquery("ratings")
    stmt = sa.select(
        union.c.school_id, union.c.source, sa.func.count().label("n"), sa.func.sum(union.c.rating).label("total")
    ).group_by(union.c.school_id, union.c.source)
    return {(row.school_id, row.source): (row.n, int(row.total)) for row in db.session.execute(stmt)}


# The scope's members --------------------------------------------------------------------------------------------


def schools_of(school_ids: SchoolIds) -> Sequence[sa.Row[int, str, int | None]]:
    return db.session.execute(
        sa.select(School.id, School.name, School.alliance_id).where(School.id.in_(school_ids)).order_by(School.id)
    ).all()


def alliances_of(alliance_clause: sa.ColumnElement[bool]) -> Sequence[sa.Row[int, str, AllianceStatus]]:
    return db.session.execute(
        sa.select(Alliance.id, Alliance.name, Alliance.status).where(alliance_clause).order_by(Alliance.id)
    ).all()
