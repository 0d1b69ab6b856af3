"""需求对接演示数据: needs of the demo schools, two open with their proposals, one accepted into a group booking
request the 科技馆's staff (demo-venue-staff) still have to confirm, one accepted into a draft course of the
community parent school, and a past visit to the 科技馆 the school rated (its staff read the rating).

Runs after the venue and course demos (it needs their offerings, slots and the community parent school) and goes
through the same service as the API (proposals, acceptance, booking), so what it shows is what users get. Adds
rows and flushes.
"""

import datetime as dt

import sqlalchemy as sa

from jlt_family.auth.context import Actor
from jlt_family.auth.models import User
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import SHANGHAI, utcnow
from jlt_family.courses.models import CourseCategory, ProviderKind
from jlt_family.matching import needs, service
from jlt_family.matching.models import MatchKind, Need, NeedMatch, NeedMatchBooking, NeedStatus, NeedTopic
from jlt_family.organizations import calendar
from jlt_family.organizations.models import ResourceUnit, ResourceUnitKind, School, SchoolClass
from jlt_family.venues.models import Booking, BookingKind, BookingStatus, Channel, Offering, Slot, SlotStatus

MATCHING_DEMO_ACCOUNTS = {
    "demo-school-admin": "学校管理员：一小的需求清单，查看对接建议并采纳",
    "demo-venue-staff": "场馆工作人员：科技馆收到的团体预约（待确认）和学校的评价",
    "demo-alliance-admin": "教联体管理员：教联体各校的需求与对接",
}


class _MatchingSeeder:
    def __init__(self):
        self.now = utcnow()
        self.today = self.now.astimezone(SHANGHAI).date()
        self.users = {u.openid: u for u in db.session.scalars(sa.select(User).where(User.openid.like("demo-%")))}
        self.schools = {s.name: s for s in db.session.scalars(sa.select(School))}
        self.classes = {c.invite_code: c for c in db.session.scalars(sa.select(SchoolClass))}
        self.counts = dict.fromkeys(("needs", "matched_needs", "courses_from_needs"), 0)

    def run(self):
        yixiao, sizhong = self.schools["乌兰浩特市第一小学"], self.schools["乌兰浩特市第四中学"]
        # the term two weeks from now: on a term's last days the needs are for the next one, with slots to propose
        term = calendar.term_for(self.today + dt.timedelta(days=14), yixiao.region)
        admin, admin2 = self._actor("demo-school-admin"), self._actor("demo-school-admin-2")
        self._post(
            admin,
            yixiao,
            "YX5A1R8T",
            topic=NeedTopic.SCIENCE,
            title="五年级走进科技馆：航天与机器人",
            grade_min=5,
            grade_max=5,
            headcount=41,
            term=term.name,
            school_year=term.school_year.start_year,
            note="配合科学课“宇宙与航天”单元，希望安排讲解员",
        )
        self._post(
            self._actor("demo-teacher-3"),
            yixiao,
            "YX3B2Q4N",
            topic=NeedTopic.SAFETY,
            title="三年级(2)班消防安全体验",
            grade_min=3,
            grade_max=3,
            headcount=40,
            starts_on=self.today,
            ends_on=self.today + dt.timedelta(days=45),
            note="体验灭火器使用和应急疏散",
        )
        booked = self._post(
            admin,
            yixiao,
            "YX3B2Q4N",
            topic=NeedTopic.SCIENCE,
            title="三年级(2)班科技馆研学",
            grade_min=3,
            grade_max=3,
            headcount=38,
            starts_on=self.today,
            ends_on=self.today + dt.timedelta(days=28),
            note="上午场，需 2 名讲解员",
        )
        self._accept_venue(admin, booked, "展厅参观", "YX3B2Q4N")
        course_need = self._post(
            admin2,
            sizhong,
            None,
            topic=NeedTopic.PARENT_EDUCATION,
            course_category=CourseCategory.MENTAL_HEALTH,
            title="七年级家长：青春期心理调适",
            grade_min=7,
            grade_max=7,
            headcount=42,
            term=term.name,
            school_year=term.school_year.start_year,
            note="家长反映孩子升入初中后情绪波动大",
        )
        community = db.session.scalar(
            sa.select(ResourceUnit).where(ResourceUnit.kind == ResourceUnitKind.COMMUNITY).order_by(ResourceUnit.id)
        )
        service.accept(
            self._actor("demo-alliance-admin"),
            course_need,
            choice={"kind": MatchKind.COURSE, "provider_kind": ProviderKind.COMMUNITY, "provider_id": community.id},
            now=self.now,
        )
        self.counts["matched_needs"] += 1
        self.counts["courses_from_needs"] += 1
        self._rated_past_visit(admin, yixiao)
        db.session.flush()
        return {**self.counts, "matching_demo_accounts": sorted(MATCHING_DEMO_ACCOUNTS)}

    def _actor(self, openid):
        return Actor(self.users[openid])

    def _post(self, actor, school, invite_code, **fields):
        school_class = self.classes[invite_code] if invite_code else None
        class_id = school_class.id if school_class else None
        need = needs.post_need(actor, school, class_id=class_id, details=fields, now=self.now)
        self.counts["needs"] += 1
        return need

    def _accept_venue(self, actor, need, title, invite_code):
        """The first slot of the offering, two days or more ahead, with room for the class on one channel."""
        offering = db.session.scalar(sa.select(Offering).where(Offering.title == title))
        places = need.headcount + 2
        slot = db.session.scalar(
            sa.select(Slot)
            .where(
                Slot.offering_id == offering.id,
                Slot.status == SlotStatus.OPEN,
                Slot.starts_at > self.now + dt.timedelta(days=2),
                Slot.capacity - Slot.green_capacity - Slot.general_taken >= places,
            )
            .order_by(Slot.starts_at)
            .limit(1)
        )
        service.accept(
            actor,
            need,
            choice={
                "kind": MatchKind.VENUE,
                "offering_id": offering.id,
                "bookings": [
                    {
                        "slot_id": slot.id,
                        "class_id": self.classes[invite_code].id,
                        "headcount": need.headcount,
                        "chaperones": 2,
                        "channel": None,
                    }
                ],
            },
            now=self.now,
        )
        self.counts["matched_needs"] += 1

    def _rated_past_visit(self, actor, school):
        """Last month 三年级(1)班 visited the 科技馆 through an accepted need, checked in, and the school rated it."""
        offering = db.session.scalar(sa.select(Offering).where(Offering.title == "展厅参观"))
        school_class = self.classes["YX3A1K7M"]
        day = self.today - dt.timedelta(days=30)
        start = dt.datetime.combine(day, dt.time(9, 30), tzinfo=SHANGHAI).astimezone(dt.UTC)
        ends_at = start + dt.timedelta(minutes=offering.duration_minutes)
        slot = Slot(
            offering_id=offering.id,
            starts_at=start,
            ends_at=ends_at,
            capacity=offering.capacity,
            green_capacity=offering.green_quota,
            green_taken=0,
            general_taken=0,
        )
        need = Need(
            school_id=school.id,
            class_id=school_class.id,
            topic=NeedTopic.SCIENCE,
            title="三年级(1)班科技馆初体验",
            grade_min=3,
            grade_max=3,
            headcount=37,
            starts_on=day - dt.timedelta(days=14),
            ends_on=day,
            note="科学课“我们周围的物质”单元的延伸",
            status=NeedStatus.CLOSED,
            posted_by_id=actor.user_id,
            created_at=start - dt.timedelta(days=20),
        )
        db.session.add_all([slot, need])
        db.session.flush()
        booking = Booking(
            slot_id=slot.id,
            resource_unit_id=offering.resource_unit_id,
            kind=BookingKind.GROUP,
            channel=Channel.GENERAL,
            class_id=school_class.id,
            school_id=school.id,
            booked_by_id=actor.user_id,
            contact_name=actor.user.nickname,
            adults=3,
            headcount=40,
            status=BookingStatus.CHECKED_IN,
            active_key=1,
            code="SCI3A101",
            checked_in_count=39,
            checked_in_at=start,
            decided_at=start - dt.timedelta(days=10),
        )
        db.session.add(booking)
        db.session.flush()
        db.session.add(
            NeedMatch(
                need_id=need.id,
                kind=MatchKind.VENUE,
                resource_unit_id=offering.resource_unit_id,
                offering_id=offering.id,
                label=f"{offering.resource_unit.name} · {offering.title}",
                reasons=["服务本校所在的乌兰浩特市第一小学教联体，可走绿色通道", "科技馆的展厅参观，适合科学教育"],
                limits=[],
                accepted_by_id=actor.user_id,
                accepted_at=start - dt.timedelta(days=12),
                rating=5,
                comment="讲解员讲得生动，孩子们在机器人展区互动很积极，希望下学期再来",
                rated_by_id=actor.user_id,
                rated_at=start + dt.timedelta(days=1),
                bookings=[NeedMatchBooking(booking_id=booking.id)],
            )
        )
        self.counts["needs"] += 1
        self.counts["matched_needs"] += 1


def seed():
    """Add the matching demo on top of the venue and course demos (flushes, never commits)."""
    return _MatchingSeeder().run()
