"""评估报表: a school, an alliance (教联体) or a region (县/区, with the regions under it) measured against the
policy numbers for one term or school year. See the README section "Evaluation reports" for what each number
counts.

    school_report(school, period)     -> dict (with "classes": coverage per class; ``for_leaders=True``: the
                                         not-yet-visited list with names and flags, per-class flagged counts)
    alliance_report(alliance, period) -> dict (with "schools")
    region_report(region, period)     -> dict (with "alliances" and "schools")
    monthly_bookings(scope, period)   -> [{"month", "label", "green", "general", "total"}] (场馆预约趋势)

A bounded number of SQL statements per report (about ten), whatever the number of schools, classes or students:
every number is aggregated in the database (queries.py); Python only adds up the grouped rows (rules.py: the
policy numbers and how a school stands against them).
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from jlt_family.alliances.models import ESTABLISHED_ALLIANCE_STATUSES, Alliance
from jlt_family.core.timeutil import SHANGHAI
from jlt_family.courses.models import ActivityKind
from jlt_family.families.schemas import FLAG_NAMES
from jlt_family.organizations.models import Region, School, SchoolClass
from jlt_family.organizations.service import region_subtree_ids
from jlt_family.organizations.students import Student
from jlt_family.reports import queries
from jlt_family.reports.periods import Period
from jlt_family.reports.rules import (
    COORDINATION_MEETINGS_REQUIRED,
    ENTRUSTMENTS_REQUIRED,
    IN_PROGRESS,
    Json,
    activity_items,
    attendance_of,
    attendees_of,
    booking_totals,
    coverage_item,
    feedback_totals,
    group_by_school,
    rate,
    school_meeting_counts,
    school_row,
    status,
    year_open,
)
from jlt_family.visits.coverage import Counts

# Public API -----------------------------------------------------------------------------------------------------


def school_report(school: School, period: Period, *, for_leaders: bool = False) -> dict[str, Any]:
    """评估报表 of one school, with home-visit coverage per class (drill-down).

    ``for_leaders`` (the school's own leaders, DESIGN.md: only they, the 班主任 and the guardians see children's
    flags): each class also with its flagged children's coverage and care entrustments, and the not-yet-visited
    list with names and flags. Everyone else gets the school's counts only.
    """
    school_ids = _ids([school.id])
    report = _report({"kind": "school", "id": school.id, "name": school.name}, school_ids, period)
    counts = queries.coverage(school_ids, period, per_class=True)
    report["classes"] = [
        {
            "id": c.id,
            "name": c.name,
            "grade": c.grade,
            **coverage_item(*counts.get(c.id, Counts())[:2]),
            **(_children(counts.get(c.id, Counts())) if for_leaders else {}),
        }
        for c in queries.classes_of(school_ids, period)
    ]
    if for_leaders:
        report["not_visited"]["items"] = [
            _not_visited_item(student, school_class)
            for student, school_class in queries.not_visited(school_ids, period)
        ]
    report["coordination_meetings"] = (
        report["schools"][0]["activities"][ActivityKind.ALLIANCE_MEETING.value] if report["schools"] else None
    )
    return _mark_year_rules(report, period)


def alliance_report(alliance: Alliance, period: Period) -> dict[str, Any]:
    """评估报表 of an alliance: its schools together, its coordination meetings, each school (drill-down)."""
    school_ids = _school_ids(School.alliance_id == alliance.id)
    report = _report({"kind": "alliance", "id": alliance.id, "name": alliance.name}, school_ids, period)
    held = queries.coordination_meetings([alliance.id], period).get(alliance.id)
    report["coordination_meetings"] = _meetings(held, period, report["schools"])
    return _mark_year_rules(report, period)


def region_report(region: Region, period: Period) -> dict[str, Any]:
    """评估报表 of a region and the regions under it: its schools and alliances together, each alliance and each
    school (drill-down)."""
    region_ids = sorted(region_subtree_ids({region.id}))
    school_ids = _school_ids(School.region_id.in_(region_ids))
    report = _report({"kind": "region", "id": region.id, "name": region.name}, school_ids, period)
    # an application (draft, submitted, returned) is no alliance yet; a suspended one was one in the year
    alliances = queries.alliances_of(
        sa.and_(Alliance.region_id.in_(region_ids), Alliance.status.in_(ESTABLISHED_ALLIANCE_STATUSES))
    )
    held = queries.coordination_meetings([a.id for a in alliances], period)
    members_of: dict[int | None, list[dict[str, Any]]] = {}
    for school in report["schools"]:
        members_of.setdefault(school["alliance_id"], []).append(school)
    rows = []
    for alliance in alliances:
        members = members_of.get(alliance.id, [])
        students = sum(s["coverage"]["students"] for s in members)
        visited = sum(s["coverage"]["visited"] for s in members)
        rows.append(
            {
                "id": alliance.id,
                "name": alliance.name,
                "status": alliance.status.value,
                "schools": len(members),
                "coverage": coverage_item(students, visited),
                "coordination_meetings": _meetings(held.get(alliance.id), period, members),
                "schools_meeting_all_rules": sum(1 for s in members if s["rules_met"] == s["rules"]),
            }
        )
    report["alliances"] = rows
    report["coordination_meetings"] = {
        "required": COORDINATION_MEETINGS_REQUIRED,
        "per": "year",
        "held": sum(r["coordination_meetings"]["held"] for r in rows),
        "alliances": len(rows),
        "alliances_met": sum(1 for r in rows if r["coordination_meetings"]["met"]),
        "alliances_in_progress": sum(1 for r in rows if r["coordination_meetings"]["status"] == IN_PROGRESS),
        **school_meeting_counts(report["schools"]),
    }
    return _mark_year_rules(report, period)


def monthly_bookings(scope: School | Alliance | Region, period: Period, months: int = 12) -> list[dict[str, Any]]:
    """场馆预约趋势: venue bookings of a school's, an alliance's or a region's schools per month (Asia/Shanghai)
    and channel, over the ``months`` months that end with the period's last month (a school year: exactly its
    months; a term: the term and the months before it), empty months included, booked visits ahead too."""
    if isinstance(scope, School):
        school_ids = _ids([scope.id])
    elif isinstance(scope, Alliance):
        school_ids = _school_ids(School.alliance_id == scope.id)
    else:
        school_ids = _school_ids(School.region_id.in_(sorted(region_subtree_ids({scope.id}))))
    last = period.ends_on.replace(day=1)
    firsts = [_add_months(last, offset) for offset in range(1 - months, 1)]
    starts = [dt.datetime.combine(day, dt.time(), SHANGHAI).astimezone(dt.UTC) for day in firsts]
    end = dt.datetime.combine(_add_months(last, 1), dt.time(), SHANGHAI).astimezone(dt.UTC)
    counts = queries.bookings_by_month(school_ids, starts, end)
    series = []
    for index, day in enumerate(firsts):
        green, general = counts.get(index, (0, 0))
        series.append(
            {
                "month": f"{day:%Y-%m}",
                "label": f"{day.year}年{day.month}月",
                "green": green,
                "general": general,
                "total": green + general,
            }
        )
    return series


def _add_months(first_day: dt.date, offset: int) -> dt.date:
    index = first_day.year * 12 + first_day.month - 1 + offset
    return dt.date(index // 12, index % 12 + 1, 1)


# Building blocks ------------------------------------------------------------------------------------------------


def _ids(ids: list[int]) -> sa.Select:
    return sa.select(School.id).where(School.id.in_(ids))


def _school_ids(clause: sa.ColumnElement[bool]) -> sa.Select:
    """The ids of the schools in scope, as a sub-select every query filters on."""
    return sa.select(School.id).where(clause)


def _meetings(counts: dict[str, int] | None, period: Period, schools: Sequence[Json]) -> Json:
    """教联体协调会 of an alliance (its own and its schools'), who attended, and its schools against the per-school
    rule of 001 §二(二)1."""
    counts = counts or {}
    held = counts.get("held", 0)
    met = held >= COORDINATION_MEETINGS_REQUIRED
    return {
        "required": COORDINATION_MEETINGS_REQUIRED,
        "per": "year",
        "held": held,
        "met": met,
        "status": status(met, year_open(period)),
        "attendees": attendees_of(counts),
        **school_meeting_counts(schools),
    }


def _mark_year_rules(report: Json, period: Period) -> Json:
    """Home-visit coverage is a school-year rule: its ``status`` is in progress until the school year ends."""
    still_open = year_open(period)
    rows = [
        report["coverage"],
        *(s["coverage"] for s in report["schools"]),
        *(a["coverage"] for a in report.get("alliances", [])),
        *report.get("classes", []),
    ]
    for holder in (report, *report["schools"], *report.get("classes", [])):
        rows.extend(holder.get("flagged_coverage", {}).values())
    for row in rows:
        row["status"] = status(row["met"], still_open)
    return report


def _report(scope: Json, school_ids: sa.Select, period: Period) -> Json:
    """What every report has: coverage, activities, attendance, bookings, feedback; and one row per school."""
    schools = queries.schools_of(school_ids)
    coverage = queries.coverage(school_ids, period)
    activity = queries.activities(school_ids, period)
    meeting = queries.meeting_attendees(school_ids, period)
    bookings = queries.bookings(school_ids, period)
    feedback = queries.feedback(school_ids, period)

    activity_by_school, feedback_by_school = group_by_school(activity), group_by_school(feedback)
    meeting_by_school = group_by_school(meeting)
    school_rows = [
        school_row(
            s,
            period,
            coverage.get(s.id, Counts())[:2],
            activity_by_school.get(s.id, {}),
            bookings.get(s.id),
            feedback_by_school.get(s.id, {}),
            meeting_by_school.get(s.id, {}),
        )
        for s in schools
    ]
    students = sum(row["coverage"]["students"] for row in school_rows)
    visited = sum(row["coverage"]["visited"] for row in school_rows)
    return {
        "scope": scope,
        "period": period.as_dict(),
        "coverage": coverage_item(students, visited),
        "activities": activity_items(activity, meeting, period, [s.id for s in schools]),
        "attendance": attendance_of(activity, period),
        "bookings": booking_totals(bookings.values()),
        "feedback": feedback_totals(feedback),
        "schools": school_rows,
        **_children_of_schools(school_rows, coverage),
    }


def _children_of_schools(school_rows: Sequence[Json], coverage: dict[int, Counts]) -> Json:
    """The flagged children's coverage, the not-yet-visited counts and the care entrustments of the scope, and
    the same on each school row (counts only: no names leave the school's leaders)."""
    counts = [coverage.get(row["id"], Counts()) for row in school_rows]
    for row, found in zip(school_rows, counts, strict=True):
        row.update(_children(found))
    total = Counts(*(sum(values) for values in zip(*counts, strict=True))) if counts else Counts()
    children = _children(total)
    children["not_visited"]["items"] = None
    return children


def _children(counts: Counts) -> Json:
    """家访覆盖 of the left-behind (留守) and in-difficulty (困境) children, who is not yet visited (counts) and the
    care entrustments (委托照护, 002 §7) of the left-behind children, from one ``visits.coverage.Counts``."""
    entrusted = rate(counts.entrusted, counts.left_behind)
    return {
        "flagged_coverage": {
            "left_behind": coverage_item(counts.left_behind, counts.left_behind_visited),
            "in_difficulty": coverage_item(counts.in_difficulty, counts.in_difficulty_visited),
        },
        "not_visited": {
            "students": counts.students - counts.visited,
            "left_behind": counts.left_behind - counts.left_behind_visited,
            "in_difficulty": counts.in_difficulty - counts.in_difficulty_visited,
        },
        "entrustments": {
            "left_behind": counts.left_behind,
            "entrusted": counts.entrusted,
            "acknowledged": counts.acknowledged,
            "rate": entrusted,
            "required_rate": ENTRUSTMENTS_REQUIRED,
            "met": None if entrusted is None else entrusted >= ENTRUSTMENTS_REQUIRED,
        },
    }


def _not_visited_item(student: Student, school_class: SchoolClass) -> Json:
    return {
        "id": student.id,
        "name": student.name,
        "student_no": student.student_no,
        "school_class": {"id": school_class.id, "name": school_class.name, "grade": school_class.grade},
        "flags": [name for name in FLAG_NAMES if getattr(student, name)],
    }
