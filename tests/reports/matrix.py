"""Permission-matrix rows of the evaluation reports, the class move (调班) and venue feedback (场馆评价).

Reports: a school's to its school admins and the administrators above it (alliance, region); an alliance's to
its admins and the region admins above; a region's to its region admins. Everyone else: 404.
"""

import datetime as dt

from jlt_family.venues.models import BookingStatus
from tests.matrix_support import expect
from tests.venues.matrix import _booking

API = "/api/v1"

_SCHOOL = {"school_admin": 200, "alliance_admin": 200, "region_admin": 200}
_ALLIANCE = {"alliance_admin": 200, "region_admin": 200}
_REGION = {"region_admin": 200}


def _checked_in(w):
    return _booking(w, BookingStatus.CHECKED_IN, starts_in=-dt.timedelta(hours=3)).id


ENDPOINTS = [
    ("report_school", "GET", lambda w: f"{API}/reports/schools/{w.school.id}", None, expect(404, **_SCHOOL)),
    ("report_school_csv", "GET", lambda w: f"{API}/reports/schools/{w.school.id}/export", None, expect(404, **_SCHOOL)),
    ("report_alliance", "GET", lambda w: f"{API}/reports/alliances/{w.alliance.id}", None, expect(404, **_ALLIANCE)),
    (
        "report_alliance_csv",
        "GET",
        lambda w: f"{API}/reports/alliances/{w.alliance.id}/export",
        None,
        expect(404, **_ALLIANCE),
    ),
    ("report_region", "GET", lambda w: f"{API}/reports/regions/{w.county.id}", None, expect(404, **_REGION)),
    ("report_region_csv", "GET", lambda w: f"{API}/reports/regions/{w.county.id}/export", None, expect(404, **_REGION)),
    # 调班: the child's teachers and guardians see the child but may not move it (403); its school admin may.
    (
        "student_move",
        "POST",
        lambda w: f"{API}/students/{w.child_a.id}/move",
        lambda w: {"class_id": w.class_b.id},
        expect(404, guardian_a=403, teacher_a=403, teacher_b=403, school_admin=200),
    ),
    # 场馆评价: the family's guardian rates; the unit's staff see the booking but may not rate it.
    (
        "venue_feedback",
        "POST",
        lambda w: f"{API}/venue-bookings/{_checked_in(w)}/feedback",
        lambda w: {"rating": 5, "comment": "讲解很好"},
        expect(404, guardian_a=201, venue_staff=403),
    ),
    (
        "venue_feedback_list",
        "GET",
        lambda w: f"{API}/resource-units/{w.venue.id}/venue-feedback",
        None,
        expect(404, venue_staff=200, alliance_admin=200, region_admin=200),
    ),
]
