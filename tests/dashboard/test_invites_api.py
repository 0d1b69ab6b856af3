"""The API side of dashboard invites: who may invite whom, self-service from the mini-program, the CLI."""

import sqlalchemy as sa

from jlt_family.dashboard.models import DashboardInvite
from jlt_family.dashboard.service import token_hash
from tests.dashboard.conftest import create_account


def test_an_admin_invites_staff_of_their_scope_only(call, world, make):
    foreign_teacher = make.teacher(make.school(region=world.other_county))
    ok = call("POST", "/api/v1/dashboard-invites", world.school_admin, json={"user_id": world.teacher_a.id})
    assert ok.status_code == 201
    assert ok.json["url"].startswith("http://localhost/dashboard/invite/") and ok.json["has_account"] is False
    for user in (foreign_teacher, world.stranger, world.guardian_a):
        response = call("POST", "/api/v1/dashboard-invites", world.school_admin, json={"user_id": user.id})
        assert response.status_code == 404 and response.json["code"] == "user_not_found"
    assert (
        call("POST", "/api/v1/dashboard-invites", world.region_admin, json={"user_id": foreign_teacher.id}).status_code
        == 404
    )
    assert (
        call(
            "POST", "/api/v1/dashboard-invites", world.other_region_admin, json={"user_id": foreign_teacher.id}
        ).status_code
        == 201
    )
    missing = call("POST", "/api/v1/dashboard-invites", world.school_admin, json={"user_id": 999999})
    assert missing.status_code == 404
    bad = call("POST", "/api/v1/dashboard-invites", world.school_admin, json={"user_id": "x"})
    assert bad.status_code == 422


def test_only_the_hash_of_the_token_is_stored(call, world, db):
    url = call("POST", "/api/v1/me/dashboard-invite", world.school_admin).json["url"]
    token = url.rsplit("/", 1)[1]
    stored = db.session.scalar(sa.select(DashboardInvite.token_hash))
    assert stored == token_hash(token) and token not in stored


def test_an_invite_for_someone_with_an_account_resets_the_password(call, world):
    create_account(world.school_admin)
    response = call("POST", "/api/v1/me/dashboard-invite", world.school_admin)
    assert response.status_code == 201 and response.json["has_account"] is True


def test_staff_without_an_admin_role_cannot_ask_for_themselves(call, world):
    response = call("POST", "/api/v1/me/dashboard-invite", world.teacher_a)
    assert response.status_code == 403 and response.json["code"] == "dashboard_not_allowed"


def test_the_cli_prints_an_invite_link(app, world, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["dashboard-invite", world.region_admin.openid, "--base-url", "http://127.0.0.1:5000"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("http://127.0.0.1:5000/dashboard/invite/")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DashboardInvite)) == 1
    refused = runner.invoke(args=["dashboard-invite", world.teacher_a.openid])
    assert refused.exit_code != 0 and "holds no" in refused.output
    unknown = runner.invoke(args=["dashboard-invite", "nobody"])
    assert unknown.exit_code != 0 and "no user with openid nobody" in unknown.output


def test_a_user_with_a_role_beyond_the_inviters_reach_is_not_theirs_to_invite(call, world, make):
    """Whoever follows the link sets the password: a school admin must not get a region admin's account."""
    from jlt_family.organizations.models import StaffRole

    teacher_and_region_admin = make.teacher(world.school)
    make.grant(teacher_and_region_admin, StaffRole.REGION_ADMIN, world.other_county)
    response = call(
        "POST", "/api/v1/dashboard-invites", world.school_admin, json={"user_id": teacher_and_region_admin.id}
    )
    assert response.status_code == 404 and response.json["code"] == "user_not_found"
    assert (
        call(
            "POST", "/api/v1/dashboard-invites", world.other_region_admin, json={"user_id": teacher_and_region_admin.id}
        ).status_code
        == 404
    )
