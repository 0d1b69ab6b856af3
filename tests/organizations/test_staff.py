import datetime as dt

import pytest
import sqlalchemy as sa

from jlt_family.core.timeutil import utcnow
from jlt_family.organizations.models import ClassTeacher, StaffInvite, StaffMembership
from jlt_family.organizations.service import grant_role_bootstrap


def _grant(call, by, user, role, scope, **extra):
    return call(
        "POST", "/api/v1/staff-memberships", by, json={"user_id": user.id, "role": role, "scope_id": scope.id, **extra}
    )


# Who may grant what: (granter, role, scope attribute of world) → status
GRANTS = [
    ("school_admin", "teacher", "school", 201),
    ("school_admin", "school_admin", "school", 201),
    ("school_admin", "teacher", "other_school", 404),
    ("school_admin", "venue_staff", "venue", 404),
    ("school_admin", "alliance_admin", "alliance", 404),
    ("alliance_admin", "school_admin", "school", 201),
    ("alliance_admin", "school_admin", "other_school", 201),
    ("alliance_admin", "teacher", "school", 404),
    ("alliance_admin", "venue_staff", "venue", 201),
    ("alliance_admin", "alliance_admin", "alliance", 201),
    ("alliance_admin", "region_admin", "county", 404),
    ("region_admin", "teacher", "school", 201),
    ("region_admin", "venue_staff", "venue", 201),
    ("region_admin", "alliance_admin", "alliance", 201),
    ("region_admin", "region_admin", "county", 201),
    ("region_admin", "region_admin", "city", 404),
    ("region_admin", "region_admin", "other_county", 404),
    ("other_region_admin", "school_admin", "school", 404),
    ("other_region_admin", "alliance_admin", "alliance", 404),
    ("teacher_a", "teacher", "school", 404),
    ("venue_staff", "venue_staff", "venue", 404),
    ("guardian_a", "teacher", "school", 404),
]


@pytest.mark.parametrize(("granter", "role", "scope", "status"), GRANTS)
def test_who_may_grant_what(call, world, granter, role, scope, status):
    response = _grant(call, getattr(world, granter), world.stranger, role, getattr(world, scope))
    assert response.status_code == status, response.json
    if status == 201:
        assert response.json["role"] == role and response.json["is_active"] is True
        assert response.json["granted_by_id"] == getattr(world, granter).id
    else:
        assert response.json["code"] == "scope_not_found"


def test_city_region_admin_reaches_every_county_below(call, make, world):
    city_admin = make.user()
    make.grant(city_admin, "region_admin", world.city)
    make.db.session.commit()
    assert _grant(call, city_admin, world.stranger, "region_admin", world.other_county).status_code == 201
    assert _grant(call, city_admin, world.stranger, "teacher", world.school).status_code == 201


def test_granting_an_active_role_again_is_a_conflict(call, world):
    response = _grant(call, world.school_admin, world.teacher_a, "teacher", world.school)
    assert response.status_code == 409 and response.json["code"] == "already_member"


def test_grant_validates_its_input(call, world):
    assert _grant(call, world.school_admin, world.stranger, "janitor", world.school).status_code == 422
    response = call(
        "POST",
        "/api/v1/staff-memberships",
        world.school_admin,
        json={"user_id": 424242, "role": "teacher", "scope_id": world.school.id},
    )
    assert response.status_code == 404 and response.json["code"] == "user_not_found"
    response = call(
        "POST",
        "/api/v1/staff-memberships",
        world.school_admin,
        json={"user_id": 2**64, "role": "teacher", "scope_id": world.school.id},
    )
    assert response.status_code == 422
    assert call("POST", "/api/v1/staff-memberships", json={}).status_code == 401


def test_new_teacher_then_reaches_the_staff_area(call, world):
    assert call("GET", f"/api/v1/schools/{world.school.id}/classes", world.stranger).status_code == 404
    _grant(call, world.school_admin, world.stranger, "teacher", world.school, display_name="丙老师")
    assert call("GET", f"/api/v1/schools/{world.school.id}/classes", world.stranger).status_code == 200


def test_memberships_listed_per_scope_for_its_admins(call, world):
    response = call("GET", f"/api/v1/staff-memberships?school_id={world.school.id}", world.school_admin)
    assert response.status_code == 200
    roles = sorted((m["user"]["nickname"], m["role"]) for m in response.json["items"])
    assert roles == [("丙老师", "teacher"), ("乙老师", "teacher"), ("校长", "school_admin"), ("甲老师", "teacher")]
    assert response.json["items"][0]["scope_name"] == world.school.name
    for who in ("teacher_a", "other_school_admin", "guardian_a", "other_region_admin"):
        path = f"/api/v1/staff-memberships?school_id={world.school.id}"
        assert call("GET", path, getattr(world, who)).status_code == 404
    assert call("GET", "/api/v1/staff-memberships", world.school_admin).status_code == 422
    both = f"/api/v1/staff-memberships?school_id={world.school.id}&region_id={world.county.id}"
    assert call("GET", both, world.region_admin).status_code == 422


def _membership(db, user, role):
    return db.session.scalar(
        sa.select(StaffMembership).where(StaffMembership.user_id == user.id, StaffMembership.role == role)
    )


def test_revoking_keeps_history_and_frees_the_key(call, world, db):
    membership = _membership(db, world.teacher_b, "teacher")
    response = call("DELETE", f"/api/v1/staff-memberships/{membership.id}", world.school_admin)
    assert response.status_code == 200
    assert response.json["is_active"] is False and response.json["revoked_by_id"] == world.school_admin.id
    db.session.expire_all()
    assert membership.active_key is None and membership.revoked_at is not None
    again = call("DELETE", f"/api/v1/staff-memberships/{membership.id}", world.school_admin)
    assert again.status_code == 409 and again.json["code"] == "already_revoked"
    assert _grant(call, world.school_admin, world.teacher_b, "teacher", world.school).status_code == 201
    path = f"/api/v1/staff-memberships?school_id={world.school.id}"
    assert call("GET", path, world.school_admin).json["total"] == 4
    assert call("GET", f"{path}&include_revoked=true", world.school_admin).json["total"] == 5


def test_a_teacher_who_leaves_also_leaves_the_classes(call, world, db):
    membership = _membership(db, world.teacher_b, "teacher")
    call("DELETE", f"/api/v1/staff-memberships/{membership.id}", world.school_admin)
    db.session.expire_all()
    assert world.class_b.homeroom_teacher_id is None
    assert db.session.scalar(sa.select(ClassTeacher).where(ClassTeacher.user_id == world.teacher_b.id)) is None
    assert call("GET", f"/api/v1/classes/{world.class_a.id}", world.teacher_b).status_code == 404


def test_revocation_is_refused_outside_the_granters_scope(call, world, db):
    membership = _membership(db, world.teacher_a, "teacher")
    for who in ("other_school_admin", "teacher_b", "alliance_admin", "other_region_admin", "guardian_a"):
        response = call("DELETE", f"/api/v1/staff-memberships/{membership.id}", getattr(world, who))
        assert response.status_code == 404
        assert response.json["code"] == "membership_not_found"
    assert call("DELETE", "/api/v1/staff-memberships/99999", world.region_admin).status_code == 404


def test_last_admin_may_not_revoke_themselves(call, world, db):
    own = _membership(db, world.school_admin, "school_admin")
    response = call("DELETE", f"/api/v1/staff-memberships/{own.id}", world.school_admin)
    assert response.status_code == 409 and response.json["code"] == "last_admin"
    _grant(call, world.school_admin, world.teacher_a, "school_admin", world.school)
    assert call("DELETE", f"/api/v1/staff-memberships/{own.id}", world.school_admin).status_code == 200


def test_an_admin_above_may_revoke_the_last_school_admin(call, world, db):
    own = _membership(db, world.school_admin, "school_admin")
    assert call("DELETE", f"/api/v1/staff-memberships/{own.id}", world.alliance_admin).status_code == 200


def test_bootstrap_grant_for_the_cli_still_works(make, db):
    region = make.region()
    membership = grant_role_bootstrap("openid-first-admin", "region_admin", region.id)
    assert membership.region_id == region.id and membership.user.openid == "openid-first-admin"
    assert grant_role_bootstrap("openid-first-admin", "region_admin", region.id).id == membership.id


# Invites -----------------------------------------------------------------------------------------------------


def _invite(call, by, role, scope, **extra):
    return call("POST", "/api/v1/staff-invites", by, json={"role": role, "scope_id": scope.id, **extra})


def _redeem(call, user, code, **extra):
    return call("POST", "/api/v1/staff-invites/redeem", user, json={"code": code, **extra})


def test_school_admin_invites_a_teacher_who_redeems(call, world, db):
    response = _invite(call, world.school_admin, "teacher", world.school, max_uses=3, expires_in_days=7)
    assert response.status_code == 201
    invite = response.json
    assert len(invite["code"]) == 10 and not set(invite["code"]) & set("01OIL")
    assert invite["status"] == "active" and invite["max_uses"] == 3 and invite["used_count"] == 0
    typed = invite["code"][:4].lower() + "-" + invite["code"][4:]
    redeemed = _redeem(call, world.stranger, typed, display_name="丙老师")
    assert redeemed.status_code == 201, redeemed.json
    assert redeemed.json["role"] == "teacher" and redeemed.json["school_id"] == world.school.id
    assert redeemed.json["display_name"] == "丙老师"
    assert redeemed.json["granted_by_id"] == world.school_admin.id
    assert db.session.get(StaffInvite, invite["id"]).used_count == 1


def test_invites_follow_the_grant_rules(call, world):
    assert _invite(call, world.school_admin, "venue_staff", world.venue).status_code == 404
    assert _invite(call, world.alliance_admin, "venue_staff", world.venue).status_code == 201
    assert _invite(call, world.other_region_admin, "teacher", world.school).status_code == 404
    assert _invite(call, world.school_admin, "teacher", world.school, max_uses=0).status_code == 422
    assert _invite(call, world.school_admin, "teacher", world.school, expires_in_days=91).status_code == 422


def test_redeeming_twice_is_already_member(call, world):
    code = _invite(call, world.school_admin, "teacher", world.school, max_uses=5).json["code"]
    assert _redeem(call, world.stranger, code).status_code == 201
    again = _redeem(call, world.stranger, code)
    assert again.status_code == 409 and again.json["code"] == "already_member"


def test_used_up_expired_revoked_and_unknown_codes(call, world, db):
    code = _invite(call, world.school_admin, "teacher", world.school).json["code"]
    assert _redeem(call, world.stranger, code).status_code == 201
    used_up = _redeem(call, world.guardian_a, code)
    assert used_up.status_code == 409 and used_up.json["code"] == "invite_used_up"

    expiring = _invite(call, world.school_admin, "teacher", world.school).json
    invite = db.session.get(StaffInvite, expiring["id"])
    invite.expires_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    assert _redeem(call, world.guardian_a, expiring["code"]).json["code"] == "invite_expired"

    revoked = _invite(call, world.school_admin, "teacher", world.school).json
    response = call("DELETE", f"/api/v1/staff-invites/{revoked['id']}", world.school_admin)
    assert response.status_code == 200 and response.json["status"] == "revoked"
    assert _redeem(call, world.guardian_a, revoked["code"]).json["code"] == "invite_revoked"

    unknown = _redeem(call, world.guardian_a, "ZZZZZZZZZZ")
    assert unknown.status_code == 404 and unknown.json["code"] == "invite_not_found"
    assert _membership(db, world.guardian_a, "teacher") is None


def test_invites_are_listed_and_revoked_by_scope_admins_only(call, world):
    invite = _invite(call, world.school_admin, "teacher", world.school).json
    listed = call("GET", f"/api/v1/staff-invites?school_id={world.school.id}", world.region_admin).json
    assert [i["id"] for i in listed["items"]] == [invite["id"]]
    assert call("GET", f"/api/v1/staff-invites?school_id={world.school.id}", world.teacher_a).status_code == 404
    assert call("DELETE", f"/api/v1/staff-invites/{invite['id']}", world.other_school_admin).status_code == 404
    assert call("DELETE", f"/api/v1/staff-invites/{invite['id']}", world.school_admin).status_code == 200
    again = call("DELETE", f"/api/v1/staff-invites/{invite['id']}", world.school_admin)
    assert again.status_code == 409 and again.json["code"] == "invite_revoked"


def test_redeem_needs_a_signed_in_user(call, world):
    assert call("POST", "/api/v1/staff-invites/redeem", json={"code": "ABCDEFGHJK"}).status_code == 401
    assert _redeem(call, world.stranger, "").status_code == 422


def test_idempotent_grant_replays_the_first_answer(call, world, db):
    headers = {"Idempotency-Key": "grant-stranger-0001"}
    body = {"user_id": world.stranger.id, "role": "teacher", "scope_id": world.school.id}
    first = call("POST", "/api/v1/staff-memberships", world.school_admin, json=body, headers=headers)
    second = call("POST", "/api/v1/staff-memberships", world.school_admin, json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json["id"] == second.json["id"]
    assert second.headers["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize("granter", ["region_admin", "alliance_admin"])
def test_nobody_grants_a_school_role_to_themselves(call, world, granter):
    """An admin above a school must not make themselves its leader: that would open children's sensitive data."""
    admin = getattr(world, granter)
    response = _grant(call, admin, admin, "school_admin", world.school)
    assert response.status_code == 403 and response.json["code"] == "self_grant"
    assert call("GET", f"/api/v1/children/{world.child_a.id}", admin).status_code == 404


def test_an_invite_cannot_be_redeemed_by_its_own_issuer(call, world):
    created = call(
        "POST", "/api/v1/staff-invites", world.region_admin, json={"role": "school_admin", "scope_id": world.school.id}
    )
    assert created.status_code == 201
    response = call("POST", "/api/v1/staff-invites/redeem", world.region_admin, json={"code": created.json["code"]})
    assert response.status_code == 403 and response.json["code"] == "own_invite"
