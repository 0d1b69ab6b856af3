"""Rules of matches: accepting a proposal, reopening, rating the match (posting needs: ``needs``).

Accepting moves the need from ``open`` to ``matched`` with ONE conditional UPDATE before anything else: of two
administrators accepting at once (or one retrying), the first takes the need's row lock and wins; the other
waits on the row, then finds it no longer open (409 ``need_already_matched``) and books nothing. The unique
``(need_id, active_key)`` of the match is the database's own guard behind it. The winner then books the class
groups through the venues service (``book_for_class``: places by a conditional UPDATE, always confirmed by the
venue's staff) or creates a draft course through the courses service, in the same transaction: if a booking
fails (slot full ...) the whole acceptance is rolled back and the need stays open.

Services never commit and never read the request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, NotRequired, TypedDict

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from jlt_family.core.errors import Conflict, NotFound, RuleViolation
from jlt_family.core.extensions import db
from jlt_family.core.sql import update_rows
from jlt_family.core.timeutil import SHANGHAI, utcnow
from jlt_family.courses import planning as courses
from jlt_family.courses.models import (
    ActivityKind,
    CourseFormat,
    CourseSession,
    ProviderKind,
    SessionStatus,
)
from jlt_family.matching import proposals as matching
from jlt_family.matching.models import (
    MatchKind,
    Need,
    NeedMatch,
    NeedMatchBooking,
    NeedStatus,
)
from jlt_family.organizations.models import SchoolClass
from jlt_family.venues import service as venues
from jlt_family.venues.models import ACTIVE as LIVE
from jlt_family.venues.models import BookingStatus, Channel, Slot


def _rule(code: str, message: str, errors: dict[str, Any] | None = None) -> RuleViolation:
    return RuleViolation(message, code=code, errors=errors)


# ---- accepting ------------------------------------------------------------------------------------------------


class BookingSpec(TypedDict):
    """One group booking to make (GroupBookingSpecSchema)."""

    slot_id: int
    class_id: int | None
    headcount: int | None
    chaperones: int
    channel: Channel | None


class Choice(TypedDict):
    """The proposal accepted (AcceptInputSchema): a venue offering with its bookings, or a course provider."""

    kind: MatchKind
    offering_id: NotRequired[int | None]
    bookings: NotRequired[Sequence[BookingSpec]]
    provider_kind: NotRequired[ProviderKind | None]
    provider_id: NotRequired[int | None]
    title: NotRequired[str]


def accept(actor: Any, need: Need, *, choice: Choice, now: dt.datetime | None = None) -> NeedMatch:
    """采纳对接建议: a venue offering (→ group bookings) or a course provider (→ a draft course)."""
    now = now or utcnow()
    kind, offering_id, provider_kind, provider_id = (
        choice["kind"],
        choice.get("offering_id"),
        choice.get("provider_kind"),
        choice.get("provider_id"),
    )
    if need.status != NeedStatus.OPEN:
        raise Conflict("该需求已对接或已撤回，不能再采纳", code="need_not_open")
    key = f"offering:{offering_id}" if kind == MatchKind.VENUE else f"{provider_kind}:{provider_id}"
    if (kind == MatchKind.VENUE) == need.is_parent_education:
        raise _rule("match_kind_mismatch", "家庭教育指导需求请采纳课程举办方，其他需求请采纳场馆项目")
    proposal = matching.find(need, key, now)
    if proposal is None:
        raise _rule(
            "proposal_no_longer_fits", "该建议已不再符合需求（项目已下线、不在本县或年级不符），请刷新后重新选择"
        )
    if not update_rows(
        sa.update(Need).where(Need.id == need.id, Need.status == NeedStatus.OPEN).values(status=NeedStatus.MATCHED)
    ):
        raise Conflict("该需求已由其他管理员对接", code="need_already_matched")
    match = NeedMatch(
        need_id=need.id,
        kind=MatchKind(kind),
        label=proposal.label,
        reasons=proposal.reasons,
        limits=proposal.limits,
        accepted_by_id=actor.user_id,
        accepted_at=now,
    )
    if kind == MatchKind.VENUE:
        assert proposal.unit is not None and proposal.offering is not None  # a venue proposal names both
        match.resource_unit_id, match.offering_id = proposal.unit.id, proposal.offering.id
    else:
        assert proposal.provider_kind is not None  # a course proposal names its provider
        match.provider_kind, match.provider_id = proposal.provider_kind, proposal.provider.id
        if proposal.provider_kind.value == "community":
            match.resource_unit_id = proposal.provider.id
    try:
        with db.session.begin_nested():
            db.session.add(match)
            db.session.flush()
    except IntegrityError:
        raise Conflict("该需求已由其他管理员对接", code="need_already_matched") from None
    if kind == MatchKind.VENUE:
        _book_groups(actor, need, match, proposal, choice.get("bookings", ()), now)
    else:
        _draft_course(actor, need, match, proposal, choice.get("title", ""))
    db.session.flush()
    db.session.expire(need)
    return match


def _book_groups(actor, need, match, proposal, bookings, now):
    if not bookings:
        raise _rule("bookings_required", "请至少选择一个场次和班级")
    seen = set()
    for index, spec in enumerate(bookings):
        school_class = _class_for(need, spec.get("class_id"))
        slot = db.session.get(Slot, spec["slot_id"])
        if slot is None or slot.offering_id != proposal.offering.id:
            raise _rule("slot_not_of_offering", "所选场次不属于该项目", errors={"bookings": {index: "slot_id"}})
        day = slot.starts_at.astimezone(SHANGHAI).date()
        if not need.starts_on <= day <= need.ends_on:
            raise _rule("slot_outside_period", "所选场次不在需求的时间段内", errors={"bookings": {index: "slot_id"}})
        if (slot.id, school_class.id) in seen:
            raise _rule("duplicate_booking", "同一班级不能重复选择同一场次")
        seen.add((slot.id, school_class.id))
        headcount = spec.get("headcount") or need.headcount
        chaperones = spec.get("chaperones", 2)
        most = matching.group_places(proposal.offering, proposal.green)
        if headcount + chaperones > most:
            raise _rule(
                "group_exceeds_slot",
                f"每场最多可接待团体 {most} 人（含带队老师），请分多个场次预约",
                errors={"bookings": {index: "headcount"}},
            )
        channel = spec.get("channel") or _channel_for(slot, proposal, headcount + chaperones)
        booking = venues.book_for_class(
            actor,
            slot,
            school_class=school_class,
            channel=Channel(channel),
            headcount=headcount,
            chaperones=chaperones,
            now=now,
        )
        match.bookings.append(NeedMatchBooking(booking_id=booking.id))


def reopen(need: Need, now: dt.datetime | None = None) -> Need:
    """重新对接: a venue match whose bookings were all rejected, cancelled or expired is released (kept as
    history) and the need is open again for another proposal (409 ``match_still_active`` otherwise)."""
    match = need.match
    if need.status != NeedStatus.MATCHED or match is None:
        raise Conflict("只有已对接的需求可以重新对接", code="need_not_matched")
    if match.kind != MatchKind.VENUE or any(link.booking.status in LIVE for link in match.bookings):
        raise Conflict("对接的预约仍然有效（或已生成课程），不能重新对接", code="match_still_active")
    if not update_rows(
        sa.update(Need).where(Need.id == need.id, Need.status == NeedStatus.MATCHED).values(status=NeedStatus.OPEN)
    ):
        raise Conflict("只有已对接的需求可以重新对接", code="need_not_matched")
    update_rows(
        sa.update(NeedMatch).where(NeedMatch.id == match.id).values(active_key=None, released_at=now or utcnow())
    )
    db.session.expire_all()
    return need


def _channel_for(slot: Slot, proposal: matching.Proposal, places: int) -> Channel:
    """The green channel where the unit serves the school's alliance and its pool has room, else general."""
    return Channel.GREEN if proposal.green and slot.green_left >= places else Channel.GENERAL


def _class_for(need: Need, class_id: int | None) -> SchoolClass:
    class_id = class_id or need.class_id
    if class_id is None:
        raise _rule("class_required", "请选择参加活动的班级")
    school_class = db.session.get(SchoolClass, class_id)
    if school_class is None or school_class.school_id != need.school_id:
        raise NotFound("未找到该班级", code="class_not_found")
    if not need.grade_min <= school_class.grade <= need.grade_max:
        raise _rule("class_not_in_need", f"{school_class.name}不在需求的年级范围内")
    return school_class


def _draft_course(actor, need, match, proposal, title):
    course = courses.create_course(
        actor,
        kind=proposal.provider_kind,
        provider=proposal.provider,
        details={
            "title": title or need.title,
            "description": need.note,
            "category": need.course_category,
            "activity_kind": ActivityKind.GUIDANCE,
            "format": CourseFormat.OFFLINE,
            "grade_min": need.grade_min,
            "grade_max": need.grade_max,
        },
    )
    match.course_id = course.id


# ---- after the activity ---------------------------------------------------------------------------------------


def activity_done(match: NeedMatch, now: dt.datetime | None = None) -> bool:
    """A booking of the match was checked in, or a session of its course was held (or ended, not cancelled)."""
    now = now or utcnow()
    if match.kind == MatchKind.VENUE:
        return any(link.booking.status == BookingStatus.CHECKED_IN for link in match.bookings)
    if match.course_id is None:
        return False
    return (
        db.session.scalars(
            sa.select(sa.func.count())
            .select_from(CourseSession)
            .where(
                CourseSession.course_id == match.course_id,
                sa.or_(
                    CourseSession.status == SessionStatus.HELD,
                    sa.and_(CourseSession.status == SessionStatus.SCHEDULED, CourseSession.ends_at <= now),
                ),
            )
        ).one()
        > 0
    )


def rate(actor: Any, need: Need, *, rating: int, comment: str = "", now: dt.datetime | None = None) -> NeedMatch:
    """评价对接: once, after the activity; the need is then closed (已完成)."""
    now = now or utcnow()
    match = need.match
    if match is None:
        raise Conflict("该需求尚未对接，不能评价", code="need_not_matched")
    if not activity_done(match, now):
        raise _rule("activity_not_done", "活动完成后（预约已核销或课程已举办）才能评价")
    if not update_rows(
        sa.update(NeedMatch)
        .where(NeedMatch.id == match.id, NeedMatch.rating.is_(None))
        .values(rating=rating, comment=comment, rated_by_id=actor.user_id, rated_at=now)
    ):
        raise Conflict("已评价过该对接", code="match_already_rated")
    update_rows(
        sa.update(Need).where(Need.id == need.id, Need.status == NeedStatus.MATCHED).values(status=NeedStatus.CLOSED)
    )
    db.session.expire(match)
    db.session.expire(need)
    return match
