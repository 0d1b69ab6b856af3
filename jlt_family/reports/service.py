"""评估报表: a school, an alliance (教联体) or a region (县/区, with the regions under it) measured against the
policy numbers for one term or school year. See the README section "Evaluation reports" for what each number
counts.

    school_report(school, period)     -> dict (with "classes": coverage per class; ``for_leaders=True``: the
                                         not-yet-visited list with names and flags, per-class flagged counts)
    alliance_report(alliance, period) -> dict (with "schools")
    region_report(region, period)     -> dict (with "alliances" and "schools")
    monthly_bookings(scope, period)   -> [{"month", "label", "green", "general", "total"}] (场馆预约趋势)

A bounded number of SQL statements per report (about ten), whatever the number of schools, classes or students:
every number is aggregated in the database (queries.py); Python only adds up the grouped rows.
"""

import datetime as dt

import sqlalchemy as sa

from jlt_family.core.timeutil import SHANGHAI
from jlt_family.courses.models import ACTIVITY_LABELS, ActivityKind
from jlt_family.courses.reports import TERM_REQUIREMENTS, YEAR_REQUIREMENTS
from jlt_family.families.schemas import FLAG_NAMES
from jlt_family.organizations.calendar import AUTUMN, SPRING, TERM_LABELS
from jlt_family.organizations.models import ESTABLISHED_ALLIANCE_STATUSES, Alliance, School
from jlt_family.organizations.service import region_subtree_ids
from jlt_family.reports import queries
from jlt_family.visits.coverage import Counts

# 政策要求 (DOMAIN.md "Rules with numbers"), the same numbers as the parent school's compliance page
# (courses/reports.py): (activity kind, required, per "term" or "year"): ≥2 家庭教育指导, ≥5 家长夜校 lessons and
# 1 家长代表大会 per term; ≥2 家长会 per school year.
RULES = (*((kind, n, "term") for kind, n in TERM_REQUIREMENTS.items()),
         *((kind, n, "year") for kind, n in YEAR_REQUIREMENTS.items()))
COORDINATION_MEETINGS_REQUIRED = 1  # ≥1 教联体协调会 per alliance and school year
COVERAGE_REQUIRED = 1.0  # every student visited once per school year
ENTRUSTMENTS_REQUIRED = 1.0  # every left-behind child's care arrangement in writing (002 §7)
FEEDBACK_SOURCES = ("courses", "home_visits", "venue_visits")
BOOKING_KEYS = ("total", "green", "general", "family", "group", "free", "discounted", "checked_in", "no_show",
                "visitors")


def rate(part, whole):
    return round(part / whole, 4) if whole else None


# Public API -----------------------------------------------------------------------------------------------------


def school_report(school, period, *, for_leaders=False):
    """评估报表 of one school, with home-visit coverage per class (drill-down).

    ``for_leaders`` (the school's own leaders, DESIGN.md: only they, the 班主任 and the guardians see children's
    flags): each class also with its flagged children's coverage and care entrustments, and the not-yet-visited
    list with names and flags. Everyone else gets the school's counts only.
    """
    school_ids = _ids([school.id])
    report = _report({"kind": "school", "id": school.id, "name": school.name}, school_ids, period)
    counts = queries.coverage(school_ids, period, per_class=True)
    report["classes"] = [
        {"id": c.id, "name": c.name, "grade": c.grade, **_coverage(*counts.get(c.id, Counts())[:2]),
         **(_children(counts.get(c.id, Counts())) if for_leaders else {})}
        for c in queries.classes_of(school_ids, period)
    ]
    if for_leaders:
        report["not_visited"]["items"] = [_not_visited_item(student, school_class)
                                          for student, school_class in queries.not_visited(school_ids, period)]
    return report


def alliance_report(alliance, period):
    """评估报表 of an alliance: its schools together, its coordination meetings, each school (drill-down)."""
    school_ids = _school_ids(School.alliance_id == alliance.id)
    report = _report({"kind": "alliance", "id": alliance.id, "name": alliance.name}, school_ids, period)
    held = queries.coordination_meetings([alliance.id], period).get(alliance.id, 0)
    report["coordination_meetings"] = _meetings(held)
    return report


def region_report(region, period):
    """评估报表 of a region and the regions under it: its schools and alliances together, each alliance and each
    school (drill-down)."""
    region_ids = sorted(region_subtree_ids({region.id}))
    school_ids = _school_ids(School.region_id.in_(region_ids))
    report = _report({"kind": "region", "id": region.id, "name": region.name}, school_ids, period)
    # an application (draft, submitted, returned) is no alliance yet; a suspended one was one in the year
    alliances = queries.alliances_of(sa.and_(Alliance.region_id.in_(region_ids),
                                             Alliance.status.in_(ESTABLISHED_ALLIANCE_STATUSES)))
    held = queries.coordination_meetings([a.id for a in alliances], period)
    members_of = {}
    for school in report["schools"]:
        members_of.setdefault(school["alliance_id"], []).append(school)
    rows = []
    for alliance in alliances:
        members = members_of.get(alliance.id, [])
        students = sum(s["coverage"]["students"] for s in members)
        visited = sum(s["coverage"]["visited"] for s in members)
        rows.append({"id": alliance.id, "name": alliance.name, "status": alliance.status.value,
                     "schools": len(members), "coverage": _coverage(students, visited),
                     "coordination_meetings": _meetings(held.get(alliance.id, 0)),
                     "schools_meeting_all_rules": sum(1 for s in members if s["rules_met"] == s["rules"])})
    report["alliances"] = rows
    report["coordination_meetings"] = {
        "required": COORDINATION_MEETINGS_REQUIRED, "per": "year", "held": sum(held.values()),
        "alliances": len(rows), "alliances_met": sum(1 for r in rows if r["coordination_meetings"]["met"]),
    }
    return report


def monthly_bookings(scope, period, months=12):
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
        series.append({"month": f"{day:%Y-%m}", "label": f"{day.year}年{day.month}月", "green": green,
                       "general": general, "total": green + general})
    return series


def _add_months(first_day, offset):
    index = first_day.year * 12 + first_day.month - 1 + offset
    return dt.date(index // 12, index % 12 + 1, 1)


# Building blocks ------------------------------------------------------------------------------------------------


def _ids(ids):
    return sa.select(School.id).where(School.id.in_(ids))


def _school_ids(clause):
    """The ids of the schools in scope, as a sub-select every query filters on."""
    return sa.select(School.id).where(clause)


def _coverage(students, visited):
    value = rate(visited, students)
    return {"students": students, "visited": visited, "rate": value, "required_rate": COVERAGE_REQUIRED,
            "met": None if value is None else value >= COVERAGE_REQUIRED}


def _meetings(held):
    return {"required": COORDINATION_MEETINGS_REQUIRED, "per": "year", "held": held,
            "met": held >= COORDINATION_MEETINGS_REQUIRED}


def _report(scope, school_ids, period):
    """What every report has: coverage, activities, attendance, bookings, feedback; and one row per school."""
    schools = queries.schools_of(school_ids)
    coverage = queries.coverage(school_ids, period)
    activity = queries.activities(school_ids, period)
    bookings = queries.bookings(school_ids, period)
    feedback = queries.feedback(school_ids, period)

    activity_by_school, feedback_by_school = _by_school(activity), _by_school(feedback)
    school_rows = [_school_row(s, period, coverage.get(s.id, Counts())[:2], activity_by_school.get(s.id, {}),
                               bookings.get(s.id), feedback_by_school.get(s.id, {})) for s in schools]
    students = sum(row["coverage"]["students"] for row in school_rows)
    visited = sum(row["coverage"]["visited"] for row in school_rows)
    return {
        "scope": scope,
        "period": period.as_dict(),
        "coverage": _coverage(students, visited),
        "activities": _activity_items(activity, period, [s.id for s in schools]),
        "attendance": _attendance(activity, period),
        "bookings": _booking_totals(bookings.values()),
        "feedback": _feedback_totals(feedback),
        "schools": school_rows,
        **_children_of_schools(school_rows, coverage),
    }


def _children_of_schools(school_rows, coverage):
    """The flagged children's coverage, the not-yet-visited counts and the care entrustments of the scope, and
    the same on each school row (counts only: no names leave the school's leaders)."""
    counts = [coverage.get(row["id"], Counts()) for row in school_rows]
    for row, found in zip(school_rows, counts, strict=True):
        row.update(_children(found))
    total = Counts(*(sum(values) for values in zip(*counts, strict=True))) if counts else Counts()
    children = _children(total)
    children["not_visited"]["items"] = None
    return children


def _children(counts):
    """家访覆盖 of the left-behind (留守) and in-difficulty (困境) children, who is not yet visited (counts) and the
    care entrustments (委托照护, 002 §7) of the left-behind children, from one ``visits.coverage.Counts``."""
    entrusted = rate(counts.entrusted, counts.left_behind)
    return {
        "flagged_coverage": {"left_behind": _coverage(counts.left_behind, counts.left_behind_visited),
                             "in_difficulty": _coverage(counts.in_difficulty, counts.in_difficulty_visited)},
        "not_visited": {"students": counts.students - counts.visited,
                        "left_behind": counts.left_behind - counts.left_behind_visited,
                        "in_difficulty": counts.in_difficulty - counts.in_difficulty_visited},
        "entrustments": {"left_behind": counts.left_behind, "entrusted": counts.entrusted,
                         "acknowledged": counts.acknowledged, "rate": entrusted,
                         "required_rate": ENTRUSTMENTS_REQUIRED,
                         "met": None if entrusted is None else entrusted >= ENTRUSTMENTS_REQUIRED},
    }


def _not_visited_item(student, school_class):
    return {"id": student.id, "name": student.name, "student_no": student.student_no,
            "school_class": {"id": school_class.id, "name": school_class.name, "grade": school_class.grade},
            "flags": [name for name in FLAG_NAMES if getattr(student, name)]}


def _terms_counted(period, rule):
    """Which term buckets an item counts: its own term (term rules in a term report), the school year so far
    (year rules: every term up to the reported one), or both terms (a year report)."""
    if period.term is None:
        return (AUTUMN, SPRING)
    if rule == "term":
        return (period.term.name,)
    return (AUTUMN,) if period.term.name == AUTUMN else (AUTUMN, SPRING)


def _held(activity, school_id, kind, terms):
    totals = [0, 0, 0]
    for term in terms:
        for i, value in enumerate(activity.get((school_id, kind, term), (0, 0, 0))):
            totals[i] += value
    return totals


def _school_rule(activity, school_id, period, kind, required, per):
    """One school against one rule: held (over the counted terms) and met; per term in a year report."""
    held, attended, expected = _held(activity, school_id, kind, _terms_counted(period, per))
    item = {"held": held, "attended": attended, "expected": expected}
    if per == "term" and period.term is None:
        by_term = {t: _held(activity, school_id, kind, (t,))[0] for t in (AUTUMN, SPRING)}
        item["terms"] = {t: {"held": n, "met": n >= required} for t, n in by_term.items()}
        item["met"] = all(n >= required for n in by_term.values())
    else:
        item["met"] = held >= required
    return item


def _by_school(mapping):
    """{(school_id, ...): value} → {school_id: {(school_id, ...): value}}: each school's grouped rows."""
    grouped = {}
    for key, value in mapping.items():
        grouped.setdefault(key[0], {})[key] = value
    return grouped


def _school_row(school, period, coverage, activity, bookings, feedback):
    """One school's line of the drill-down; ``activity`` and ``feedback`` are that school's grouped rows."""
    rules = {kind.value: _school_rule(activity, school.id, period, kind, required, per)
             for kind, required, per in RULES}
    return {
        "id": school.id, "name": school.name, "alliance_id": school.alliance_id,
        "coverage": _coverage(*coverage),
        "activities": {kind: {"held": r["held"], "required": required, "per": per, "met": r["met"]}
                       for (kind, r), (_k, required, per) in zip(rules.items(), RULES, strict=True)},
        "rules": len(rules), "rules_met": sum(1 for r in rules.values() if r["met"]),
        "attendance": _attendance(activity, period),
        "bookings": _booking_totals([bookings or dict.fromkeys(BOOKING_KEYS, 0)]),
        "feedback": _feedback_totals(feedback),
    }


def _activity_items(activity, period, school_ids):
    """Each policy rule over the scope: sessions held, schools meeting it, attendance; then the other kinds."""
    items = []
    for kind, required, per in RULES:
        per_school = [_school_rule(activity, sid, period, kind, required, per) for sid in school_ids]
        attended = sum(r["attended"] for r in per_school)
        expected = sum(r["expected"] for r in per_school)
        item = {"activity_kind": kind.value, "label": ACTIVITY_LABELS[kind], "required": required, "per": per,
                "held": sum(r["held"] for r in per_school), "schools": len(school_ids),
                "schools_met": sum(1 for r in per_school if r["met"]),
                "attended": attended, "expected": expected, "attendance_rate": rate(attended, expected)}
        if len(school_ids) == 1:
            item["met"] = per_school[0]["met"]
            if "terms" in per_school[0]:
                item["terms"] = {t: {**v, "label": TERM_LABELS[t]} for t, v in per_school[0]["terms"].items()}
        items.append(item)
    ruled = {kind for kind, _r, _p in RULES}
    for kind in ActivityKind:
        if kind in ruled or kind == ActivityKind.ALLIANCE_MEETING:
            continue
        totals = [0, 0, 0]
        for sid in school_ids:
            for i, value in enumerate(_held(activity, sid, kind, _terms_counted(period, "term"))):
                totals[i] += value
        items.append({"activity_kind": kind.value, "label": ACTIVITY_LABELS[kind], "required": None, "per": None,
                      "held": totals[0], "schools": len(school_ids), "schools_met": None,
                      "attended": totals[1], "expected": totals[2], "attendance_rate": rate(totals[1], totals[2])})
    return items


def _attendance(activity, period):
    """课程出勤率 over every held session of the period (all activity kinds) of the grouped rows given."""
    terms = _terms_counted(period, "term")
    attended = expected = sessions = 0
    for (_sid, _kind, term), (held, att, exp) in activity.items():
        if term in terms:
            sessions, attended, expected = sessions + held, attended + att, expected + exp
    return {"sessions": sessions, "attended": attended, "expected": expected, "rate": rate(attended, expected)}


def _booking_totals(rows):
    totals = dict.fromkeys(BOOKING_KEYS, 0)
    for row in rows:
        for key in BOOKING_KEYS:
            totals[key] += row[key]
    decided = totals["checked_in"] + totals["no_show"]
    return {**totals, "no_show_rate": rate(totals["no_show"], decided)}


def _feedback_totals(feedback):
    """Count and average rating per source of the grouped rows given."""
    result = {}
    for source in FEEDBACK_SOURCES:
        count = total = 0
        for (_sid, src), (n, rating_sum) in feedback.items():
            if src == source:
                count, total = count + n, total + rating_sum
        result[source] = {"count": count, "average": round(total / count, 2) if count else None}
    return result
