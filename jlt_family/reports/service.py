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

from jlt_family.alliances.models import ESTABLISHED_ALLIANCE_STATUSES, Alliance
from jlt_family.core.timeutil import SHANGHAI
from jlt_family.courses.meetings import ATTENDEE_KINDS
from jlt_family.courses.models import ACTIVITY_LABELS, ActivityKind
from jlt_family.courses.reports import TERM_REQUIREMENTS, YEAR_REQUIREMENTS
from jlt_family.families.schemas import FLAG_NAMES
from jlt_family.organizations.calendar import AUTUMN, SPRING, TERM_LABELS
from jlt_family.organizations.models import School
from jlt_family.organizations.service import region_subtree_ids
from jlt_family.reports import queries
from jlt_family.visits.coverage import Counts

# 政策要求 (DOMAIN.md "Rules with numbers"): (rule key, activity kind, required, per "term" or "year"). First the
# numbers of the parent school's compliance page (courses/reports.py; the key is the kind): ≥2 家庭教育指导, ≥5
# 家长夜校 lessons and 1 家长代表大会 per term; ≥2 家长会 per school year. Then:
RULES = (
    *((kind.value, kind, n, "term") for kind, n in TERM_REQUIREMENTS.items()),
    *((kind.value, kind, n, "year") for kind, n in YEAR_REQUIREMENTS.items()),
    # 柳州 003 §二(二): "学校要……落细落实家访工作，每年至少开展2次家庭教育指导服务和实践活动。" A yearly
    # rule beside 兴安盟 001's ≥2 a term; counted over the guidance activities (家庭教育指导) of the school year.
    ("guidance_year", ActivityKind.GUIDANCE, 2, "year"),
    # 兴安盟 001 §二(二)1: "各学校每学年至少召开1次“教联体”工作协调会，邀请家庭、社区及社会资源单位代表参加，
    # 共商协同育人事宜。" Each school's own meetings (courses of the school), with who attended
    # (courses/meetings.py); the alliance's count (its own meetings and its schools') stays beside it.
    (ActivityKind.ALLIANCE_MEETING.value, ActivityKind.ALLIANCE_MEETING, 1, "year"),
)
RULE_LABELS = {"guidance_year": "家庭教育指导服务和实践活动", ActivityKind.ALLIANCE_MEETING.value: "教联体工作协调会"}
RULE_SOURCES = {
    ActivityKind.GUIDANCE.value: "001 §二(二)2",
    ActivityKind.EVENING_CLASS.value: "004 §二(三)",
    ActivityKind.PARENT_ASSEMBLY.value: "001 §二(二)2",
    ActivityKind.PARENT_MEETING.value: "001 §二(二)2",
    "guidance_year": "003 §二(二)",
    ActivityKind.ALLIANCE_MEETING.value: "001 §二(二)1",
}
COORDINATION_MEETINGS_REQUIRED = 1  # ≥1 教联体协调会 per alliance and school year
# 达标状态 (``status`` beside each ``met``): met 达标; not_met 未达标 (the rule's term or school year is over);
# in_progress 进行中 (not reached yet while the term or school year still runs); None: nothing to count.
MET, NOT_MET, IN_PROGRESS = "met", "not_met", "in_progress"
COVERAGE_REQUIRED = 1.0  # every student visited once per school year
ENTRUSTMENTS_REQUIRED = 1.0  # every left-behind child's care arrangement in writing (002 §7)
FEEDBACK_SOURCES = ("courses", "home_visits", "venue_visits")
BOOKING_KEYS = (
    "total",
    "green",
    "general",
    "family",
    "group",
    "free",
    "discounted",
    "checked_in",
    "no_show",
    "visitors",
)


def rate(part, whole):
    return round(part / whole, 4) if whole else None


def status(met, still_open):
    """The tri-state of a rule: ``met`` (reached so far), and whether its term or school year still runs."""
    if met is None:
        return None
    return MET if met else (IN_PROGRESS if still_open else NOT_MET)


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
        {
            "id": c.id,
            "name": c.name,
            "grade": c.grade,
            **_coverage(*counts.get(c.id, Counts())[:2]),
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


def alliance_report(alliance, period):
    """评估报表 of an alliance: its schools together, its coordination meetings, each school (drill-down)."""
    school_ids = _school_ids(School.alliance_id == alliance.id)
    report = _report({"kind": "alliance", "id": alliance.id, "name": alliance.name}, school_ids, period)
    held = queries.coordination_meetings([alliance.id], period).get(alliance.id)
    report["coordination_meetings"] = _meetings(held, period, report["schools"])
    return _mark_year_rules(report, period)


def region_report(region, period):
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
    members_of = {}
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
                "coverage": _coverage(students, visited),
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
        **_school_meeting_counts(report["schools"]),
    }
    return _mark_year_rules(report, period)


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
    return {
        "students": students,
        "visited": visited,
        "rate": value,
        "required_rate": COVERAGE_REQUIRED,
        "met": None if value is None else value >= COVERAGE_REQUIRED,
    }


def _year_open(period):
    return period.today <= period.school_year.ends_on


def _meetings(counts, period, schools):
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
        "status": status(met, _year_open(period)),
        "attendees": _attendees(counts),
        **_school_meeting_counts(schools),
    }


def _school_meeting_counts(schools):
    rules = [s["activities"][ActivityKind.ALLIANCE_MEETING.value] for s in schools]
    return {
        "schools": len(rules),
        "schools_met": sum(1 for r in rules if r["met"]),
        "schools_in_progress": sum(1 for r in rules if r["status"] == IN_PROGRESS),
    }


def _attendees(counts):
    """Representatives who attended coordination meetings, by kind, and the meetings all three kinds attended."""
    return {key: counts.get(key, 0) for key in (*ATTENDEE_KINDS, "meetings_with_all_kinds")}


def _mark_year_rules(report, period):
    """Home-visit coverage is a school-year rule: its ``status`` is in progress until the school year ends."""
    still_open = _year_open(period)
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


def _report(scope, school_ids, period):
    """What every report has: coverage, activities, attendance, bookings, feedback; and one row per school."""
    schools = queries.schools_of(school_ids)
    coverage = queries.coverage(school_ids, period)
    activity = queries.activities(school_ids, period)
    meeting = queries.meeting_attendees(school_ids, period)
    bookings = queries.bookings(school_ids, period)
    feedback = queries.feedback(school_ids, period)

    activity_by_school, feedback_by_school = _by_school(activity), _by_school(feedback)
    meeting_by_school = _by_school(meeting)
    school_rows = [
        _school_row(
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
        "coverage": _coverage(students, visited),
        "activities": _activity_items(activity, meeting, period, [s.id for s in schools]),
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
        "flagged_coverage": {
            "left_behind": _coverage(counts.left_behind, counts.left_behind_visited),
            "in_difficulty": _coverage(counts.in_difficulty, counts.in_difficulty_visited),
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


def _not_visited_item(student, school_class):
    return {
        "id": student.id,
        "name": student.name,
        "student_no": student.student_no,
        "school_class": {"id": school_class.id, "name": school_class.name, "grade": school_class.grade},
        "flags": [name for name in FLAG_NAMES if getattr(student, name)],
    }


def _terms_counted(period, rule):
    """Which term buckets an item counts: its own term (term rules in a term report), the school year so far
    (year rules: every term up to the reported one), or both terms (a year report)."""
    if period.term is None:
        return (AUTUMN, SPRING)
    if rule == "term":
        return (period.term.name,)
    return (AUTUMN,) if period.term.name == AUTUMN else (AUTUMN, SPRING)


def _held(activity, school_id, kind, terms):
    """(held, attended, expected, sessions with enrolments) of one school and kind over the terms given."""
    totals = [0, 0, 0, 0]
    for term in terms:
        for i, value in enumerate(activity.get((school_id, kind, term), (0, 0, 0, 0))):
            totals[i] += value
    return totals


def _term_open(period, name):
    term = next(t for t in period.terms if t.name == name)
    return period.today <= term.ends_on


def _school_rule(activity, school_id, period, kind, required, per, meeting=None):
    """One school against one rule: held (over the counted terms), met and status; per term in a year report;
    the coordination meetings with who attended (``meeting``: that school's grouped attendee rows)."""
    terms = _terms_counted(period, per)
    held, attended, expected, _enrolled = _held(activity, school_id, kind, terms)
    item = {"held": held, "attended": attended, "expected": expected}
    if per == "term" and period.term is None:
        by_term = {t: _held(activity, school_id, kind, (t,))[0] for t in (AUTUMN, SPRING)}
        item["terms"] = {
            t: {"held": n, "met": n >= required, "status": status(n >= required, _term_open(period, t))}
            for t, n in by_term.items()
        }
        item["met"] = all(n >= required for n in by_term.values())
        item["status"] = (
            MET
            if item["met"]
            else (NOT_MET if any(v["status"] == NOT_MET for v in item["terms"].values()) else IN_PROGRESS)
        )
    else:
        item["met"] = held >= required
        still_open = _year_open(period) if per == "year" else _term_open(period, period.term.name)
        item["status"] = status(item["met"], still_open)
    if kind == ActivityKind.ALLIANCE_MEETING:
        counts = {}
        for term in terms:
            for key, value in (meeting or {}).get((school_id, term), {}).items():
                counts[key] = counts.get(key, 0) + value
        item["attendees"] = _attendees(counts)
    return item


def _by_school(mapping):
    """{(school_id, ...): value} → {school_id: {(school_id, ...): value}}: each school's grouped rows."""
    grouped = {}
    for key, value in mapping.items():
        grouped.setdefault(key[0], {})[key] = value
    return grouped


def _school_row(school, period, coverage, activity, bookings, feedback, meeting):
    """One school's line of the drill-down; ``activity``, ``feedback`` and ``meeting`` are that school's grouped
    rows. ``activities`` is keyed by rule (the activity kind, or ``guidance_year``)."""
    rules = {
        key: _school_rule(activity, school.id, period, kind, required, per, meeting)
        for key, kind, required, per in RULES
    }
    activities = {}
    for (key, r), (_key, kind, required, per) in zip(rules.items(), RULES, strict=True):
        activities[key] = {
            "held": r["held"],
            "required": required,
            "per": per,
            "met": r["met"],
            "status": r["status"],
            "activity_kind": kind.value,
            "label": _rule_label(key, kind),
        }
        if "attendees" in r:
            activities[key]["attendees"] = r["attendees"]
    return {
        "id": school.id,
        "name": school.name,
        "alliance_id": school.alliance_id,
        "coverage": _coverage(*coverage),
        "activities": activities,
        "rules": len(rules),
        "rules_met": sum(1 for r in rules.values() if r["met"]),
        "rules_in_progress": sum(1 for r in rules.values() if r["status"] == IN_PROGRESS),
        "attendance": _attendance(activity, period),
        "bookings": _booking_totals([bookings or dict.fromkeys(BOOKING_KEYS, 0)]),
        "feedback": _feedback_totals(feedback),
    }


def _rule_label(key, kind):
    return RULE_LABELS.get(key, ACTIVITY_LABELS[kind])


def _activity_items(activity, meeting, period, school_ids):
    """Each policy rule over the scope: sessions held, schools meeting it, attendance; then the other kinds."""
    items = []
    by_school = _by_school(meeting)
    for key, kind, required, per in RULES:
        per_school = [
            _school_rule(activity, sid, period, kind, required, per, by_school.get(sid)) for sid in school_ids
        ]
        attended = sum(r["attended"] for r in per_school)
        expected = sum(r["expected"] for r in per_school)
        item = {
            "rule": key,
            "source": RULE_SOURCES[key],
            "activity_kind": kind.value,
            "label": _rule_label(key, kind),
            "required": required,
            "per": per,
            "held": sum(r["held"] for r in per_school),
            "schools": len(school_ids),
            "schools_met": sum(1 for r in per_school if r["met"]),
            "schools_in_progress": sum(1 for r in per_school if r["status"] == IN_PROGRESS),
            "attended": attended,
            "expected": expected,
            "attendance_rate": rate(attended, expected),
        }
        if kind == ActivityKind.ALLIANCE_MEETING:
            item["attendees"] = {k: sum(r["attendees"][k] for r in per_school) for k in _attendees({})}
        if len(school_ids) == 1:
            item["met"], item["status"] = per_school[0]["met"], per_school[0]["status"]
            if "terms" in per_school[0]:
                item["terms"] = {t: {**v, "label": TERM_LABELS[t]} for t, v in per_school[0]["terms"].items()}
        items.append(item)
    ruled = {kind for _key, kind, _r, _p in RULES}
    for kind in ActivityKind:
        if kind in ruled or kind == ActivityKind.ALLIANCE_MEETING:
            continue
        totals = [0, 0, 0, 0]
        for sid in school_ids:
            for i, value in enumerate(_held(activity, sid, kind, _terms_counted(period, "term"))):
                totals[i] += value
        items.append(
            {
                "rule": None,
                "source": None,
                "activity_kind": kind.value,
                "label": ACTIVITY_LABELS[kind],
                "required": None,
                "per": None,
                "held": totals[0],
                "schools": len(school_ids),
                "schools_met": None,
                "schools_in_progress": None,
                "attended": totals[1],
                "expected": totals[2],
                "attendance_rate": rate(totals[1], totals[2]),
            }
        )
    return items


def _attendance(activity, period):
    """课程出勤率 of the grouped rows given, over the period's held sessions (all activity kinds): ``sessions``
    held, of which ``sessions_with_enrolment`` had enrolments; the rate (attended / expected) counts only those
    (a session nobody enrolled in has no attendance to rate)."""
    terms = _terms_counted(period, "term")
    attended = expected = sessions = enrolled = 0
    for (_sid, _kind, term), (held, att, exp, with_enrolment) in activity.items():
        if term in terms:
            sessions, attended, expected = sessions + held, attended + att, expected + exp
            enrolled += with_enrolment
    return {
        "sessions": sessions,
        "sessions_with_enrolment": enrolled,
        "attended": attended,
        "expected": expected,
        "rate": rate(attended, expected),
    }


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
