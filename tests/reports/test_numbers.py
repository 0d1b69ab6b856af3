"""Every number of the evaluation reports against the hand-counted county of scenario.py."""

import datetime as dt

import pytest

from jlt_family.reports import service
from jlt_family.reports.periods import resolve_period
from jlt_family.venues.models import Channel
from tests.reports import scenario


@pytest.fixture
def county(make):
    return scenario.build(make)


def _period(county, term):
    return resolve_period(county.county, scenario.YEAR, term)


def _item(report, kind):
    return next(i for i in report["activities"] if i["activity_kind"] == kind)


def test_school_coverage_per_class_autumn(county):
    report = service.school_report(county.school, _period(county, "autumn"))
    assert report["period"]["reference_date"].isoformat() == "2026-01-31"
    classes = {c["name"]: (c["students"], c["visited"]) for c in report["classes"]}
    # the mover s3 counts in 2班 (its class at the term's end) with its October visit made in 1班;
    # s4 (left in March) is still on the autumn roster; s2's spring visit is not counted yet.
    assert classes == {"三年级1班": (3, 2), "三年级2班": (3, 1)}
    assert (report["coverage"]["students"], report["coverage"]["visited"]) == (6, 3)
    assert report["coverage"]["rate"] == 0.5 and report["coverage"]["met"] is False


def test_school_coverage_per_class_year(county):
    report = service.school_report(county.school, _period(county, "year"))
    classes = {c["name"]: (c["students"], c["visited"], c["rate"]) for c in report["classes"]}
    # s4 left before the year's end: not counted; s5's visit of last year and cancelled visit do not count;
    # s6, promoted to next year's class on 25 Aug, counts in its last class of this year (2班).
    assert classes == {"三年级1班": (2, 2, 1.0), "三年级2班": (3, 1, 0.3333)}
    assert (report["coverage"]["students"], report["coverage"]["visited"]) == (5, 3)


def test_school_activities_autumn(county):
    report = service.school_report(county.school, _period(county, "autumn"))
    held = {i["activity_kind"]: (i["held"], i["required"], i["met"]) for i in report["activities"][:4]}
    assert held == {
        "guidance": (2, 2, True),
        "evening_class": (5, 5, True),
        "parent_assembly": (1, 1, True),
        "parent_meeting": (1, 2, False),
    }  # a cancelled guidance session does not count
    guidance = _item(report, "guidance")
    assert (guidance["attended"], guidance["expected"], guidance["attendance_rate"]) == (3, 4, 0.75)
    # 9 sessions held, 2 of them with enrolments (the rate is over those)
    assert report["attendance"] == {
        "sessions": 9,
        "sessions_with_enrolment": 2,
        "attended": 3,
        "expected": 5,
        "rate": 0.6,
    }


def test_school_activities_spring_count_parent_meetings_over_the_year(county):
    report = service.school_report(county.school, _period(county, "spring"))
    held = {i["activity_kind"]: (i["held"], i["met"]) for i in report["activities"][:4]}
    assert held == {
        "guidance": (1, False),
        "evening_class": (0, False),
        "parent_assembly": (1, True),
        "parent_meeting": (2, True),
    }


def test_school_activities_year_need_every_term(county):
    report = service.school_report(county.school, _period(county, "year"))
    guidance = _item(report, "guidance")
    assert guidance["held"] == 3 and guidance["met"] is False
    assert {t: v["held"] for t, v in guidance["terms"].items()} == {"autumn": 2, "spring": 1}
    assert _item(report, "parent_assembly")["met"] is True
    assert (_item(report, "parent_meeting")["held"], _item(report, "parent_meeting")["met"]) == (2, True)


def test_school_bookings_and_feedback_autumn(county):
    report = service.school_report(county.school, _period(county, "autumn"))
    assert report["bookings"] == {
        "total": 3,
        "green": 2,
        "general": 1,
        "family": 2,
        "group": 1,
        "free": 2,
        "discounted": 1,
        "checked_in": 1,
        "no_show": 1,
        "visitors": 3,
        "no_show_rate": 0.5,
    }
    assert report["feedback"] == {
        "courses": {"count": 2, "average": 4.0},
        "home_visits": {"count": 1, "average": 4.0},
        "venue_visits": {"count": 1, "average": 5.0},
    }


def test_spring_has_no_autumn_bookings_or_feedback(county):
    report = service.school_report(county.school, _period(county, "spring"))
    assert report["bookings"]["total"] == 0 and report["bookings"]["no_show_rate"] is None
    assert report["feedback"]["venue_visits"] == {"count": 0, "average": None}


def test_alliance_report(county):
    report = service.alliance_report(county.alliance, _period(county, "autumn"))
    schools = {s["name"]: s for s in report["schools"]}
    assert set(schools) == {"评估一小", "评估二小"}
    # 二小: s7 and s10 (held on 30 Jan though agreed for February) visited, s8 not
    assert (schools["评估二小"]["coverage"]["students"], schools["评估二小"]["coverage"]["visited"]) == (3, 2)
    assert schools["评估二小"]["activities"]["guidance"]["held"] == 1  # its own session, not 评估一小's
    assert (report["coverage"]["students"], report["coverage"]["visited"]) == (9, 5)
    guidance = _item(report, "guidance")
    assert (guidance["held"], guidance["schools"], guidance["schools_met"]) == (3, 2, 1)
    assert report["coordination_meetings"] == {
        "required": 1,
        "per": "year",
        "held": 1,
        "met": True,
        "status": "met",
        "attendees": {"families": 0, "community": 0, "resource_units": 0, "meetings_with_all_kinds": 0},
        # 001 §二(二)1 asks each school for one: neither school ran its own (the one held is the alliance's)
        "schools": 2,
        "schools_met": 0,
        "schools_in_progress": 0,
    }
    assert report["bookings"]["total"] == 4 and report["bookings"]["checked_in"] == 2


def test_region_report_includes_regions_below_and_no_other_county(county):
    report = service.region_report(county.county, _period(county, "autumn"))
    assert [s["name"] for s in report["schools"]] == ["评估一小", "评估二小", "评估三小"]  # 二小 is in 评估镇
    assert (report["coverage"]["students"], report["coverage"]["visited"]) == (9, 5)  # not the far county's
    assert [(a["name"], a["schools"], a["coordination_meetings"]["met"]) for a in report["alliances"]] == [
        ("评估教联体", 2, True)
    ]
    assert report["coordination_meetings"]["alliances_met"] == 1
    assert _item(report, "guidance")["schools_met"] == 1 and _item(report, "guidance")["schools"] == 3


def test_current_period_by_default(county):
    period = resolve_period(county.county)
    assert period.school_year.start_year in (2026, 2027) and period.term is not None


def test_alliances_never_approved_are_not_counted_in_the_region(county, make, db):
    """A draft, submitted or returned application is no alliance yet: it is not one of the county's alliances
    failing the coordination-meeting rule. A suspended one existed in the year and still counts."""
    from jlt_family.alliances.models import AllianceStatus

    for status in (AllianceStatus.DRAFT, AllianceStatus.SUBMITTED, AllianceStatus.RETURNED):
        make.alliance(region=county.county, status=status, name=f"申报中{status.value}")
    make.alliance(region=county.county, status=AllianceStatus.SUSPENDED, name="已暂停教联体")
    db.session.commit()
    report = service.region_report(county.county, _period(county, "autumn"))
    assert [a["name"] for a in report["alliances"]] == ["评估教联体", "已暂停教联体"]
    assert (report["coordination_meetings"]["alliances"], report["coordination_meetings"]["alliances_met"]) == (2, 1)


def test_monthly_bookings_follow_shanghai_months_and_the_scope(county, make):
    # 00:30 on 1 November in Shanghai is still 31 October in UTC: it is a November booking
    scenario.booking(
        make,
        county.unit,
        county.school,
        scenario.at(scenario.YEAR, 11, 1, 0) + dt.timedelta(minutes=30),
        channel=Channel.GENERAL,
    )
    make.db.session.commit()
    autumn = resolve_period(county.county, 2025, "autumn")
    months = {m["month"]: m for m in service.monthly_bookings(county.school, autumn)}
    assert list(months)[0] == "2025-02" and list(months)[-1] == "2026-01" and len(months) == 12
    assert (months["2025-10"]["green"], months["2025-10"]["general"]) == (2, 1)  # the cancelled one not counted
    november = months["2025-11"]
    assert (november["green"], november["general"], november["label"]) == (0, 1, "2025年11月")
    assert sum(m["total"] for m in months.values()) == 4
    # the alliance has both schools (评估二小's October group visit too); the county the same
    alliance = {m["month"]: m["total"] for m in service.monthly_bookings(county.alliance, autumn)}
    region = {m["month"]: m["total"] for m in service.monthly_bookings(county.county, autumn)}
    assert alliance["2025-10"] == region["2025-10"] == 4 and alliance["2025-11"] == 1
