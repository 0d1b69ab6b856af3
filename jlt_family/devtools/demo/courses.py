"""演示数据 of the parent school: a term's worth of courses and sessions across kinds and categories.

On top of the base demo world (``jlt_family.demo``): a community parent school (社区家长学校) serving the alliance,
courses of 乌兰浩特市第一小学, 第四中学 and 第一幼儿园, of the alliance, of the community school and of the county,
with sessions at 19:00 (Asia/Shanghai) spread over a term's length that today is two thirds into (so the
demo has sessions held and to come on any day, the last of a term too). Sessions already over are held, with
attendance and feedback; upcoming ones take enrolments (one is full, with a waitlist). demo-parent-1 is enrolled
in a few and has a learning record. Deterministic for a given day; flushes, never commits.
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
from jlt_family.families.models import Guardian
from jlt_family.organizations.calendar import term_for
from jlt_family.organizations.models import Region, ResourceUnit, ResourceUnitKind, School
from jlt_family.organizations.students import Student

SEED = 20260903
K, C, F = ActivityKind, CourseCategory, CourseFormat  # short names for the table below

COMMUNITY_SCHOOL = (
    "和平街道兴安社区家长学校",
    "乌兰浩特市和平街道兴安社区党群服务中心二楼",
    "每周三晚、周六上午开课；家庭教育指导服务站工作日 9:00–17:00 接待咨询",
    "陈秀梅",
    "0482-8213355",
)

COURSES = (
    # provider key, title, category, kind, format, speaker, grades, sessions, capacity, hours, place
    (
        "yixiao",
        "家长夜校：做孩子情绪的“稳定器”",
        C.MENTAL_HEALTH,
        K.EVENING_CLASS,
        F.OFFLINE,
        "王丽华",
        (1, 6),
        6,
        60,
        "1.5",
        "一小阶梯教室",
    ),
    (
        "yixiao",
        "家庭教育指导：陪伴孩子读好书",
        C.PARENT_CHILD_COMMUNICATION,
        K.GUIDANCE,
        F.OFFLINE,
        "赵淑芬",
        (1, 3),
        3,
        40,
        "1.0",
        "一小图书室",
    ),
    ("yixiao", "三年级家长会", C.OTHER, K.PARENT_MEETING, F.OFFLINE, "高建国", (3, 3), 1, 90, "1.0", "各班教室"),
    (
        "yixiao",
        "家长代表大会",
        C.FAMILY_EDUCATION_LAW,
        K.PARENT_ASSEMBLY,
        F.OFFLINE,
        "高建国",
        None,
        1,
        60,
        "2.0",
        "一小会议室",
    ),
    (
        "yixiao",
        "学校开放日：走进课堂",
        C.SCHOOL_ADAPTATION,
        K.OPEN_DAY,
        F.OFFLINE,
        "高建国",
        (1, 1),
        1,
        80,
        "2.0",
        "一小各年级教室",
    ),
    (
        "yixiao",
        "家长接待日：校长面对面",
        C.OTHER,
        K.RECEPTION_DAY,
        F.OFFLINE,
        "高建国",
        None,
        2,
        10,
        "0.5",
        "校长办公室",
    ),
    (
        "sizhong",
        "升学指导：初三家长怎么帮",
        C.ADMISSION,
        K.GUIDANCE,
        F.OFFLINE,
        "赵海涛",
        (9, 9),
        2,
        100,
        "1.5",
        "四中报告厅",
    ),
    (
        "yiyou",
        "入学适应：从幼儿园到小学",
        C.SCHOOL_ADAPTATION,
        K.GUIDANCE,
        F.OFFLINE,
        "孙婷婷",
        (-1, -1),
        1,
        50,
        "1.0",
        "一幼多功能厅",
    ),
    ("yiyou", "亲子运动会：家长志愿者培训", C.OTHER, K.OTHER, F.OFFLINE, "孙婷婷", (-3, -1), 1, 30, "1.0", "一幼操场"),
    (
        "alliance",
        "教联体协调会（家长、社区、资源单位代表）",
        C.OTHER,
        K.ALLIANCE_MEETING,
        F.OFFLINE,
        "郭文斌",
        None,
        1,
        40,
        "2.0",
        "一小会议室",
    ),
    (
        "alliance",
        "网络素养：孩子与手机的约定",
        C.INTERNET_LITERACY,
        K.GUIDANCE,
        F.ONLINE_LIVE,
        "包金花",
        (3, 9),
        2,
        500,
        "1.0",
        "",
    ),
    (
        "community",
        "假期生活指导：寒假安排有章法",
        C.HOLIDAY_LIFE,
        K.GUIDANCE,
        F.OFFLINE,
        "陈秀梅",
        None,
        1,
        30,
        "1.0",
        "社区家长学校教室",
    ),
    (
        "community",
        "安全护航：防溺水与交通安全",
        C.SAFETY,
        K.GUIDANCE,
        F.OFFLINE,
        "周志强",
        None,
        2,
        8,
        "1.0",
        "社区家长学校教室",
    ),
    (
        "county",
        "家庭教育促进法解读",
        C.FAMILY_EDUCATION_LAW,
        K.GUIDANCE,
        F.ONLINE_LIVE,
        "马志远",
        None,
        1,
        1000,
        "2.0",
        "",
    ),
)

COMMENTS = ("讲得很实在，回家就能用上", "希望多安排周末场次", "案例很贴近我们家的情况", "", "时间有点紧，意犹未尽")


class _CourseSeeder:
    def __init__(self):
        self.rng = random.Random(SEED)
        self.now = utcnow()
        self.counts = dict.fromkeys(("courses", "course_sessions", "course_enrolments", "course_feedback"), 0)

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
