"""Two organisers recording who attended one coordination meeting at the same moment: one row, no 500."""

import pytest
import sqlalchemy as sa

from jlt_family.courses.meetings import MeetingAttendance
from jlt_family.courses.models import ActivityKind
from jlt_family.organizations.models import StaffRole
from tests.races import race
from tests.reports import scenario

pytestmark = pytest.mark.mysql


def test_simultaneous_records_of_one_meeting_leave_one_row(app, make, db):
    county = scenario.build(make)
    meeting = scenario.session(
        make, scenario.course(make, county.school, kind=ActivityKind.ALLIANCE_MEETING), scenario.at(2025, 11, 5, 15)
    )
    admins = []
    for _ in range(8):
        admin = make.user()
        make.grant(admin, StaffRole.SCHOOL_ADMIN, county.school)
        admins.append(admin)
    make.db.session.commit()
    url = f"/api/v1/course-sessions/{meeting.id}/meeting-attendance"
    calls = [
        (make.login(admin), "PUT", url, {"families": n, "community": 1, "resource_units": 1})
        for n, admin in enumerate(admins, start=1)
    ]
    results = race(app, calls)
    assert results == [(200, None)] * len(calls), results
    rows = db.session.scalars(sa.select(MeetingAttendance).where(MeetingAttendance.session_id == meeting.id)).all()
    assert len(rows) == 1 and rows[0].families in range(1, len(calls) + 1)
