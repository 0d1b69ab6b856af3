"""Posting needs (发布需求): the period, the class, the title; withdrawing an open need.

Services never commit and never read the request.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NotRequired, TypedDict

import sqlalchemy as sa

from jlt_family.core.errors import Conflict, NotFound
from jlt_family.core.extensions import db
from jlt_family.core.sql import update_rows
from jlt_family.core.timeutil import SHANGHAI, utcnow
from jlt_family.courses.models import (
    CATEGORY_LABELS,
    CourseCategory,
)
from jlt_family.matching.models import (
    TOPIC_LABELS,
    Need,
    NeedStatus,
    NeedTopic,
)
from jlt_family.matching.service import _rule
from jlt_family.organizations import calendar
from jlt_family.organizations.grades import grade_label
from jlt_family.organizations.models import School, SchoolClass

MAX_PERIOD_DAYS = 366


# ---- posting --------------------------------------------------------------------------------------------------


def resolve_period(
    school: School,
    *,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    term: str | None = None,
    school_year: int | None = None,
) -> tuple[dt.date, dt.date, str]:
    """(starts_on, ends_on, label) from dates or from a term of a school year (the school's region calendar)."""
    if term is not None or school_year is not None:
        if term is None or school_year is None or starts_on is not None or ends_on is not None:
            raise _rule("period_invalid", "时间段请填写学期（学年和学期）或起止日期，二者选一")
        autumn, spring = calendar.terms_of(school_year, school.region)
        chosen = autumn if term == calendar.AUTUMN else spring
        return chosen.starts_on, chosen.ends_on, chosen.label
    if starts_on is None or ends_on is None:
        raise _rule("period_required", "请填写时间段：学期（学年和学期）或起止日期")
    if ends_on < starts_on:
        raise _rule("period_invalid", "结束日期不能早于开始日期")
    return starts_on, ends_on, ""


def _check_need(need: Need, today: dt.date) -> None:
    if need.grade_min > need.grade_max:
        raise _rule("grade_range_invalid", "最低年级不能高于最高年级")
    if need.ends_on < today:
        raise _rule("period_in_past", "该时间段已经过去，请选择今天以后的时间")
    if (need.ends_on - need.starts_on).days >= MAX_PERIOD_DAYS:
        raise _rule("period_too_long", "时间段最长一年")
    if need.is_parent_education and need.course_category is None:
        raise _rule("course_category_required", "家庭教育指导需求请选择课程主题")
    if not need.is_parent_education and need.course_category is not None:
        raise _rule("course_category_not_allowed", "只有家庭教育指导需求可以选择课程主题")
    if need.school_class is not None and not need.grade_min <= need.school_class.grade <= need.grade_max:
        raise _rule("class_not_in_need", f"{need.school_class.name}不在需求的年级范围内")


def _default_title(need: Need) -> str:
    low, high = need.grade_min, need.grade_max
    grades = grade_label(low) if low == high else f"{grade_label(low)}至{grade_label(high)}"
    if need.course_category is not None:
        return f"{grades}家长课程：{CATEGORY_LABELS[need.course_category]}"
    return f"{grades}{TOPIC_LABELS[need.topic]}"


class NeedDetails(TypedDict):
    """What a school asks for (NeedInputSchema): the period as a term of a school year or as dates."""

    topic: NeedTopic
    course_category: NotRequired[CourseCategory | None]
    title: NotRequired[str]
    grade_min: int
    grade_max: int
    headcount: int
    school_year: NotRequired[int | None]
    term: NotRequired[str | None]
    starts_on: NotRequired[dt.date | None]
    ends_on: NotRequired[dt.date | None]
    note: NotRequired[str]


def post_need(
    actor: Any, school: School, *, class_id: int | None, details: NeedDetails, now: dt.datetime | None = None
) -> Need:
    """发布需求 for ``school`` (the route checked who may post for it); a teacher posts for a class they teach."""
    now = now or utcnow()
    school_class = _posting_class(actor, school, class_id)
    starts_on, ends_on, label = resolve_period(
        school,
        starts_on=details.get("starts_on"),
        ends_on=details.get("ends_on"),
        term=details.get("term"),
        school_year=details.get("school_year"),
    )
    need = Need(
        school_id=school.id,
        school=school,
        school_class=school_class,
        topic=details["topic"],
        course_category=details.get("course_category"),
        grade_min=details["grade_min"],
        grade_max=details["grade_max"],
        headcount=details["headcount"],
        note=details.get("note", ""),
        starts_on=starts_on,
        ends_on=ends_on,
        period_label=label,
        posted_by_id=actor.user_id,
        status=NeedStatus.OPEN,
    )
    need.title = details.get("title") or _default_title(need)
    _check_need(need, now.astimezone(SHANGHAI).date())
    db.session.add(need)
    db.session.flush()
    return need


def _posting_class(actor: Any, school: School, class_id: int | None) -> SchoolClass | None:
    """The class a need is posted for: one of the school's (a teacher: one they teach); the school's admins may
    post for the whole school."""
    if class_id is None:
        if school.id not in actor.admin_school_ids:
            raise _rule("class_required", "教师请为所教的班级发布需求（填写 class_id）")
        return None
    school_class = db.session.get(SchoolClass, class_id)
    if (
        school_class is None
        or school_class.school_id != school.id
        or not (school.id in actor.admin_school_ids or class_id in actor.taught_class_ids)
    ):
        raise NotFound("未找到该班级", code="class_not_found")
    return school_class


def withdraw(need: Need, now: dt.datetime | None = None) -> Need:
    """撤回 an open need (409 once matched, closed or withdrawn)."""
    if not update_rows(
        sa.update(Need)
        .where(Need.id == need.id, Need.status == NeedStatus.OPEN)
        .values(status=NeedStatus.WITHDRAWN, withdrawn_at=now or utcnow())
    ):
        raise Conflict("只有待对接的需求可以撤回", code="need_not_open")
    db.session.expire(need)
    return need
