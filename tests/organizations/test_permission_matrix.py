"""Every organisation endpoint called as every role of the ``world`` cast; the expected status of each."""

import pytest
import sqlalchemy as sa

from jlt_family.organizations.models import StaffMembership, StaffRole

ROLES = ["anonymous", "guardian_a", "guardian_b", "teacher_a", "teacher_b", "venue_staff", "school_admin",
         "other_school_admin", "alliance_admin", "region_admin", "other_region_admin", "stranger"]


def _expect(default, **statuses):
    """Status per role: ``default`` for every signed-in role not named, 401 for anonymous."""
    return {role: statuses.get(role, default) for role in ROLES} | {"anonymous": 401}


def _teacher_a_membership(world):
    from jlt_family.core.extensions import db

    return db.session.scalar(sa.select(StaffMembership.id).where(StaffMembership.user_id == world.teacher_a.id,
                                                                 StaffMembership.role == StaffRole.TEACHER))


# (name, method, path(world), json(world) or None, expected statuses)
ENDPOINTS = [
    ("regions", "GET", lambda w: "/api/v1/regions", None, _expect(200)),
    ("region", "GET", lambda w: f"/api/v1/regions/{w.county.id}", None, _expect(200)),
    ("alliances", "GET", lambda w: "/api/v1/alliances", None, _expect(200)),
    ("alliance", "GET", lambda w: f"/api/v1/alliances/{w.alliance.id}", None, _expect(200)),
    ("reminder_policy", "PATCH", lambda w: f"/api/v1/alliances/{w.alliance.id}/reminder-policy",
     lambda w: {"lead_minutes": [60]}, _expect(403, alliance_admin=200)),
    ("schools", "GET", lambda w: "/api/v1/schools", None, _expect(200)),
    ("school", "GET", lambda w: f"/api/v1/schools/{w.school.id}", None, _expect(200)),
    ("calendar", "GET", lambda w: f"/api/v1/schools/{w.school.id}/calendar", None, _expect(200)),
    ("units", "GET", lambda w: "/api/v1/resource-units", None, _expect(200)),
    ("unit", "GET", lambda w: f"/api/v1/resource-units/{w.venue.id}", None, _expect(200)),
    ("classes", "GET", lambda w: f"/api/v1/schools/{w.school.id}/classes", None,
     _expect(404, teacher_a=200, teacher_b=200, school_admin=200, alliance_admin=200, region_admin=200)),
    ("class", "GET", lambda w: f"/api/v1/classes/{w.class_a.id}", None,
     _expect(404, teacher_a=200, teacher_b=200, school_admin=200, alliance_admin=200, region_admin=200)),
    ("invite_code", "POST", lambda w: f"/api/v1/classes/{w.class_a.id}/invite-code", None,
     _expect(404, teacher_a=200, teacher_b=403, school_admin=200, alliance_admin=403, region_admin=403)),
    ("homeroom", "PUT", lambda w: f"/api/v1/classes/{w.class_a.id}/homeroom-teacher",
     lambda w: {"user_id": w.teacher_b.id},
     _expect(404, teacher_a=403, teacher_b=403, school_admin=200, alliance_admin=403, region_admin=403)),
    ("add_teacher", "POST", lambda w: f"/api/v1/classes/{w.class_b.id}/teachers",
     lambda w: {"user_id": w.teacher_a.id, "subject": "体育"},
     _expect(404, teacher_b=403, school_admin=201, alliance_admin=403, region_admin=403)),
    ("remove_teacher", "DELETE", lambda w: f"/api/v1/classes/{w.class_a.id}/teachers/{w.teacher_b.id}", None,
     _expect(404, teacher_a=403, teacher_b=403, school_admin=204, alliance_admin=403, region_admin=403)),
    ("roster", "GET", lambda w: f"/api/v1/classes/{w.class_a.id}/students", None,
     _expect(404, teacher_a=200, teacher_b=200, school_admin=200, alliance_admin=403, region_admin=403)),
    ("grant", "POST", lambda w: "/api/v1/staff-memberships",
     lambda w: {"user_id": w.stranger.id, "role": "teacher", "scope_id": w.school.id},
     _expect(404, school_admin=201, region_admin=201)),
    ("memberships", "GET", lambda w: f"/api/v1/staff-memberships?school_id={w.school.id}", None,
     _expect(404, school_admin=200, alliance_admin=200, region_admin=200)),
    ("revoke", "DELETE", lambda w: f"/api/v1/staff-memberships/{_teacher_a_membership(w)}", None,
     _expect(404, school_admin=200, region_admin=200)),
    ("invite", "POST", lambda w: "/api/v1/staff-invites",
     lambda w: {"role": "school_admin", "scope_id": w.school.id},
     _expect(404, school_admin=201, alliance_admin=201, region_admin=201)),
    ("invites", "GET", lambda w: f"/api/v1/staff-invites?school_id={w.school.id}", None,
     _expect(404, school_admin=200, alliance_admin=200, region_admin=200)),
    ("redeem", "POST", lambda w: "/api/v1/staff-invites/redeem", lambda w: {"code": "ABCDEFGHJK"}, _expect(404)),
]

CASES = [
    pytest.param(method, path, body, role, expected[role], id=f"{name}-{role}")
    for name, method, path, body, expected in ENDPOINTS
    for role in ROLES
]


@pytest.mark.parametrize(("method", "path", "body", "role", "status"), CASES)
def test_endpoint_answers_each_role(call, world, method, path, body, role, status):
    user = None if role == "anonymous" else getattr(world, role)
    kwargs = {"json": body(world)} if body else {}
    response = call(method, path(world), user, **kwargs)
    assert response.status_code == status, response.get_json()
    if status >= 400:
        assert response.json["code"] and response.json["message"]
