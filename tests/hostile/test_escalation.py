"""Role escalation attempts: granting oneself roles (directly, through an invite of one's own, or one's own
binding request), staff roles granted beyond the granter's scope, and every role a caller does not hold
tried on every grantable scope. Each is refused and nothing is written."""

import pytest
import sqlalchemy as sa

from jlt_family.organizations.models import StaffMembership, StaffRole

API = "/api/v1"
ROLES = [role.value for role in StaffRole]


def _memberships(db, user):
    db.session.rollback()
    return set(
        db.session.execute(
            sa.select(StaffMembership.role, StaffMembership.scope_key).where(StaffMembership.user_id == user.id)
        ).all()
    )


def _scopes(world):
    return {
        "teacher": world.school.id,
        "school_admin": world.school.id,
        "venue_staff": world.venue.id,
        "alliance_admin": world.alliance.id,
        "region_admin": world.county.id,
    }


@pytest.mark.parametrize(
    "actor", ["guardian_a", "teacher_a", "venue_staff", "school_admin", "alliance_admin", "region_admin", "stranger"]
)
def test_nobody_grants_themselves_any_role(call, db, world, actor):
    user = getattr(world, actor)
    before = _memberships(db, user)
    for role, scope_id in _scopes(world).items():
        response = call(
            "POST", f"{API}/staff-memberships", user, json={"user_id": user.id, "role": role, "scope_id": scope_id}
        )
        assert response.status_code in (403, 404, 409), (role, response.json)
    assert _memberships(db, user) == before


@pytest.mark.parametrize("actor", ["guardian_a", "teacher_a", "venue_staff", "stranger"])
def test_callers_without_an_admin_role_grant_nothing_to_anyone(call, db, world, actor):
    user = getattr(world, actor)
    for role, scope_id in _scopes(world).items():
        response = call(
            "POST",
            f"{API}/staff-memberships",
            user,
            json={"user_id": world.guardian_b.id, "role": role, "scope_id": scope_id},
        )
        assert response.status_code == 404, (role, response.json)
        invite = call("POST", f"{API}/staff-invites", user, json={"role": role, "scope_id": scope_id})
        assert invite.status_code == 404, (role, invite.json)
    assert _memberships(db, world.guardian_b) == set()


def test_a_school_admin_grants_nothing_above_or_beside_their_school(call, db, world):
    for role, scope_id in [
        ("region_admin", world.county.id),
        ("alliance_admin", world.alliance.id),
        ("venue_staff", world.venue.id),
        ("school_admin", world.other_school.id),
        ("teacher", world.other_school.id),
    ]:
        response = call(
            "POST",
            f"{API}/staff-memberships",
            world.school_admin,
            json={"user_id": world.stranger.id, "role": role, "scope_id": scope_id},
        )
        assert response.status_code in (403, 404), (role, response.json)
        invite = call("POST", f"{API}/staff-invites", world.school_admin, json={"role": role, "scope_id": scope_id})
        assert invite.status_code in (403, 404), (role, invite.json)
    assert _memberships(db, world.stranger) == set()


def test_an_admin_cannot_redeem_their_own_invite(call, db, world):
    invite = call(
        "POST", f"{API}/staff-invites", world.school_admin, json={"role": "school_admin", "scope_id": world.school.id}
    )
    assert invite.status_code == 201
    before = _memberships(db, world.school_admin)
    response = call("POST", f"{API}/staff-invites/redeem", world.school_admin, json={"code": invite.json["code"]})
    assert (response.status_code, response.json["code"]) == (403, "own_invite")
    assert _memberships(db, world.school_admin) == before


def test_a_teacher_cannot_approve_a_binding_request_they_filed(call, db, world, make):
    child = make.student(world.class_a, name="赵小刚")
    request_id = make.binding_request(world.teacher_a, child).id
    db.session.commit()
    response = call("POST", f"{API}/binding-requests/{request_id}/approve", world.teacher_a)
    assert response.status_code == 403, response.json
    db.session.rollback()
    assert db.session.get(type(child), child.id).family_id is None


def test_a_guardian_cannot_edit_their_childs_sensitive_flags_or_roster(call, world):
    flags = call(
        "PATCH",
        f"{API}/children/{world.child_a.id}/flags",
        world.guardian_a,
        json={"left_behind": False, "migrant": False, "in_difficulty": False, "disabled": False},
    )
    assert flags.status_code == 403
    teachers = call(
        "POST",
        f"{API}/classes/{world.class_a.id}/teachers",
        world.guardian_a,
        json={"user_id": world.guardian_a.id, "subject": "语文"},
    )
    assert teachers.status_code == 404
