"""场馆预约演示数据: offerings with weekly rules and closures, slots over the horizon, bookings in every state.

On top of the base demo: a second alliance (科尔沁右翼前旗第一小学教联体, around the base demo's school of that
county) with its own youth palace; the sports centre serves both alliances. demo-parent-1 has bookings in every
state the family decides or lives through (pending, confirmed, rejected, cancelled, expired, checked in, no-show),
demo-parent-2's green channel is suspended after three no-shows and their booking of the fire station's open day
next Saturday was cancelled by the station's closure that day (``cancelled_by_venue``), demo-teacher-1 has booked
a group. Adds rows and flushes.
"""

import datetime as dt
import random

import sqlalchemy as sa

from jlt_family.alliances.models import Alliance, AllianceMember, AllianceStatus, MemberKind
from jlt_family.auth.models import User
from jlt_family.core.codes import ALPHABET
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import SHANGHAI, utcnow
from jlt_family.devtools.demo.venue_offerings import OFFERINGS, VENUE_DEMO_ACCOUNTS
from jlt_family.families.models import Guardian
from jlt_family.organizations.models import (
    Region,
    ResourceUnit,
    ResourceUnitKind,
    School,
    SchoolClass,
    StaffMembership,
    StaffRole,
)
from jlt_family.venues import slots as slot_rules
from jlt_family.venues.models import (
    HOLDING,
    Booking,
    BookingChild,
    BookingKind,
    BookingStatus,
    Channel,
    Closure,
    GreenSuspension,
    Offering,
    OpeningRule,
    Slot,
    SlotStatus,
    VenuePolicy,
)
from jlt_family.venues.service import sync_family_counter

SEED = 20261001


class _VenueSeeder:
    def __init__(self):
        self.rng = random.Random(SEED)
        self.now = utcnow()
        self.units = {u.name: u for u in db.session.scalars(sa.select(ResourceUnit))}
        self.users = {u.openid: u for u in db.session.scalars(sa.select(User).where(User.openid.like("demo-%")))}
        self.counts = dict.fromkeys(("offerings", "slots", "closures", "venue_bookings"), 0)

    def run(self):
        self.add_second_alliance()
        self.add_staff()
        self.add_offerings()
        self.add_closures()
        db.session.flush()
        self.counts["slots"] = sum(slot_rules.generate_slots(o, self.now) for o in self.offerings.values())
        self.add_bookings()
        self.add_suspension()
        self.add_closure_cancellation()
        db.session.flush()
        self.recount()
        return {**self.counts, "venue_demo_accounts": sorted(VENUE_DEMO_ACCOUNTS)}

    # Organisations

    def add_second_alliance(self):
        region = db.session.scalar(sa.select(Region).where(Region.code == "152221"))
        self.alliance = db.session.scalar(sa.select(Alliance).order_by(Alliance.id))
        self.alliance2 = self._add(
            Alliance(
                name="科尔沁右翼前旗第一小学教联体",
                region=region,
                status=AllianceStatus.APPROVED,
                description="以科尔沁右翼前旗第一小学为圆心，联合旗青少年活动中心开展课后和周末实践活动。",
                approved_at=dt.datetime(2026, 7, 15, 2, 0, tzinfo=dt.UTC),
            )
        )
        school = db.session.scalar(sa.select(School).where(School.name == "科尔沁右翼前旗第一小学"))
        school.alliance, school.is_alliance_centre = self.alliance2, True
        palace = self._add(
            ResourceUnit(
                name="科尔沁右翼前旗青少年活动中心",
                kind=ResourceUnitKind.YOUTH_PALACE,
                region=region,
                address="科尔沁右翼前旗大坝沟镇文化路6号",
                opening_info="周末 8:30–17:00",
                contact_person="图门",
                contact_phone="0482-5212233",
            )
        )
        self.units[palace.name] = palace
        for unit in (palace, self.units["乌兰浩特市全民健身中心"]):
            self._add(
                AllianceMember(
                    alliance=self.alliance2,
                    kind=MemberKind.RESOURCE_UNIT,
                    resource_unit=unit,
                    name=unit.name,
                    duties="周末向学生免费开放",
                    responsible_person=unit.contact_person,
                )
            )

    def add_staff(self):
        staff = (
            ("demo-venue-staff-2", "包玉兰", "13904821302", "兴安盟博物馆"),
            ("demo-venue-staff-3", "图门", "13904821303", "科尔沁右翼前旗青少年活动中心"),
        )
        db.session.flush()
        for openid, name, phone, unit_name in staff:
            unit = self.units[unit_name]
            self._add(
                StaffMembership(
                    user=self._user(openid, name, phone),
                    role=StaffRole.VENUE_STAFF,
                    resource_unit_id=unit.id,
                    scope_key=unit.id,
                    display_name=name,
                )
            )
        self._add(
            VenuePolicy(
                alliance_id=self.alliance2.id,
                max_active_bookings=2,
                no_show_limit=2,
                no_show_window_days=60,
                suspension_days=14,
            )
        )

    # Offerings, rules, closures

    def add_offerings(self):
        self.offerings = {}
        for unit_name, title, kind, (weekdays, times), capacity, green, extra in OFFERINGS:
            offering = self._add(
                Offering(
                    resource_unit=self.units[unit_name],
                    title=title,
                    kind=kind,
                    capacity=capacity,
                    green_quota=green,
                    booking_opens_days=21,
                    **extra,
                )
            )
            offering.rules = [
                OpeningRule(weekday=day, start_time=dt.time.fromisoformat(at)) for day in weekdays for at in times
            ]
            self.offerings[title] = offering
            self.counts["offerings"] += 1

    def add_closures(self):
        today = self.now.astimezone(SHANGHAI).date()
        next_saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)
        closures = (
            ("兴安盟科技馆", dt.date(2026, 10, 1), dt.date(2026, 10, 7), "国庆节闭馆"),
            ("兴安盟科技馆", dt.date(2027, 1, 28), dt.date(2027, 2, 3), "春节闭馆"),
            ("乌兰浩特市消防救援大队和平路消防救援站", next_saturday, next_saturday, "执勤任务，暂停开放"),
        )
        self.closures = {}
        for unit_name, starts_on, ends_on, reason in closures:
            self.closures[unit_name] = self._add(
                Closure(resource_unit_id=self.units[unit_name].id, starts_on=starts_on, ends_on=ends_on, reason=reason)
            )
            self.counts["closures"] += 1

    # Bookings

    def add_bookings(self):
        exhibition = self.offerings["展厅参观"]
        upcoming = db.session.scalars(
            sa.select(Slot).where(Slot.offering_id == exhibition.id).order_by(Slot.starts_at).limit(6)
        ).all()
        parent = self.users["demo-parent-1"]
        family = db.session.scalar(sa.select(Guardian).where(Guardian.user_id == parent.id)).family
        states = (
            (BookingStatus.CONFIRMED, Channel.GREEN, ""),
            (BookingStatus.PENDING, Channel.GENERAL, ""),
            (BookingStatus.REJECTED, Channel.GENERAL, "该时段已安排学校团体参观"),
            (BookingStatus.CANCELLED, Channel.GREEN, "临时有事"),
            (BookingStatus.EXPIRED, Channel.GENERAL, ""),
        )
        for slot, (status, channel, reason) in zip(upcoming, states, strict=False):
            self._family_booking(slot, family, parent, status, channel, reason=reason)
        for days_ago, status in ((7, BookingStatus.CHECKED_IN), (14, BookingStatus.NO_SHOW)):
            self._family_booking(self._past_slot(exhibition, days_ago), family, parent, status, Channel.GREEN)
        self._group_booking(upcoming[-1])

    def _group_booking(self, slot):
        teacher = self.users["demo-teacher-1"]
        school_class = db.session.scalar(sa.select(SchoolClass).where(SchoolClass.invite_code == "YX3A1K7M"))
        self._add(
            Booking(
                slot=slot,
                resource_unit_id=slot.offering.resource_unit_id,
                kind=BookingKind.GROUP,
                channel=Channel.GENERAL,
                class_id=school_class.id,
                school_id=school_class.school_id,
                booked_by_id=teacher.id,
                contact_name=teacher.nickname,
                adults=3,
                headcount=38,
                status=BookingStatus.CONFIRMED,
                code=self._code(),
                decided_at=self.now,
            )
        )
        self.counts["venue_bookings"] += 1

    def add_suspension(self):
        """demo-parent-2 missed three visits: the green channel is suspended for 30 days."""
        parent = self.users["demo-parent-2"]
        family = db.session.scalar(sa.select(Guardian).where(Guardian.user_id == parent.id)).family
        for days_ago in (40, 25, 6):
            slot = self._past_slot(self.offerings["周末羽毛球场"], days_ago)
            self._family_booking(slot, family, parent, BookingStatus.NO_SHOW, Channel.GREEN)
        self._add(
            GreenSuspension(
                family_id=family.id,
                alliance_id=self.alliance.id,
                starts_at=self.now - dt.timedelta(days=5),
                ends_at=self.now + dt.timedelta(days=25),
                no_show_count=3,
                reason="90 天内爽约 3 次",
            )
        )

    def add_closure_cancellation(self):
        """demo-parent-2 had booked the fire station's open day next Saturday; the station's closure that day
        closed the slot and cancelled the booking, as ``venues.closures.close`` does."""
        closure = self.closures["乌兰浩特市消防救援大队和平路消防救援站"]
        offering = self.offerings["消防站开放日"]
        start = dt.datetime.combine(closure.starts_on, offering.rules[0].start_time, tzinfo=SHANGHAI)
        slot = self._add(
            Slot(
                offering=offering,
                starts_at=start.astimezone(dt.UTC),
                ends_at=start.astimezone(dt.UTC) + dt.timedelta(minutes=offering.duration_minutes),
                capacity=offering.capacity,
                green_capacity=offering.green_quota,
                green_taken=0,
                general_taken=0,
                status=SlotStatus.CLOSED,
            )
        )
        parent = self.users["demo-parent-2"]
        family = db.session.scalar(sa.select(Guardian).where(Guardian.user_id == parent.id)).family
        booking = self._family_booking(
            slot, family, parent, BookingStatus.CANCELLED_BY_VENUE, Channel.GENERAL, reason=closure.reason
        )
        booking.closure_id, booking.decided_at = closure.id, self.now

    def _family_booking(self, slot, family, parent, status, channel, reason=""):
        children = family.children[:2]
        holding = status in HOLDING or status == BookingStatus.CHECKED_IN
        booking = self._add(
            Booking(
                slot=slot,
                resource_unit_id=slot.offering.resource_unit_id,
                kind=BookingKind.FAMILY,
                channel=channel,
                family_id=family.id,
                school_id=children[0].school_id,
                booked_by_id=parent.id,
                contact_name=parent.nickname,
                adults=1,
                headcount=len(children) + 1,
                is_free=slot.offering.is_free_for_channel(channel),
                status=status,
                active_key=1 if holding else None,
                code=self._code(),
                reason=reason,
                expires_at=self.now + dt.timedelta(hours=20) if status == BookingStatus.PENDING else None,
                children=[BookingChild(student_id=child.id) for child in children],
            )
        )
        if status == BookingStatus.CHECKED_IN:
            booking.checked_in_count, booking.checked_in_at = booking.headcount, slot.starts_at
        self.counts["venue_bookings"] += 1
        return booking

    def _past_slot(self, offering, days_ago):
        day = (self.now - dt.timedelta(days=days_ago)).astimezone(SHANGHAI).date()
        start = dt.datetime.combine(day, offering.rules[0].start_time, tzinfo=SHANGHAI).astimezone(dt.UTC)
        return self._add(
            Slot(
                offering=offering,
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=offering.duration_minutes),
                capacity=offering.capacity,
                green_capacity=offering.green_quota,
                green_taken=0,
                general_taken=0,
            )
        )

    def recount(self):
        """Slot counters and family counters equal to the bookings just added."""
        rows = db.session.execute(
            sa.select(Booking.slot_id, Booking.channel, sa.func.sum(Booking.headcount))
            .where(Booking.status.in_(HOLDING))
            .group_by(Booking.slot_id, Booking.channel)
        ).all()
        for slot_id, channel, taken in rows:
            slot = db.session.get(Slot, slot_id)
            if channel == Channel.GREEN:
                slot.green_taken = taken
            else:
                slot.general_taken = taken
        for family_id in db.session.scalars(
            sa.select(Booking.family_id).where(Booking.family_id.is_not(None)).distinct()
        ):
            sync_family_counter(family_id)

    # Helpers

    def _add(self, obj):
        db.session.add(obj)
        return obj

    def _user(self, openid, name, phone):
        user = self._add(User(openid=openid, nickname=name, phone=phone, phone_country_code="86"))
        self.users[openid] = user
        return user

    def _code(self):
        return "".join(self.rng.choice(ALPHABET) for _ in range(8))


def seed():
    """Add the venue demo on top of the base demo world (flushes, never commits)."""
    return _VenueSeeder().run()
