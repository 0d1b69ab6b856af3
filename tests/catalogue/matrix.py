"""Permission-matrix rows of the catalogue and resource-unit management: (name, method, path(world), body(world) or
None, statuses per role). Collected by tests/test_permission_matrix.py.

The county's catalogue is seen by its people (guardians of its pupils, staff of its schools and units, its
alliance admins and bureau) and 404 for everyone else; exports are for the bureau and alliance admins (403 for the
other readers). Units: the bureau creates, edits, deactivates and reactivates; the unit's staff edit its profile.
"""

from jlt_family.core.extensions import db
from jlt_family.organizations.models import ResourceUnitKind
from tests.matrix_support import expect

API = "/api/v1"

_COUNTY_PEOPLE = dict.fromkeys(
    (
        "guardian_a",
        "guardian_b",
        "teacher_a",
        "teacher_b",
        "teacher_c",
        "venue_staff",
        "school_admin",
        "other_school_admin",
        "alliance_admin",
        "region_admin",
    ),
    200,
)


def _inactive_unit(w):
    """An inactive unit of the county serving the world's alliance: hidden from all but its administrators."""
    unit = w.make.resource_unit(
        region=w.county,
        alliances=[w.alliance],
        name="停用的少年宫",
        kind=ResourceUnitKind.YOUTH_PALACE,
        is_active=False,
    )
    db.session.commit()
    return unit.id


ENDPOINTS = [
    ("catalogue", "GET", lambda w: f"{API}/regions/{w.county.id}/catalogue", None, expect(404, **_COUNTY_PEOPLE)),
    (
        "catalogue_export",
        "GET",
        lambda w: f"{API}/regions/{w.county.id}/catalogue/export?format=csv",
        None,
        expect(404, **{**dict.fromkeys(_COUNTY_PEOPLE, 403), "alliance_admin": 200, "region_admin": 200}),
    ),
    (
        "create_unit",
        "POST",
        lambda w: f"{API}/regions/{w.county.id}/resource-units",
        lambda w: {"name": "矩阵图书馆", "kind": "library", "opening_info": "周二至周日 9:00–17:00"},
        expect(403, region_admin=201),
    ),  # regions are public: may see it, may not add to it
    (
        "update_unit",
        "PATCH",
        lambda w: f"{API}/resource-units/{w.venue.id}",
        lambda w: {"opening_info": "周六、周日 9:00–16:00"},
        expect(403, venue_staff=200, region_admin=200),
    ),
    (
        "deactivate_unit",
        "POST",
        lambda w: f"{API}/resource-units/{w.venue.id}/deactivate",
        lambda w: {"reason": "场馆改造"},
        expect(403, region_admin=200),
    ),
    (
        "reactivate_unit",
        "POST",
        lambda w: f"{API}/resource-units/{_inactive_unit(w)}/reactivate",
        None,
        expect(404, alliance_admin=403, region_admin=200),
    ),
    (
        "unit_changes",
        "GET",
        lambda w: f"{API}/resource-units/{w.venue.id}/changes",
        None,
        expect(404, venue_staff=200, region_admin=200),
    ),
]
