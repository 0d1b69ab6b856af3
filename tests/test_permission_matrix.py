"""Every endpoint of the API called as every role of the ``world`` cast, and the status each must get.

Deny by default: a record outside the caller's scope answers 404 (ids cannot be probed); 403 only where the
caller may see the record but not do this. ``test_every_endpoint_is_in_the_matrix`` keeps the table complete:
a new endpoint fails it until its row is added here or in its domain's ``tests/<domain>/matrix.py``.
"""

import datetime as dt
import io

import pytest
import sqlalchemy as sa

from jlt_family.core.extensions import db
from jlt_family.core.timeutil import utcnow
from jlt_family.organizations.models import StaffMembership, StaffRole
from tests.alliances import matrix as alliances_matrix
from tests.catalogue import matrix as catalogue_matrix
from tests.courses import matrix as courses_matrix
from tests.dashboard import matrix as dashboard_matrix
from tests.matching import matrix as matching_matrix
from tests.matrix_support import ROLES, Form
from tests.matrix_support import expect as _expect
from tests.reminders import matrix as reminders_matrix
from tests.reports import matrix as reports_matrix
from tests.venues import matrix as venues_matrix
from tests.visits import matrix as visits_matrix


def _teacher_a_membership(world):
    from jlt_family.core.extensions import db

    return db.session.scalar(
        sa.select(StaffMembership.id).where(
            StaffMembership.user_id == world.teacher_a.id, StaffMembership.role == StaffRole.TEACHER
        )
    )


# (name, method, path(world), json(world) or None, expected statuses)
ENDPOINTS = [
    ("regions", "GET", lambda w: "/api/v1/regions", None, _expect(200)),
    ("region", "GET", lambda w: f"/api/v1/regions/{w.county.id}", None, _expect(200)),
    ("alliances", "GET", lambda w: "/api/v1/alliances", None, _expect(200)),
    ("alliance", "GET", lambda w: f"/api/v1/alliances/{w.alliance.id}", None, _expect(200)),
    (
        "reminder_policy",
        "PATCH",
        lambda w: f"/api/v1/alliances/{w.alliance.id}/reminder-policy",
        lambda w: {"lead_minutes": [60]},
        _expect(403, alliance_admin=200),
    ),
    ("schools", "GET", lambda w: "/api/v1/schools", None, _expect(200)),
    ("school", "GET", lambda w: f"/api/v1/schools/{w.school.id}", None, _expect(200)),
    ("calendar", "GET", lambda w: f"/api/v1/schools/{w.school.id}/calendar", None, _expect(200)),
    ("units", "GET", lambda w: "/api/v1/resource-units", None, _expect(200)),
    ("unit", "GET", lambda w: f"/api/v1/resource-units/{w.venue.id}", None, _expect(200)),
    (
        "classes",
        "GET",
        lambda w: f"/api/v1/schools/{w.school.id}/classes",
        None,
        _expect(
            404, teacher_a=200, teacher_b=200, teacher_c=200, school_admin=200, alliance_admin=200, region_admin=200
        ),
    ),
    (
        "class",
        "GET",
        lambda w: f"/api/v1/classes/{w.class_a.id}",
        None,
        _expect(404, teacher_a=200, teacher_b=200, school_admin=200, alliance_admin=200, region_admin=200),
    ),
    (
        "invite_code",
        "POST",
        lambda w: f"/api/v1/classes/{w.class_a.id}/invite-code",
        None,
        _expect(404, teacher_a=200, teacher_b=403, school_admin=200, alliance_admin=403, region_admin=403),
    ),
    (
        "homeroom",
        "PUT",
        lambda w: f"/api/v1/classes/{w.class_a.id}/homeroom-teacher",
        lambda w: {"user_id": w.teacher_b.id},
        _expect(404, teacher_a=403, teacher_b=403, school_admin=200, alliance_admin=403, region_admin=403),
    ),
    (
        "add_teacher",
        "POST",
        lambda w: f"/api/v1/classes/{w.class_b.id}/teachers",
        lambda w: {"user_id": w.teacher_a.id, "subject": "体育"},
        _expect(404, teacher_b=403, school_admin=201, alliance_admin=403, region_admin=403),
    ),
    (
        "remove_teacher",
        "DELETE",
        lambda w: f"/api/v1/classes/{w.class_a.id}/teachers/{w.teacher_b.id}",
        None,
        _expect(404, teacher_a=403, teacher_b=403, school_admin=204, alliance_admin=403, region_admin=403),
    ),
    (
        "roster",
        "GET",
        lambda w: f"/api/v1/classes/{w.class_a.id}/students",
        None,
        _expect(404, teacher_a=200, teacher_b=200, school_admin=200, alliance_admin=403, region_admin=403),
    ),
    (
        "grant",
        "POST",
        lambda w: "/api/v1/staff-memberships",
        lambda w: {"user_id": w.stranger.id, "role": "teacher", "scope_id": w.school.id},
        _expect(404, school_admin=201, region_admin=201),
    ),
    (
        "memberships",
        "GET",
        lambda w: f"/api/v1/staff-memberships?school_id={w.school.id}",
        None,
        _expect(404, school_admin=200, alliance_admin=200, region_admin=200),
    ),
    (
        "revoke",
        "DELETE",
        lambda w: f"/api/v1/staff-memberships/{_teacher_a_membership(w)}",
        None,
        _expect(404, school_admin=200, region_admin=200),
    ),
    (
        "invite",
        "POST",
        lambda w: "/api/v1/staff-invites",
        lambda w: {"role": "school_admin", "scope_id": w.school.id},
        _expect(404, school_admin=201, alliance_admin=201, region_admin=201),
    ),
    (
        "invites",
        "GET",
        lambda w: f"/api/v1/staff-invites?school_id={w.school.id}",
        None,
        _expect(404, school_admin=200, alliance_admin=200, region_admin=200),
    ),
    ("redeem", "POST", lambda w: "/api/v1/staff-invites/redeem", lambda w: {"code": "ABCDEFGHJK"}, _expect(404)),
]


def _staff_invite(w):
    from jlt_family.organizations.models import StaffInvite, StaffRole

    invite = StaffInvite(
        code="MATRIX2345",
        role=StaffRole.TEACHER,
        school_id=w.school.id,
        created_by_id=w.school_admin.id,
        expires_at=utcnow() + dt.timedelta(days=7),
    )
    db.session.add(invite)
    db.session.flush()
    return invite.id


def _roster_file(w):
    content = "学年,年级,班级,学号,姓名,性别\n2026,3,三年级9班,R2026001,钱小多,男\n".encode()
    return Form(file=(io.BytesIO(content), "roster.csv"))


ENDPOINTS += [
    (
        "revoke_staff_invite",
        "DELETE",
        lambda w: f"/api/v1/staff-invites/{_staff_invite(w)}",
        None,
        _expect(404, school_admin=200, region_admin=200),
    ),
    (
        "roster_import",
        "POST",
        lambda w: f"/api/v1/schools/{w.school.id}/roster-import",
        _roster_file,
        _expect(
            404, teacher_a=403, teacher_b=403, teacher_c=403, school_admin=200, alliance_admin=403, region_admin=403
        ),
    ),
]

# Sign-in and the caller's own profile: public sign-in, everything else for any signed-in user.
ENDPOINTS += [
    (
        "dev_login",
        "POST",
        lambda w: "/api/v1/auth/dev-login",
        lambda w: {"openid": "matrix-user"},
        dict.fromkeys(ROLES, 200),
    ),
    (
        "wechat_login",
        "POST",
        lambda w: "/api/v1/auth/wechat-login",
        lambda w: {"code": "any"},
        dict.fromkeys(ROLES, 409),
    ),  # development mode: WeChat is not configured
    ("logout", "POST", lambda w: "/api/v1/auth/logout", None, _expect(204)),
    ("me", "GET", lambda w: "/api/v1/me", None, _expect(200)),
    ("update_me", "PATCH", lambda w: "/api/v1/me", lambda w: {"nickname": "新昵称"}, _expect(200)),
    ("bind_phone", "POST", lambda w: "/api/v1/me/phone", lambda w: {"code": "phone-code"}, _expect(409)),
    ("unbind_phone", "DELETE", lambda w: "/api/v1/me/phone", None, _expect(200)),
    (
        "audit_log",
        "GET",
        lambda w: f"/api/v1/schools/{w.school.id}/audit-log",
        None,
        _expect(404, school_admin=200, region_admin=200),
    ),
    (
        "region_audit_log",
        "GET",
        lambda w: f"/api/v1/regions/{w.county.id}/audit-log",
        None,
        _expect(404, region_admin=200),
    ),
]


def _unbound_child(w):
    return w.make.student(w.class_a, name="赵小刚")


def _binding_body(w):
    child = _unbound_child(w)
    return {
        "invite_code": w.class_a.invite_code,
        "student_name": child.name,
        "student_no": child.student_no,
        "relation": "mother",
        "guardian_name": "赵妈妈",
    }


def _stranger_request(w):
    return w.make.binding_request(w.stranger, _unbound_child(w)).id


def _family_a_invite(w):
    return w.make.family_invite(w.family_a, w.guardian_a)


def _entrustment(w):
    return w.make.care_entrustment(w.child_a, w.guardian_a).id


_GUARDIANS = {"guardian_a": 200, "guardian_b": 200}
_CHILD_A_STAFF = {"teacher_a": 200, "school_admin": 200}

# Families: a guardian's own family; child_a is visible to its guardians, its class's teachers and its leaders.
ENDPOINTS += [
    ("family", "GET", lambda w: "/api/v1/family", None, _expect(404, **_GUARDIANS)),
    (
        "update_family",
        "PATCH",
        lambda w: "/api/v1/family",
        lambda w: {"home_address": "新家1号"},
        _expect(404, **_GUARDIANS),
    ),
    (
        "leave_family",
        "DELETE",
        lambda w: "/api/v1/family/guardians/me",
        None,
        _expect(404, guardian_a=409, guardian_b=409),
    ),  # the last guardian of a child may not leave
    (
        "create_family_invite",
        "POST",
        lambda w: "/api/v1/family/invites",
        None,
        _expect(404, guardian_a=201, guardian_b=201),
    ),
    ("family_invites", "GET", lambda w: "/api/v1/family/invites", None, _expect(404, **_GUARDIANS)),
    (
        "revoke_family_invite",
        "DELETE",
        lambda w: f"/api/v1/family/invites/{_family_a_invite(w).id}",
        None,
        _expect(404, guardian_a=204),
    ),
    (
        "redeem_family_invite",
        "POST",
        lambda w: "/api/v1/family/invites/redeem",
        lambda w: {"code": _family_a_invite(w).code, "relation": "father", "name": "新家长"},
        _expect(201, guardian_a=409, guardian_b=409),
    ),  # anyone not yet in a family may join by invite
    (
        "create_binding_request",
        "POST",
        lambda w: "/api/v1/binding-requests",
        _binding_body,
        _expect(201),
    ),  # anyone may ask; the homeroom teacher decides
    ("binding_requests", "GET", lambda w: "/api/v1/binding-requests", None, _expect(200)),
    (
        "cancel_binding_request",
        "DELETE",
        lambda w: f"/api/v1/binding-requests/{_stranger_request(w)}",
        None,
        _expect(404, stranger=200),
    ),
    (
        "class_binding_requests",
        "GET",
        lambda w: f"/api/v1/classes/{w.class_a.id}/binding-requests",
        None,
        _expect(404, **_CHILD_A_STAFF),
    ),
    (
        "approve_binding_request",
        "POST",
        lambda w: f"/api/v1/binding-requests/{_stranger_request(w)}/approve",
        None,
        _expect(404, stranger=403, **_CHILD_A_STAFF),
    ),
    (
        "reject_binding_request",
        "POST",
        lambda w: f"/api/v1/binding-requests/{_stranger_request(w)}/reject",
        lambda w: {"reason": "信息不符"},
        _expect(404, stranger=403, **_CHILD_A_STAFF),
    ),
    (
        "child",
        "GET",
        lambda w: f"/api/v1/children/{w.child_a.id}",
        None,
        _expect(404, guardian_a=200, teacher_b=200, **_CHILD_A_STAFF),
    ),
    (
        "child_flags",
        "PATCH",
        lambda w: f"/api/v1/children/{w.child_a.id}/flags",
        lambda w: {"left_behind": True, "migrant": False, "in_difficulty": False, "disabled": False},
        _expect(404, guardian_a=403, teacher_b=403, **_CHILD_A_STAFF),
    ),
    (
        "file_entrustment",
        "POST",
        lambda w: f"/api/v1/children/{w.child_a.id}/care-entrustments",
        lambda w: {
            "caretaker_name": "张奶奶",
            "caretaker_relation": "祖母",
            "caretaker_phone": "13900000009",
            "starts_on": "2026-09-01",
        },
        _expect(404, guardian_a=201, teacher_a=403, teacher_b=403, school_admin=403),
    ),
    (
        "entrustments",
        "GET",
        lambda w: f"/api/v1/children/{w.child_a.id}/care-entrustments",
        None,
        _expect(404, guardian_a=200, teacher_b=403, **_CHILD_A_STAFF),
    ),
    (
        "acknowledge_entrustment",
        "POST",
        lambda w: f"/api/v1/care-entrustments/{_entrustment(w)}/acknowledge",
        None,
        _expect(404, guardian_a=403, teacher_b=403, **_CHILD_A_STAFF),
    ),
    (
        "withdraw_entrustment",
        "POST",
        lambda w: f"/api/v1/care-entrustments/{_entrustment(w)}/withdraw",
        None,
        _expect(404, guardian_a=200, teacher_a=403, teacher_b=403, school_admin=403),
    ),
]

for _domain in (
    courses_matrix,
    visits_matrix,
    venues_matrix,
    reminders_matrix,
    matching_matrix,
    catalogue_matrix,
    alliances_matrix,
    reports_matrix,
    dashboard_matrix,
):
    ENDPOINTS += _domain.ENDPOINTS

CASES = [
    pytest.param(method, path, body, role, expected[role], id=f"{name}-{role}")
    for name, method, path, body, expected in ENDPOINTS
    for role in ROLES
]


@pytest.mark.parametrize(("method", "path", "body", "role", "status"), CASES)
def test_endpoint_answers_each_role(call, world, method, path, body, role, status):
    user = None if role == "anonymous" else getattr(world, role)
    payload = body(world) if body else None
    if isinstance(payload, Form):
        kwargs = {"data": dict(payload), "content_type": "multipart/form-data"}
    else:
        kwargs = {"json": payload} if payload is not None else {}
    url = path(world)
    response = call(method, url, user, **kwargs)
    assert response.status_code == status, response.get_json()
    if status >= 400 and not url.startswith("/dashboard/"):  # the dashboard's pages answer in HTML
        assert response.json["code"] and response.json["message"]


# Routes outside the matrix: documentation and the static files of Swagger UI.
UNGUARDED = {"api-docs.openapi_json", "api-docs.openapi_swagger_ui", "swagger_assets", "healthz", "readyz", "static"}


def test_every_endpoint_is_in_the_matrix(app, make, world):
    adapter = app.url_map.bind("localhost")
    covered = set()
    for _name, method, path, _body, _expected in ENDPOINTS:
        endpoint, _ = adapter.match(path(world).split("?")[0], method=method)
        covered.add((endpoint, method))
    every = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
        if rule.endpoint not in UNGUARDED
    }
    assert every - covered == set()
