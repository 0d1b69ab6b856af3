"""评估规则: the policy numbers each report measures (政策要求), and how one school, or the schools of a scope
together, stand against them: activities held per term or school year, coverage rates, attendance, bookings and
feedback totals, from the grouped rows of ``queries``."""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from jlt_family.courses.meetings import ATTENDEE_KINDS
from jlt_family.courses.models import ACTIVITY_LABELS, ActivityKind
from jlt_family.courses.reports import TERM_REQUIREMENTS, YEAR_REQUIREMENTS
from jlt_family.organizations.calendar import AUTUMN, SPRING, TERM_LABELS
from jlt_family.reports.periods import Period

Json = dict[str, Any]
# grouped rows of ``queries``: {(school_id, kind, term): (held, attended, expected, with_enrolment)}, {(school_id,
# term): {attendee kind: count}}, {(school_id, source): (count, rating sum)}
Activity = Mapping[tuple[int, ActivityKind, str], tuple[int, int, int, int]]
Meeting = Mapping[tuple[int, str], Mapping[str, int]]
Feedback = Mapping[tuple[int, str], tuple[int, int]]

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


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def status(met: bool | None, still_open: bool) -> str | None:
    """The tri-state of a rule: ``met`` (reached so far), and whether its term or school year still runs."""
    if met is None:
        return None
    return MET if met else (IN_PROGRESS if still_open else NOT_MET)


def coverage_item(students: int, visited: int) -> Json:
    value = rate(visited, students)
    return {
        "students": students,
        "visited": visited,
        "rate": value,
        "required_rate": COVERAGE_REQUIRED,
        "met": None if value is None else value >= COVERAGE_REQUIRED,
    }


def year_open(period: Period) -> bool:
    return period.today <= period.school_year.ends_on


def attendees_of(counts: Mapping[str, int]) -> dict[str, int]:
    """Representatives who attended coordination meetings, by kind, and the meetings all three kinds attended."""
    return {key: counts.get(key, 0) for key in (*ATTENDEE_KINDS, "meetings_with_all_kinds")}


def school_meeting_counts(schools: Sequence[Json]) -> dict[str, int]:
    rules = [s["activities"][ActivityKind.ALLIANCE_MEETING.value] for s in schools]
    return {
        "schools": len(rules),
        "schools_met": sum(1 for r in rules if r["met"]),
        "schools_in_progress": sum(1 for r in rules if r["status"] == IN_PROGRESS),
    }


def terms_counted(period: Period, rule: str) -> tuple[str, ...]:
    """Which term buckets an item counts: its own term (term rules in a term report), the school year so far
    (year rules: every term up to the reported one), or both terms (a year report)."""
    if period.term is None:
        return (AUTUMN, SPRING)
    if rule == "term":
        return (period.term.name,)
    return (AUTUMN,) if period.term.name == AUTUMN else (AUTUMN, SPRING)


def held_of(activity: Activity, school_id: int, kind: ActivityKind, terms: Iterable[str]) -> list[int]:
    """(held, attended, expected, sessions with enrolments) of one school and kind over the terms given."""
    totals = [0, 0, 0, 0]
    for term in terms:
        for i, value in enumerate(activity.get((school_id, kind, term), (0, 0, 0, 0))):
            totals[i] += value
    return totals


def term_open(period: Period, name: str) -> bool:
    term = next(t for t in period.terms if t.name == name)
    return period.today <= term.ends_on


def school_rule(
    activity: Activity,
    school_id: int,
    period: Period,
    kind: ActivityKind,
    required: int,
    per: str,
    meeting: Meeting | None = None,
) -> Json:
    """One school against one rule: held (over the counted terms), met and status; per term in a year report;
    the coordination meetings with who attended (``meeting``: that school's grouped attendee rows)."""
    terms = terms_counted(period, per)
    held, attended, expected, _enrolled = held_of(activity, school_id, kind, terms)
    item: Json = {"held": held, "attended": attended, "expected": expected}
    if per == "term" and period.term is None:
        by_term = {t: held_of(activity, school_id, kind, (t,))[0] for t in (AUTUMN, SPRING)}
        item["terms"] = {
            t: {"held": n, "met": n >= required, "status": status(n >= required, term_open(period, t))}
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
        # a term rule here is one of a term report: ``period.term`` is set
        still_open = year_open(period) if per == "year" or period.term is None else term_open(period, period.term.name)
        item["status"] = status(item["met"], still_open)
    if kind == ActivityKind.ALLIANCE_MEETING:
        counts: dict[str, int] = {}
        for term in terms:
            for key, value in (meeting or {}).get((school_id, term), {}).items():
                counts[key] = counts.get(key, 0) + value
        item["attendees"] = attendees_of(counts)
    return item


def group_by_school(mapping: Mapping[tuple[Any, ...], Any]) -> dict[int, dict[tuple[Any, ...], Any]]:
    """{(school_id, ...): value} → {school_id: {(school_id, ...): value}}: each school's grouped rows."""
    grouped: dict[int, dict[tuple[Any, ...], Any]] = {}
    for key, value in mapping.items():
        grouped.setdefault(key[0], {})[key] = value
    return grouped


def school_row(
    school: sa.Row[int, str, int | None],
    period: Period,
    coverage: tuple[int, int],
    activity: Activity,
    bookings: Mapping[str, int] | None,
    feedback: Feedback,
    meeting: Meeting,
) -> Json:
    """One school's line of the drill-down; ``activity``, ``feedback`` and ``meeting`` are that school's grouped
    rows. ``activities`` is keyed by rule (the activity kind, or ``guidance_year``)."""
    rules = {
        key: school_rule(activity, school.id, period, kind, required, per, meeting)
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
            "label": rule_label(key, kind),
        }
        if "attendees" in r:
            activities[key]["attendees"] = r["attendees"]
    return {
        "id": school.id,
        "name": school.name,
        "alliance_id": school.alliance_id,
        "coverage": coverage_item(*coverage),
        "activities": activities,
        "rules": len(rules),
        "rules_met": sum(1 for r in rules.values() if r["met"]),
        "rules_in_progress": sum(1 for r in rules.values() if r["status"] == IN_PROGRESS),
        "attendance": attendance_of(activity, period),
        "bookings": booking_totals([bookings or dict.fromkeys(BOOKING_KEYS, 0)]),
        "feedback": feedback_totals(feedback),
    }


def rule_label(key: str, kind: ActivityKind) -> str:
    return RULE_LABELS.get(key, ACTIVITY_LABELS[kind])


def activity_items(activity: Activity, meeting: Meeting, period: Period, school_ids: Sequence[int]) -> list[Json]:
    """Each policy rule over the scope: sessions held, schools meeting it, attendance; then the other kinds."""
    items = []
    by_school = group_by_school(meeting)
    for key, kind, required, per in RULES:
        per_school = [school_rule(activity, sid, period, kind, required, per, by_school.get(sid)) for sid in school_ids]
        attended = sum(r["attended"] for r in per_school)
        expected = sum(r["expected"] for r in per_school)
        item = {
            "rule": key,
            "source": RULE_SOURCES[key],
            "activity_kind": kind.value,
            "label": rule_label(key, kind),
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
            item["attendees"] = {k: sum(r["attendees"][k] for r in per_school) for k in attendees_of({})}
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
            for i, value in enumerate(held_of(activity, sid, kind, terms_counted(period, "term"))):
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


def attendance_of(activity: Activity, period: Period) -> Json:
    """课程出勤率 of the grouped rows given, over the period's held sessions (all activity kinds): ``sessions``
    held, of which ``sessions_with_enrolment`` had enrolments; the rate (attended / expected) counts only those
    (a session nobody enrolled in has no attendance to rate)."""
    terms = terms_counted(period, "term")
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


def booking_totals(rows: Iterable[Mapping[str, int]]) -> Json:
    totals = dict.fromkeys(BOOKING_KEYS, 0)
    for row in rows:
        for key in BOOKING_KEYS:
            totals[key] += row[key]
    decided = totals["checked_in"] + totals["no_show"]
    return {**totals, "no_show_rate": rate(totals["no_show"], decided)}


def feedback_totals(feedback: Feedback) -> Json:
    """Count and average rating per source of the grouped rows given."""
    result = {}
    for source in FEEDBACK_SOURCES:
        count = total = 0
        for (_sid, src), (n, rating_sum) in feedback.items():
            if src == source:
                count, total = count + n, total + rating_sum
        result[source] = {"count": count, "average": round(total / count, 2) if count else None}
    return result
