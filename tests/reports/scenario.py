"""A hand-counted county for the evaluation reports, in school year 2025 (1 Sept 2025 – 31 Aug 2026, over).

The numbers each test expects are counted by hand from the rows below (see the comments); every edge of the
README's rules has a row: a student who changed class mid-year, one who left, a visit in another school year,
a cancelled visit and session, a session of another school, a no-show, free and discounted bookings; a visit held
before its agreed day across the term boundary (and its rating), one proposed in August for September (stamped
with the old school year), left-behind (留守) and in-difficulty (困境) children, care entrustments (委托照护) in
every state.
"""

import datetime as dt
import itertools
from types import SimpleNamespace

import sqlalchemy as sa

from jlt_family.core.timeutil import SHANGHAI
from jlt_family.courses.models import (
    ActivityKind,
    Course,
    CourseCategory,
    CourseFormat,
    CourseSession,
    Enrolment,
    EnrolmentStatus,
    Feedback,
    ProviderKind,
    SessionStatus,
)
from jlt_family.families.models import CareEntrustment, EntrustmentStatus
from jlt_family.organizations.placements import StudentClassPlacement
from jlt_family.venues.models import (
    Booking,
    BookingKind,
    BookingStatus,
    Channel,
    Offering,
    OfferingKind,
    Slot,
    VenueFeedback,
)
from jlt_family.visits.models import HomeVisit, VisitFeedback, VisitMode, VisitPurpose, VisitRecord, VisitState

YEAR = 2025
_codes = itertools.count(1)


def at(year, month, day, hour=19):
    return dt.datetime(year, month, day, hour, tzinfo=SHANGHAI).astimezone(dt.UTC)


def place(make, student, *periods):
    """Replace the student's placement history with ``(class, from_date, to_date or None)`` periods."""
    db = make.db
    db.session.execute(sa.delete(StudentClassPlacement).where(StudentClassPlacement.student_id == student.id))
    for school_class, from_date, to_date in periods:
        db.session.add(
            StudentClassPlacement(student_id=student.id, class_id=school_class.id, from_date=from_date, to_date=to_date)
        )
    db.session.flush()


def visit(
    make,
    student,
    school_class,
    when,
    state=VisitState.COMPLETED,
    school_year=YEAR,
    teacher=None,
    held=None,
    proposed=None,
):
    """A visit agreed for ``when``; a completed one has its record, held at ``held`` (default: as agreed)."""
    teacher = teacher or make.user()
    row = HomeVisit(
        student_id=student.id,
        school_id=school_class.school_id,
        class_id=school_class.id,
        school_year=school_year,
        mode=VisitMode.HOME,
        purpose=VisitPurpose.ACADEMIC,
        state=state,
        awaiting=None,
        starts_at=when,
        ends_at=when + dt.timedelta(hours=1),
        proposed_by_id=teacher.id,
        **({"created_at": proposed} if proposed else {}),
    )
    if state == VisitState.COMPLETED:
        row.record = VisitRecord(visited_at=held or when, mode=VisitMode.HOME, recorded_by_id=teacher.id)
    make.db.session.add(row)
    make.db.session.flush()
    return row


def entrust(
    make, student, filed_on, status=EntrustmentStatus.SUBMITTED, *, starts_on=None, ends_on=None, acknowledged_on=None
):
    """A care entrustment filed on ``filed_on`` (acknowledged on ``acknowledged_on``)."""
    guardian = make.user()
    row = CareEntrustment(
        student_id=student.id,
        filed_by_id=guardian.id,
        caretaker_name="张奶奶",
        caretaker_relation="祖母",
        caretaker_phone="13900000009",
        starts_on=starts_on or filed_on,
        ends_on=ends_on,
        status=status,
        created_at=at(filed_on.year, filed_on.month, filed_on.day),
        acknowledged_at=at(acknowledged_on.year, acknowledged_on.month, acknowledged_on.day)
        if acknowledged_on
        else None,
    )
    make.db.session.add(row)
    make.db.session.flush()
    return row


def course(make, school=None, alliance=None, kind=ActivityKind.GUIDANCE):
    author = make.user()
    row = Course(
        provider_kind=ProviderKind.SCHOOL if school else ProviderKind.ALLIANCE,
        school_id=school.id if school else None,
        alliance_id=alliance.id if alliance else None,
        title=f"{kind.value}课程",
        category=CourseCategory.OTHER,
        activity_kind=kind,
        format=CourseFormat.OFFLINE,
        created_by_id=author.id,
        is_published=True,
    )
    make.db.session.add(row)
    make.db.session.flush()
    return row


def session(make, course_row, when, status=SessionStatus.HELD):
    row = CourseSession(
        course_id=course_row.id,
        starts_at=when,
        ends_at=when + dt.timedelta(hours=1),
        capacity=50,
        status=status,
        checkin_salt=f"salt{next(_codes)}",
    )
    make.db.session.add(row)
    make.db.session.flush()
    return row


def enrol(make, session_row, status):
    guardian = make.guardian()
    cancelled = status == EnrolmentStatus.CANCELLED
    row = Enrolment(
        session_id=session_row.id,
        guardian_id=guardian.id,
        user_id=guardian.user_id,
        status=EnrolmentStatus.ENROLLED if cancelled else status,
        waitlist_position=1 if status == EnrolmentStatus.WAITLISTED else None,
    )
    make.db.session.add(row)
    make.db.session.flush()
    if cancelled:  # an explicit NULL active_key at insert would get the column default
        row.status, row.active_key = status, None
        make.db.session.flush()
    return row


def booking(
    make,
    unit,
    school,
    when,
    *,
    kind=BookingKind.FAMILY,
    channel=Channel.GREEN,
    is_free=True,
    status=BookingStatus.CHECKED_IN,
    checked_in=None,
    school_class=None,
):
    offering = Offering(
        resource_unit_id=unit.id,
        title="展厅参观",
        kind=OfferingKind.EXHIBITION,
        duration_minutes=90,
        capacity=50,
        green_quota=20,
    )
    make.db.session.add(offering)
    make.db.session.flush()
    slot = Slot(
        offering_id=offering.id, starts_at=when, ends_at=when + dt.timedelta(minutes=90), capacity=50, green_capacity=20
    )
    family = make.family() if kind == BookingKind.FAMILY else None
    make.db.session.add(slot)
    make.db.session.flush()
    row = Booking(
        slot_id=slot.id,
        resource_unit_id=unit.id,
        kind=kind,
        channel=channel,
        family_id=family.id if family else None,
        class_id=school_class.id if school_class else None,
        school_id=school.id,
        booked_by_id=make.user().id,
        headcount=3,
        is_free=is_free,
        status=status,
        code=f"R{next(_codes):08d}",
        checked_in_count=checked_in,
    )
    make.db.session.add(row)
    make.db.session.flush()
    return row


def build(make):
    """The county (see the module docstring). Returns a namespace of its rows."""
    from jlt_family.organizations.models import RegionLevel, StaffRole

    s = SimpleNamespace()
    s.city = make.region(level=RegionLevel.CITY, name="评估市")
    s.county = make.region(parent=s.city, name="评估县")
    s.town = make.region(parent=s.county, name="评估镇")  # a region under the county: its schools count too
    s.other_county = make.region(parent=s.city, name="别的县")
    s.alliance = make.alliance(region=s.county, name="评估教联体")
    s.school = make.school(alliance=s.alliance, name="评估一小", is_alliance_centre=True)
    s.school2 = make.school(alliance=s.alliance, region=s.town, name="评估二小")
    s.lone_school = make.school(region=s.county, name="评估三小")  # in the county, in no alliance
    s.far_school = make.school(region=s.other_county, name="别县小学")
    c = s.c1 = make.school_class(school=s.school, school_year=YEAR, grade=3, name="三年级1班")
    c2 = s.c2 = make.school_class(school=s.school, school_year=YEAR, grade=3, name="三年级2班")
    s.c3 = make.school_class(school=s.school2, school_year=YEAR, grade=4, name="四年级1班")
    s.c_far = make.school_class(school=s.far_school, school_year=YEAR, grade=4, name="四年级1班")
    s.c_next = make.school_class(school=s.school, school_year=YEAR + 1, grade=4, name="四年级1班")
    year_start = dt.date(YEAR, 9, 1)

    # 评估一小 -----------------------------------------------------------------------------------------------
    s.s1 = make.student(c, name="一直在1班")  # visited in autumn
    place(make, s.s1, (c, year_start, None))
    visit(make, s.s1, c, at(YEAR, 10, 10))
    s.s2 = make.student(c, name="春季才家访")  # visited in spring: not in the autumn numbers, in the year's
    place(make, s.s2, (c, year_start, None))
    visit(make, s.s2, c, at(YEAR + 1, 3, 10))
    s.s3 = make.student(c2, name="调班生")  # 1班 → 2班 on 1 Dec; visited in October while in 1班
    place(make, s.s3, (c, year_start, dt.date(YEAR, 12, 1)), (c2, dt.date(YEAR, 12, 1), None))
    visit(make, s.s3, c, at(YEAR, 10, 20))
    s.s4 = make.student(c, name="转走生")  # left on 1 March 2026 (no class now); visited in November
    s.s4.class_id = None
    make.db.session.flush()
    place(make, s.s4, (c, year_start, dt.date(YEAR + 1, 3, 1)))
    visit(make, s.s4, c, at(YEAR, 11, 1))
    s.s5 = make.student(c2, name="去年家访")  # visited last school year only; this year's visit cancelled
    place(make, s.s5, (c2, year_start, None))
    visit(make, s.s5, c2, at(YEAR - 1, 10, 10), school_year=YEAR - 1)
    visit(make, s.s5, c2, at(YEAR, 10, 12), state=VisitState.CANCELLED)
    s.s6 = make.student(s.c_next, name="升级生")  # 2班 all year, promoted to next year's class on 25 Aug 2026
    place(make, s.s6, (c2, year_start, dt.date(YEAR + 1, 8, 25)), (s.c_next, dt.date(YEAR + 1, 8, 25), None))
    # proposed on 25 August 2026 (stamped 2班, school year 2025) for 1 September 2026, held then: a visit of the
    # new school year (2026), not of 2025
    s.s6_visit = visit(make, s.s6, c2, at(YEAR + 1, 9, 1), proposed=at(YEAR + 1, 8, 25, 10))
    # Coverage of 评估一小 — autumn (reference 31 Jan 2026): 1班 s1 ✓, s2 ✗, s4 ✓ → 3/2; 2班 s3 ✓, s5 ✗, s6 ✗
    # → 3/1; school 6 students, 3 visited. Year (reference 31 Aug 2026): 1班 s1 ✓, s2 ✓ → 2/2 (s4 left);
    # 2班 s3 ✓, s5 ✗, s6 ✗ (counts in its last class of the year; its visit is of the next year) → 3/1;
    # school 5 students, 3 visited. School year 2026 (reference today): 四年级1班 s6 ✓ → 1/1.

    # 留守 / 困境 and 委托照护 of 评估一小 (flags as they stand; entrustments on file for the reference date)
    for student in (s.s2, s.s4, s.s5):
        student.left_behind = True
    s.s5.in_difficulty = True
    entrust(make, s.s2, dt.date(YEAR, 12, 1), EntrustmentStatus.ACKNOWLEDGED, acknowledged_on=dt.date(YEAR, 12, 3))
    entrust(make, s.s4, dt.date(YEAR, 9, 10), ends_on=dt.date(YEAR, 12, 31))  # ended before the term's end
    entrust(make, s.s5, dt.date(YEAR, 9, 10), EntrustmentStatus.WITHDRAWN)  # withdrawn: does not count
    entrust(make, s.s5, dt.date(YEAR + 1, 2, 10))  # filed in spring, not acknowledged: not in the autumn
    entrust(make, s.s1, dt.date(YEAR, 9, 10))  # s1 is not left-behind: not counted
    # Autumn: 1班 留守 s2 ✗, s4 ✓ → 2/1, entrustments on file s2 → 1, acknowledged 1; 2班 留守 and 困境 s5 ✗
    # → 1/0, entrustments 0. School: 留守 3/1, 困境 1/0; not visited s2, s5, s6 (留守 2, 困境 1); entrustments
    # 3 left-behind, 1 on file, 1 acknowledged.
    # Year: 1班 留守 s2 ✓ → 1/1 (s4 left), entrustment 1, acknowledged 1; 2班 s5 → 1/0, entrustment 1 (spring);
    # school 留守 2/1, 困境 1/0, entrustments 2 of 2, 1 acknowledged.

    # 评估二小 and the far county ------------------------------------------------------------------------------
    s.s7 = make.student(s.c3, name="二小甲")
    place(make, s.s7, (s.c3, year_start, None))
    visit(make, s.s7, s.c3, at(YEAR, 9, 20))
    s.s8 = make.student(s.c3, name="二小乙", in_difficulty=True)  # 困境, not visited
    place(make, s.s8, (s.c3, year_start, None))
    s.s10 = make.student(s.c3, name="提前家访", left_behind=True)  # agreed for 2 Feb (spring), held on 30 Jan
    place(make, s.s10, (s.c3, year_start, None))
    s.s10_visit = visit(make, s.s10, s.c3, at(YEAR + 1, 2, 2), held=at(YEAR + 1, 1, 30))  # rated 2, below
    entrust(make, s.s10, dt.date(YEAR, 9, 5))  # submitted
    # 评估二小 autumn: s7 ✓, s8 ✗ (困境), s10 ✓ (留守, held in the autumn) → 3/2; the alliance 9/5, 留守 4/2,
    # 困境 2/0, not visited 4 (s2, s5, s6, s8); entrustments 4 left-behind, 2 on file, 1 acknowledged.
    s.s_far = make.student(s.c_far, name="别县生")
    place(make, s.s_far, (s.c_far, year_start, None))
    visit(make, s.s_far, s.c_far, at(YEAR, 9, 20))

    # Activities of 评估一小 -------------------------------------------------------------------------------------
    guidance = course(make, s.school, kind=ActivityKind.GUIDANCE)
    s.g1 = session(make, guidance, at(YEAR, 10, 1))
    statuses = (EnrolmentStatus.ATTENDED,) * 3 + (
        EnrolmentStatus.ABSENT,
        EnrolmentStatus.CANCELLED,
        EnrolmentStatus.WAITLISTED,
    )
    g1_enrolments = [enrol(make, s.g1, status) for status in statuses]  # attended 3 of 4 expected
    session(make, guidance, at(YEAR, 11, 1))
    session(make, guidance, at(YEAR, 11, 15), status=SessionStatus.CANCELLED)  # cancelled: not counted
    session(make, guidance, at(YEAR + 1, 3, 1))  # spring: 1 < 2
    evening = course(make, s.school, kind=ActivityKind.EVENING_CLASS)
    for day in (5, 12, 19, 26):
        session(make, evening, at(YEAR, 10, day))
    enrol(make, session(make, evening, at(YEAR, 11, 2)), EnrolmentStatus.ENROLLED)  # never checked in: absent
    assembly = course(make, s.school, kind=ActivityKind.PARENT_ASSEMBLY)
    session(make, assembly, at(YEAR, 12, 1))
    session(make, assembly, at(YEAR + 1, 4, 1))
    meeting = course(make, s.school, kind=ActivityKind.PARENT_MEETING)
    session(make, meeting, at(YEAR, 9, 15))
    session(make, meeting, at(YEAR + 1, 6, 1))
    session(make, meeting, at(YEAR - 1, 12, 1))  # last school year: not counted
    # 评估一小 — autumn: guidance 2 ✓, evening 5 ✓, assembly 1 ✓, parent meetings so far 1 (of 2 a year) ✗.
    # spring: guidance 1 ✗, evening 0 ✗, assembly 1 ✓, parent meetings in the year 2 ✓.
    # year: guidance ✗ (spring 1), evening ✗ (spring 0), assembly ✓ (1 and 1), parent meetings 2 ✓.
    # Attendance autumn: 3 attended of 4 + 1 = 5 expected.
    other = course(make, s.school2, kind=ActivityKind.GUIDANCE)  # another school's session: 评估二小 only
    session(make, other, at(YEAR, 10, 1))
    coordination = course(make, alliance=s.alliance, kind=ActivityKind.ALLIANCE_MEETING)
    session(make, coordination, at(YEAR, 10, 20))
    session(make, coordination, at(YEAR, 12, 20), status=SessionStatus.CANCELLED)
    # 教联体协调会: 1 held in autumn (the cancelled one does not count).

    # Venue bookings, autumn -------------------------------------------------------------------------------------
    s.unit = make.resource_unit(region=s.county, alliances=[s.alliance])
    s.b1 = booking(make, s.unit, s.school, at(YEAR, 10, 3, 10), checked_in=3)  # green, family, free, checked in
    booking(
        make,
        s.unit,
        s.school,
        at(YEAR, 10, 4, 10),
        channel=Channel.GENERAL,
        is_free=False,
        status=BookingStatus.NO_SHOW,
    )  # general, family, discounted, no-show
    booking(
        make,
        s.unit,
        s.school,
        at(YEAR, 10, 5, 10),
        kind=BookingKind.GROUP,
        school_class=c,
        status=BookingStatus.CONFIRMED,
    )  # green, group, free
    booking(make, s.unit, s.school, at(YEAR, 10, 6, 10), status=BookingStatus.CANCELLED)  # not counted
    booking(
        make,
        s.unit,
        s.school2,
        at(YEAR, 10, 7, 10),
        kind=BookingKind.GROUP,
        school_class=s.c3,
        channel=Channel.GENERAL,
        checked_in=2,
    )  # 评估二小
    # 评估一小 autumn: 3 bookings; green 2, general 1; family 2, group 1; free 2, discounted 1; checked in 1,
    # no-show 1 → no-show rate 0.5; 3 visitors.

    # Feedback, autumn -------------------------------------------------------------------------------------------
    for enrolment, rating in zip(g1_enrolments, (5, 3), strict=False):
        make.db.session.add(
            Feedback(enrolment_id=enrolment.id, session_id=s.g1.id, course_id=guidance.id, rating=rating)
        )
    make.db.session.add(VisitFeedback(visit_id=_visit_of(make, s.s1).id, user_id=make.user().id, rating=4))
    make.db.session.add(VisitFeedback(visit_id=s.s10_visit.id, user_id=make.user().id, rating=2))
    make.db.session.add(VenueFeedback(booking_id=s.b1.id, resource_unit_id=s.unit.id, user_id=make.user().id, rating=5))
    # 评估一小 autumn: courses 2 ratings, average 4.0; home visits 1, 4.0; venue visits 1, 5.0.
    # 评估二小 autumn: home visits 1 (s10's, held on 30 Jan), 2.0; spring none (though agreed for February).

    s.school_admin = make.user(nickname="评估校长")
    make.grant(s.school_admin, StaffRole.SCHOOL_ADMIN, s.school)
    s.alliance_admin = make.user(nickname="评估教联体管理员")
    make.grant(s.alliance_admin, StaffRole.ALLIANCE_ADMIN, s.alliance)
    s.region_admin = make.user(nickname="评估县教育局")
    make.grant(s.region_admin, StaffRole.REGION_ADMIN, s.county)
    make.db.session.commit()
    return s


def _visit_of(make, student):
    return make.db.session.scalar(sa.select(HomeVisit).where(HomeVisit.student_id == student.id))
