"""家访日历: a staff member's visit schedule as an RFC 5545 iCalendar feed at a secret, revocable URL.

The URL carries a random token (no bearer header: phone calendars cannot send one); only its SHA-256 is
stored, so a database leak does not reveal live feeds. Events show the child's masked name and the mode, never
the address or notes: a calendar app syncs them to places the school does not control.
"""

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from jlt_family.core.errors import NotFound
from jlt_family.core.extensions import db
from jlt_family.core.masking import mask_name
from jlt_family.core.timeutil import utcnow
from jlt_family.organizations.models import StaffMembership
from jlt_family.visits.models import (
    MODE_LABELS,
    PURPOSE_LABELS,
    HomeVisit,
    VisitCalendarFeed,
    VisitParticipant,
    VisitState,
)

PAST_DAYS = 90
PRODID = "-//jlt-family//home visits//ZH"


@dataclass(frozen=True)
class CalendarLink:
    """家访日历订阅链接: the secret URL of a staff member's feed, and since when it is live."""

    url: str
    feed: VisitCalendarFeed

    @property
    def created_at(self) -> dt.datetime:
        return self.feed.created_at


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def regenerate(user_id: int) -> str:
    """A new secret token for the user's feed (the old URL stops working); returns the token."""
    token = secrets.token_urlsafe(32)
    feed = db.session.get(VisitCalendarFeed, user_id)
    if feed is None:
        feed = VisitCalendarFeed(user_id=user_id)
        db.session.add(feed)
    feed.token_hash, feed.created_at = _hash(token), utcnow()
    db.session.flush()
    return token


def revoke(user_id: int) -> None:
    """Stop the user's feed; 404 ``calendar_not_found`` when there is none."""
    feed = db.session.get(VisitCalendarFeed, user_id)
    if feed is None:
        raise NotFound("尚未开通家访日历订阅", code="calendar_not_found")
    db.session.delete(feed)


def user_for_token(token: str) -> int:
    """The user id of a live feed token, or 404 (the same answer for unknown and revoked tokens)."""
    user_id = db.session.scalar(
        sa.select(VisitCalendarFeed.user_id).where(VisitCalendarFeed.token_hash == _hash(token))
    )
    if user_id is None:
        raise NotFound("日历链接无效或已停用", code="calendar_not_found")
    return user_id


def visits_of(user_id: int, now: dt.datetime | None = None) -> Sequence[HomeVisit]:
    """Scheduled and completed visits of the staff member, from PAST_DAYS ago on, at schools where they are
    still staff (a teacher who left a school no longer sees its visits through an old feed URL)."""
    since = (now or utcnow()) - dt.timedelta(days=PAST_DAYS)
    still_staff = (
        sa.select(StaffMembership.id)
        .where(
            StaffMembership.user_id == user_id,
            StaffMembership.school_id == HomeVisit.school_id,
            StaffMembership.active_key == 1,
        )
        .exists()
    )
    return db.session.scalars(
        sa.select(HomeVisit)
        .join(VisitParticipant, VisitParticipant.visit_id == HomeVisit.id)
        .where(
            VisitParticipant.user_id == user_id,
            still_staff,
            HomeVisit.state.in_((VisitState.SCHEDULED, VisitState.COMPLETED)),
            HomeVisit.ends_at >= since,
        )
        .order_by(HomeVisit.starts_at)
        .options(selectinload(HomeVisit.student))
    ).all()


def feed_of(user_id: int) -> VisitCalendarFeed:
    """The staff member's live feed (after ``regenerate``)."""
    feed = db.session.get(VisitCalendarFeed, user_id)
    if feed is None:
        raise NotFound("尚未开通家访日历订阅", code="calendar_not_found")
    return feed


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines of at most 75 octets, continuations starting with a space, never splitting a character."""
    out: list[str] = []
    current = ""
    for char in line:
        limit = 75 if not out else 74
        if len((current + char).encode()) > limit:
            out.append(current)
            current = ""
        current += char
    out.append(current)
    return "\r\n ".join(out)


def _event(visit: HomeVisit, host: str, now: dt.datetime) -> list[str]:
    student = visit.student
    starts_at, ends_at = visit.agreed
    return [
        "BEGIN:VEVENT",
        f"UID:home-visit-{visit.id}@{host}",
        f"DTSTAMP:{_stamp(now)}",
        f"DTSTART:{_stamp(starts_at)}",
        f"DTEND:{_stamp(ends_at)}",
        f"SUMMARY:{_escape(f'{MODE_LABELS[visit.mode]}家访：{mask_name(student.name)}')}",
        f"DESCRIPTION:{_escape(f'家访目的：{PURPOSE_LABELS[visit.purpose]}')}",
        "STATUS:CONFIRMED",
        f"LAST-MODIFIED:{_stamp(visit.updated_at)}",
        "END:VEVENT",
    ]


def render(visits: Iterable[HomeVisit], host: str, now: dt.datetime | None = None) -> str:
    """The VCALENDAR text, CRLF line endings, times in UTC."""
    now = now or utcnow()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:家访日程",
        "X-WR-TIMEZONE:Asia/Shanghai",
    ]
    for visit in visits:
        lines.extend(_event(visit, host, now))
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
