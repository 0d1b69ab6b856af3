"""Time rules of home visits: the school's settings, valid windows, and no double-booking of staff.

No double-booking holds under concurrency: before checking overlaps, the staff members' user rows are locked
(``SELECT ... FOR UPDATE`` in id order, so two transactions never wait on each other crosswise), and the overlap
check itself is a locking read, which sees the latest committed visits even under MariaDB's REPEATABLE READ
snapshot. Whoever locks second sees the first one's scheduled visit and gets 409 ``staff_busy``.
"""

import datetime as dt
from collections.abc import Iterable, Sequence

import sqlalchemy as sa

from jlt_family.auth.models import User
from jlt_family.core.errors import Conflict, RuleViolation
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import SHANGHAI, utcnow
from jlt_family.visits.models import (
    DEFAULT_ALLOWED_END,
    DEFAULT_ALLOWED_START,
    DEFAULT_TRAVEL_BUFFER_MINUTES,
    HomeVisit,
    VisitMode,
    VisitParticipant,
    VisitSettings,
    VisitState,
)

MAX_WINDOWS = 3


def settings_for(school_id: int) -> VisitSettings:
    """The school's visit settings, or an unsaved row with the defaults."""
    settings = db.session.get(VisitSettings, school_id)
    if settings is None:
        settings = VisitSettings(
            school_id=school_id,
            travel_buffer_minutes=DEFAULT_TRAVEL_BUFFER_MINUTES,
            allowed_start=DEFAULT_ALLOWED_START,
            allowed_end=DEFAULT_ALLOWED_END,
        )
    return settings


def save_settings(
    school_id: int, *, travel_buffer_minutes: int, allowed_start: dt.time, allowed_end: dt.time
) -> VisitSettings:
    """修改学校家访设置: the travel buffer and allowed hours (``hours_order`` unless the end is after the start)."""
    if allowed_end <= allowed_start:
        raise RuleViolation("结束时间应晚于开始时间", code="hours_order")
    settings = db.session.get(VisitSettings, school_id) or VisitSettings(school_id=school_id)
    settings.travel_buffer_minutes = travel_buffer_minutes
    settings.allowed_start, settings.allowed_end = allowed_start, allowed_end
    db.session.add(settings)
    return settings


def validate_windows(
    windows: Sequence[tuple[dt.datetime, dt.datetime]], settings: VisitSettings, now: dt.datetime | None = None
) -> None:
    """1–3 windows, each in the future, ending after it starts, on one day within the allowed hours."""
    if not windows:
        raise RuleViolation("请至少提供一个可选时段", code="no_windows")
    if len(windows) > MAX_WINDOWS:
        raise RuleViolation(f"最多提供 {MAX_WINDOWS} 个可选时段", code="too_many_windows")
    for starts_at, ends_at in windows:
        validate_window(starts_at, ends_at, settings, now)


def validate_window(
    starts_at: dt.datetime, ends_at: dt.datetime, settings: VisitSettings, now: dt.datetime | None = None
) -> None:
    """The window ends after it starts, lies in the future, on one day within the school's allowed hours."""
    now = now or utcnow()
    if ends_at <= starts_at:
        raise RuleViolation("结束时间应晚于开始时间", code="window_end_before_start")
    if starts_at <= now:
        raise RuleViolation("时段已过，请选择将来的时间", code="window_in_past")
    start, end = starts_at.astimezone(SHANGHAI), ends_at.astimezone(SHANGHAI)
    same_day = start.date() == end.date()
    if not same_day or start.time() < settings.allowed_start or end.time() > settings.allowed_end:
        hours = f"{settings.allowed_start:%H:%M}–{settings.allowed_end:%H:%M}"
        raise RuleViolation(f"家访时间应在当天 {hours} 之间", code="outside_allowed_hours")


def lock_staff(user_ids: Iterable[int]) -> None:
    """Lock the staff members' user rows, in id order, until the transaction ends."""
    db.session.execute(sa.select(User.id).where(User.id.in_(sorted(set(user_ids)))).order_by(User.id).with_for_update())


def _gap(mode_a: VisitMode, mode_b: VisitMode, buffer: dt.timedelta) -> dt.timedelta:
    return buffer if VisitMode.HOME in (mode_a, mode_b) else dt.timedelta(0)


def clashes(
    user_ids: Iterable[int],
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    mode: VisitMode,
    settings: VisitSettings,
    *,
    exclude_visit_id: int | None = None,
) -> list[HomeVisit]:
    """Scheduled visits of these staff members that overlap [starts_at, ends_at) with the travel buffer."""
    buffer = dt.timedelta(minutes=settings.travel_buffer_minutes)
    stmt = (
        sa.select(HomeVisit)
        .join(VisitParticipant, VisitParticipant.visit_id == HomeVisit.id)
        .where(
            VisitParticipant.user_id.in_(list(user_ids)),
            HomeVisit.state == VisitState.SCHEDULED,
            HomeVisit.starts_at < ends_at + buffer,
            HomeVisit.ends_at > starts_at - buffer,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if exclude_visit_id is not None:
        stmt = stmt.where(HomeVisit.id != exclude_visit_id)
    candidates = db.session.scalars(stmt).unique().all()
    return [
        other
        for other in candidates
        if other.agreed[0] < ends_at + _gap(mode, other.mode, buffer)
        and starts_at < other.agreed[1] + _gap(mode, other.mode, buffer)
    ]


class StaffBusy(Conflict):
    code = "staff_busy"
    message = "参与教师在该时段已有其他家访安排（含路途缓冲时间）"


def ensure_staff_free(
    user_ids: Iterable[int],
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    mode: VisitMode,
    settings: VisitSettings,
    *,
    exclude_visit_id: int | None = None,
) -> None:
    """409 ``staff_busy`` when a staff member already has a scheduled visit too close to this time."""
    if clashes(user_ids, starts_at, ends_at, mode, settings, exclude_visit_id=exclude_visit_id):
        raise StaffBusy()
