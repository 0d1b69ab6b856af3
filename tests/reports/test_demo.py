"""The demo county's evaluation has real numbers: coverage, activities, bookings, feedback, a class move."""

import pytest
import sqlalchemy as sa

from jlt_family.devtools.demo import seed_demo
from jlt_family.organizations.models import Region
from jlt_family.organizations.placements import StudentClassPlacement
from jlt_family.reports import service
from jlt_family.reports.periods import resolve_period
from tests.clock import MID_TERM


# A day well into a term: on the first day of a school year the demo has no visit of the new year yet.
@pytest.mark.time_machine(MID_TERM)
def test_demo_county_report_is_not_empty(db):
    seed_demo()
    db.session.commit()
    county = db.session.scalar(sa.select(Region).where(Region.code == "152201"))
    report = service.region_report(county, resolve_period(county))
    assert report["coverage"]["students"] > 0 and 0 < report["coverage"]["visited"] < report["coverage"]["students"]
    assert any(item["held"] for item in report["activities"])
    assert report["attendance"]["expected"] > 0
    assert report["bookings"]["free"] > 0 and report["bookings"]["discounted"] == 1
    assert report["bookings"]["no_show"] > 0
    assert report["feedback"]["venue_visits"]["count"] == 2
    assert report["alliances"][0]["coordination_meetings"]["met"] is True
    movers = db.session.scalars(
        sa.select(StudentClassPlacement.student_id)
        .group_by(StudentClassPlacement.student_id)
        .having(sa.func.count() > 1)
    ).all()
    assert len(movers) == 1
