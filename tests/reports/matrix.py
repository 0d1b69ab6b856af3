"""Permission-matrix rows of the evaluation reports and of the class move (调班).

Reports: a school's to its school admins and the administrators above it (alliance, region); an alliance's to
its admins and the region admins above; a region's to its region admins. Everyone else: 404.
"""

from tests.matrix_support import expect

API = "/api/v1"

_SCHOOL = {"school_admin": 200, "alliance_admin": 200, "region_admin": 200}
_ALLIANCE = {"alliance_admin": 200, "region_admin": 200}
_REGION = {"region_admin": 200}

ENDPOINTS = [
    ("report_school", "GET", lambda w: f"{API}/reports/schools/{w.school.id}", None, expect(404, **_SCHOOL)),
    ("report_school_csv", "GET", lambda w: f"{API}/reports/schools/{w.school.id}/export", None,
     expect(404, **_SCHOOL)),
    ("report_alliance", "GET", lambda w: f"{API}/reports/alliances/{w.alliance.id}", None,
     expect(404, **_ALLIANCE)),
    ("report_alliance_csv", "GET", lambda w: f"{API}/reports/alliances/{w.alliance.id}/export", None,
     expect(404, **_ALLIANCE)),
    ("report_region", "GET", lambda w: f"{API}/reports/regions/{w.county.id}", None, expect(404, **_REGION)),
    ("report_region_csv", "GET", lambda w: f"{API}/reports/regions/{w.county.id}/export", None,
     expect(404, **_REGION)),
]
