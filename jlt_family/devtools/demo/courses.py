"""演示数据 of the parent school: a term's worth of courses and sessions across kinds and categories.

On top of the base demo world (``jlt_family.devtools.demo``): a community parent school (社区家长学校) serving
the alliance, courses of 乌兰浩特市第一小学, 第四中学 and 第一幼儿园, of the alliance, of the community school and
of the county, with sessions at 19:00 (Asia/Shanghai) spread over a term's length that today is two thirds into
(so the demo has sessions held and to come on any day, the last of a term too). Sessions already over are held,
with attendance and feedback; the alliance's coordination meeting has its representatives of families, community
and resource units recorded by the alliance's admin, as an organiser does after the meeting. Upcoming sessions take
enrolments (one is full, with a waitlist). demo-parent-1 is enrolled in a few and has a learning record.
Deterministic for a given day; flushes, never commits.
"""

import datetime as dt
import random
import secrets
from decimal import Decimal

import sqlalchemy as sa

from jlt_family.alliances.models import Alliance, AllianceMember, MemberKind
from jlt_family.auth.models import User
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import SHANGHAI, shanghai_today, utcnow
from jlt_family.courses.meetings import record_attendance
from jlt_family.courses.models import (
    Course,
    CourseSession,
    Enrolment,
    EnrolmentStatus,
    Feedback,
    ProviderKind,
    SessionStatus,
)
from jlt_family.devtools.demo.course_list import COMMENTS, COMMUNITY_SCHOOL, COURSES, F, K
from jlt_family.families.models import Guardian
from jlt_family.organizations.calendar import term_for
from jlt_family.organizations.models import Region, ResourceUnit, ResourceUnitKind, School
from jlt_family.organizations.students import Student

SEED = 20260903
MEETING_FAMILIES = 8  # family representatives at the coordination meeting
MEETING_UNITS = 5  # resource units of the alliance represented there


class _CourseSeeder:
    def __init__(self):
        self.rng = random.Random(SEED)
        self.now = utcnow()
        self.counts = dict.fromkeys(
            ("courses", "course_sessions", "course_enrolments", "course_feedback", "meeting_attendance"), 0
        )

    def run(self):
        county = db.session.scalar(sa.select(Region).where(Region.code == "152201"))
        alliance = db.session.scalar(sa.select(Alliance).where(Alliance.region_id == county.id).order_by(Alliance.id))
        providers = {
            key: self._school(name)
            for key, name in (
                ("yixiao", "乌兰浩特市第一小学"),
                ("sizhong", "乌兰浩特市第四中学"),
                ("yiyou", "乌兰浩特市第一幼儿园"),
            )
        }
        providers |= {"alliance": alliance, "county": county, "community": self._community_school(county, alliance)}
        self.term = term_for(shanghai_today(), county)
        self.guardians = self._guardians(providers["yixiao"])
        self.creator = db.session.scalar(sa.select(User).where(User.openid == "demo-school-admin"))
        self.organiser = db.session.scalar(sa.select(User).where(User.openid == "demo-alliance-admin"))
        self.alliance = alliance
        for row in COURSES:
            self._course(providers, *row)
        db.session.flush()
        return {**self.counts, "community_parent_schools": 1, "course_term": self.term.label}

    def _school(self, name):
        return db.session.scalar(sa.select(School).where(School.name == name))

    def _community_school(self, county, alliance):
        name, address, opening, person, phone = COMMUNITY_SCHOOL
        unit = ResourceUnit(
            name=name,
            kind=ResourceUnitKind.COMMUNITY,
            region_id=county.id,
            address=address,
            opening_info=opening,
            contact_person=person,
            contact_phone=phone,
            description="社区家长学校与家庭教育指导服务站，面向辖区家庭开设家长课堂",
        )
        db.session.add(unit)
        db.session.flush()
        db.session.add(
            AllianceMember(
                alliance_id=alliance.id,
                kind=MemberKind.COMMUNITY,
                resource_unit_id=unit.id,
                name=name,
                duties="开设社区家长课堂，提供家庭教育咨询",
                cooperation="与学校联合排课，每学期不少于 4 次家长课堂",
                responsible_person=person,
                contact_phone=phone,
            )
        )
        return unit

    def _guardians(self, school):
        """Guardians of the school's children: demo-parent-1 first, then others in a fixed order."""
        first = db.session.scalar(
            sa.select(Guardian).join(User, User.id == Guardian.user_id).where(User.openid == "demo-parent-1")
        )
        others = db.session.scalars(
            sa.select(Guardian)
            .join(Student, Student.family_id == Guardian.family_id)
            .where(Student.school_id == school.id, Guardian.id != first.id)
            .order_by(Guardian.id)
            .distinct()
            .limit(80)
        ).all()
        return [first, *others]

    def _course(self, providers, key, title, category, kind, fmt, speaker, grades, n_sessions, capacity, hours, place):
        provider = providers[key]
        course = Course(
            title=title,
            category=category,
            activity_kind=kind,
            format=fmt,
            speaker=speaker,
            description=f"{title}。主讲：{speaker}。",
            grade_min=grades[0] if grades else None,
            grade_max=grades[1] if grades else None,
            is_published=True,
            published_at=self.now,
            created_by_id=self.creator.id,
        )
        course.set_provider(_kind(key), provider)
        db.session.add(course)
        db.session.flush()
        self.counts["courses"] += 1
        for index in range(n_sessions):
            self._session(course, index, n_sessions, capacity, hours, place)

    def _session(self, course, index, total, capacity, hours, place):
        starts_at = self._start(index, total)
        online = course.format == F.ONLINE_LIVE
        session = CourseSession(
            course=course,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=90),
            capacity=capacity,
            place="" if online else place,
            online_url=f"https://live.example.cn/jlt/{course.id}-{index}" if online else "",
            learning_hours=Decimal(hours),
            checkin_salt=secrets.token_hex(16),
            cancel_deadline=starts_at - dt.timedelta(hours=12),
        )
        db.session.add(session)
        db.session.flush()
        self.counts["course_sessions"] += 1
        if session.ends_at <= self.now:
            self._held(session)
        else:
            self._upcoming(session)

    def _start(self, index, total):
        """Sessions spread evenly over a term's length that today is two thirds into, at 19:00 Shanghai time."""
        span = (self.term.ends_on - self.term.starts_on).days
        first = shanghai_today() - dt.timedelta(days=span * 2 // 3)
        day = first + dt.timedelta(days=int(span * (index + 1) / (total + 1)) + self.rng.randrange(7))
        return dt.datetime.combine(day, dt.time(19, 0), SHANGHAI).astimezone(dt.UTC)

    def _held(self, session):
        session.status = SessionStatus.HELD
        if session.course.activity_kind == K.ALLIANCE_MEETING:
            self._meeting_attended(session)
        for guardian in self._takers(session, full=False):
            attended = self.rng.random() < 0.85
            status = EnrolmentStatus.ATTENDED if attended else EnrolmentStatus.ABSENT
            enrolment = self._enrol(session, guardian, status, checked_in_at=session.starts_at if attended else None)
            if attended and self.rng.random() < 0.5:
                db.session.flush()
                db.session.add(
                    Feedback(
                        enrolment_id=enrolment.id,
                        session_id=session.id,
                        course_id=session.course_id,
                        rating=self.rng.choice((3, 4, 4, 5, 5, 5)),
                        comment=self.rng.choice(COMMENTS),
                    )
                )
                self.counts["course_feedback"] += 1

    def _meeting_attended(self, session):
        """协调会参会代表, recorded by the organiser once the meeting is over (the alliance's admin for the
        alliance's meeting, the school's admin for the school's own): family representatives, and the alliance's
        community and resource-unit members (the units named in the note)."""
        members = db.session.scalars(
            sa.select(AllianceMember).where(AllianceMember.alliance_id == self.alliance.id).order_by(AllianceMember.id)
        ).all()
        units = [m.name for m in members if m.kind == MemberKind.RESOURCE_UNIT][:MEETING_UNITS]
        community = sum(1 for m in members if m.kind == MemberKind.COMMUNITY)
        recorder = self.organiser if session.course.alliance_id else self.creator
        record_attendance(
            session,
            recorder.id,
            counts={
                "families": MEETING_FAMILIES,
                "community": community,
                "resource_units": len(units),
                "note": "、".join(units),
            },
        )
        self.counts["meeting_attendance"] += 1

    def _upcoming(self, session):
        full = session.capacity <= 10  # the small sessions fill up and keep a waitlist
        for guardian in self._takers(session, full=full):
            if session.taken < session.capacity:
                self._enrol(session, guardian, EnrolmentStatus.ENROLLED)
            else:
                session.waitlisted += 1
                session.waitlist_seq += 1
                self._enrol(session, guardian, EnrolmentStatus.WAITLISTED, waitlist_position=session.waitlist_seq)

    def _takers(self, session, *, full):
        """demo-parent-1 (in every other session), then a random share of the other guardians."""
        wanted = session.capacity + 3 if full else min(session.capacity // 2, self.rng.randint(4, 25))
        others = self.rng.sample(self.guardians[1:], min(wanted, len(self.guardians) - 1))
        return ([self.guardians[0]] if session.id % 2 == 0 else []) + others

    def _enrol(self, session, guardian, status, **kwargs):
        if status != EnrolmentStatus.WAITLISTED:
            session.taken += 1
        enrolment = Enrolment(
            session_id=session.id,
            guardian_id=guardian.id,
            user_id=guardian.user_id,
            status=status,
            active_key=1,
            **kwargs,
        )
        db.session.add(enrolment)
        self.counts["course_enrolments"] += 1
        return enrolment


def _kind(key):
    return {"alliance": ProviderKind.ALLIANCE, "county": ProviderKind.REGION, "community": ProviderKind.COMMUNITY}.get(
        key, ProviderKind.SCHOOL
    )


def seed():
    """Add the parent-school demo rows on top of the base demo world; returns what was added."""
    return _CourseSeeder().run()
