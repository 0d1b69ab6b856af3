"""演示数据: reminders on top of the demo world (courses, visits and venues seeded first), written through the
same service functions the events use.

- demo-parent-1: reminders planned for their upcoming course sessions and their confirmed venue booking; in the
  inbox, the reminders of the session they attended (read), the booking confirmation (read), the home-visit
  invitation (unread) and an alliance notice for 全国家庭教育宣传周 sent to every family of the alliance (unread);
  one consent credit for course reminders.
- demo-teacher-1: the reminders of their scheduled home visit, the family's acceptance of it (read) and this
  week's visit digest of their class (unread).
Items already due are marked as the development dispatcher leaves them (inbox only).
"""

import datetime as dt

import sqlalchemy as sa

from jlt_family.alliances.models import Alliance
from jlt_family.auth.models import User
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import to_shanghai, utcnow
from jlt_family.courses.models import CourseSession, Enrolment, EnrolmentStatus, SessionStatus
from jlt_family.families.models import Guardian
from jlt_family.organizations.students import Student
from jlt_family.reminders import digest, service
from jlt_family.reminders.models import InboxOutcome, Reminder, ReminderStatus, SubscribeConsent
from jlt_family.reminders.templates import template_for
from jlt_family.venues.models import Booking, BookingKind, BookingStatus
from jlt_family.visits.models import HomeVisit, VisitParticipant, VisitState

DEMO_CONSENT_TEMPLATE = "DEMO-TPL-COURSE"  # used when no template is configured for course reminders


def _user(openid):
    return db.session.scalar(sa.select(User).where(User.openid == openid))


def _session_reminders(session, user_ids, now):
    course = session.course
    return service.schedule(
        kind="course_session",
        subject_type="course_session",
        subject_id=session.id,
        user_ids=user_ids,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        title=course.title,
        place=session.place or session.online_url or "",
        page=f"pages/course/session?id={session.id}",
        school_id=course.school_id,
        now=now,
    )


def _parent_courses(parent, now):
    """Reminders of the coming sessions; the reminders of the latest past one, planned a day before it."""
    sessions = db.session.scalars(
        sa.select(CourseSession)
        .join(Enrolment, Enrolment.session_id == CourseSession.id)
        .where(
            Enrolment.user_id == parent.id, Enrolment.status.in_((EnrolmentStatus.ENROLLED, EnrolmentStatus.ATTENDED))
        )
        .order_by(CourseSession.starts_at)
    ).all()
    coming = [s for s in sessions if s.starts_at > now and s.status == SessionStatus.SCHEDULED]
    past = [s for s in sessions if s.ends_at <= now]
    for session in coming:
        _session_reminders(session, [parent.id], now)
    if past:
        _session_reminders(past[-1], [parent.id], past[-1].starts_at - dt.timedelta(days=2))
        _mark_read(parent.id, "course_session", past[-1].id, now)


def _parent_booking(parent, family_id, now):
    booking = db.session.scalar(
        sa.select(Booking)
        .where(
            Booking.family_id == family_id,
            Booking.status == BookingStatus.CONFIRMED,
            Booking.kind == BookingKind.FAMILY,
        )
        .order_by(Booking.id)
        .limit(1)
    )
    if booking is None:
        return
    slot, unit = booking.slot, booking.slot.offering.resource_unit
    title, page = f"{unit.name}·{booking.slot.offering.title}", f"pages/venue/booking?id={booking.id}"
    service.schedule(
        kind="venue_booking",
        subject_type="venue_booking",
        subject_id=booking.id,
        user_ids=[parent.id],
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        title=title,
        place=unit.address or "",
        page=page,
        school_id=booking.school_id,
        now=now,
    )
    service.notice(
        kind="venue_booking_confirmed",
        subject_type="venue_booking",
        subject_id=booking.id,
        user_ids=[parent.id],
        title="场馆预约已确认",
        body=f"{title}（{to_shanghai(slot.starts_at):%m月%d日 %H:%M}）预约已确认，预约码 {booking.code}。",
        page=page,
        school_id=booking.school_id,
        now=now - dt.timedelta(hours=20),
    )
    _mark_read(parent.id, "venue_booking_confirmed", booking.id, now)


def _visit_notices(parent, family_id, teacher, now):
    proposed = db.session.scalar(
        sa.select(HomeVisit)
        .join(Student, Student.id == HomeVisit.student_id)
        .where(Student.family_id == family_id, HomeVisit.state == VisitState.PROPOSED)
        .limit(1)
    )
    if proposed is not None:
        service.notice(
            kind="home_visit",
            subject_type="home_visit",
            subject_id=proposed.id,
            user_ids=[parent.id],
            title="家访邀请",
            body="老师邀请您确认入户家访的时间",
            page=f"pages/visit/detail?id={proposed.id}",
            school_id=proposed.school_id,
            now=now - dt.timedelta(hours=3),
        )
    scheduled = db.session.scalar(
        sa.select(HomeVisit)
        .join(VisitParticipant, VisitParticipant.visit_id == HomeVisit.id)
        .where(VisitParticipant.user_id == teacher.id, HomeVisit.state == VisitState.SCHEDULED)
        .order_by(HomeVisit.id)
        .limit(1)
    )
    if scheduled is None:
        return
    guardians = list(
        db.session.scalars(sa.select(Guardian.user_id).where(Guardian.family_id == scheduled.student.family_id))
    )
    page = f"pages/visit/detail?id={scheduled.id}"
    service.schedule(
        kind="home_visit",
        subject_type="home_visit",
        subject_id=scheduled.id,
        user_ids=guardians + scheduled.staff_ids,
        starts_at=scheduled.starts_at,
        ends_at=scheduled.ends_at,
        title=f"家访：{scheduled.student.name}",
        place="入户家访",
        page=page,
        school_id=scheduled.school_id,
        now=now,
    )
    service.notice(
        kind="home_visit",
        subject_type="home_visit",
        subject_id=scheduled.id,
        user_ids=scheduled.staff_ids,
        title="家访已确认",
        body=f"家访时间已确认：{to_shanghai(scheduled.starts_at):%m月%d日 %H:%M}",
        page=page,
        school_id=scheduled.school_id,
        now=now - dt.timedelta(days=1),
    )
    _mark_read(teacher.id, "home_visit", scheduled.id, now)


def _teacher_digest(teacher, now):
    classes = digest.current_homeroom_classes(to_shanghai(now).date()).get(teacher.id, [])
    text = digest.digest_text(classes, digest.unvisited_counts([c.id for c in classes]))
    if text is not None:
        digest.send_digest(teacher.id, classes[0].school_id, *text, digest.week_of(now), now)


def _alliance_notice(now):
    alliance = db.session.scalar(sa.select(Alliance).order_by(Alliance.id).limit(1))
    admin = _user("demo-alliance-admin")
    if alliance is None or admin is None:
        return 0
    record = service.broadcast(
        alliance,
        admin.id,
        title="全国家庭教育宣传周",
        body="本周六上午9:00在兴安盟图书馆举办“亲子共读”活动，欢迎家长带孩子参加。",
        now=now - dt.timedelta(hours=1),
    )
    return record.recipients


def _mark_read(user_id, kind, subject_id, now):
    db.session.execute(
        sa.update(Reminder)
        .where(
            Reminder.user_id == user_id,
            Reminder.kind == kind,
            Reminder.subject_id == subject_id,
            Reminder.inbox_at <= now,
            Reminder.status != ReminderStatus.CANCELLED,
        )
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )


def _delivered_in_development(now):
    """What the development dispatcher does with the items already due: inbox only."""
    db.session.execute(
        sa.update(Reminder)
        .where(Reminder.status == ReminderStatus.PENDING, Reminder.due_at <= now)
        .values(status=ReminderStatus.INBOX_ONLY, outcome=InboxOutcome.DEVELOPMENT, attempts=1)
        .execution_options(synchronize_session=False)
    )


def _consent(parent):
    template = template_for("course_session")
    template_id = template["template_id"] if template else DEMO_CONSENT_TEMPLATE
    db.session.add(SubscribeConsent(user_id=parent.id, template_id=template_id, credits=1))


def _counts(parent, teacher, now):
    def inbox(user, unread=False):
        return db.session.scalar(
            sa.select(sa.func.count()).select_from(service.inbox_query(user.id, now, unread=unread).subquery())
        )

    total = db.session.scalar(sa.select(sa.func.count()).select_from(Reminder))
    return {
        "reminders": total,
        "reminders_inbox_demo_parent_1": inbox(parent),
        "reminders_unread_demo_parent_1": inbox(parent, unread=True),
        "reminders_inbox_demo_teacher_1": inbox(teacher),
        "reminders_unread_demo_teacher_1": inbox(teacher, unread=True),
        "subscribe_credits": 1,
    }


def seed():
    """Add the demo reminders (flushes, never commits); returns counts."""
    parent, teacher = _user("demo-parent-1"), _user("demo-teacher-1")
    guardian = db.session.scalar(sa.select(Guardian).where(Guardian.user_id == parent.id)) if parent else None
    if guardian is None or teacher is None:
        return {}
    now = utcnow()
    _parent_courses(parent, now)
    _parent_booking(parent, guardian.family_id, now)
    _visit_notices(parent, guardian.family_id, teacher, now)
    _teacher_digest(teacher, now)
    recipients = _alliance_notice(now)
    _consent(parent)
    _delivered_in_development(now)
    db.session.flush()
    return {**_counts(parent, teacher, now), "broadcast_recipients": recipients}
