"""Family invites: a guardian invites a second guardian; single use, expiring, revocable."""

import datetime as dt

import pytest

from jlt_family.core.codes import ALPHABET as INVITE_ALPHABET
from jlt_family.core.codes import FAMILY_CODE_LENGTH as INVITE_CODE_LENGTH
from jlt_family.core.timeutil import utcnow
from jlt_family.families.models import FamilyInvite, Guardian


@pytest.fixture
def invite(api, world, db):
    response = api(world.guardian_a).post("/family/invites")
    assert response.status_code == 201, response.json
    return db.session.get(FamilyInvite, response.json["id"])


def redeem(api, user, code, **overrides):
    body = {"code": code, "relation": "paternal_grandparent", "name": "张爷爷"}
    body.update(overrides)
    return api(user).post("/family/invites/redeem", json=body)


def test_guardian_creates_a_short_random_code_with_the_configured_ttl(api, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "FAMILY_INVITE_TTL_HOURS", 5)
    before = utcnow()
    body = api(world.guardian_a).post("/family/invites").json
    assert len(body["code"]) == INVITE_CODE_LENGTH
    assert set(body["code"]) <= set(INVITE_ALPHABET)
    expires_at = dt.datetime.fromisoformat(body["expires_at"])
    assert expires_at.utcoffset() == dt.timedelta(hours=8)
    assert before + dt.timedelta(hours=5) <= expires_at <= utcnow() + dt.timedelta(hours=5)


def test_codes_differ(api, world):
    caller = api(world.guardian_a)
    codes = {caller.post("/family/invites").json["code"] for _ in range(5)}
    assert len(codes) == 5


def test_user_without_family_cannot_invite(api, world):
    response = api(world.stranger).post("/family/invites")
    assert response.status_code == 404
    assert response.json["code"] == "family_not_found"


def test_anonymous_cannot_invite(api):
    assert api().post("/family/invites").status_code == 401


def test_list_shows_open_invites_of_my_family_only(api, world, invite, db):
    expired = FamilyInvite(
        code="EXPIRED234",
        family_id=world.family_a.id,
        created_by_id=world.guardian_a.id,
        expires_at=utcnow() - dt.timedelta(minutes=1),
    )
    db.session.add(expired)
    db.session.commit()
    body = api(world.guardian_a).get("/family/invites").json
    assert [i["id"] for i in body["items"]] == [invite.id]
    assert body["items"][0]["created_by_name"] == world.family_a.guardians[0].name
    assert api(world.guardian_b).get("/family/invites").json["items"] == []


def test_too_many_open_invites(api, world):
    caller = api(world.guardian_a)
    for _ in range(10):
        assert caller.post("/family/invites").status_code == 201
    response = caller.post("/family/invites")
    assert response.status_code == 409
    assert response.json["code"] == "too_many_invites"


def test_guardian_revokes_and_the_code_stops_working(api, world, invite, newcomer):
    assert api(world.guardian_a).delete(f"/family/invites/{invite.id}").status_code == 204
    response = redeem(api, newcomer, invite.code)
    assert response.status_code == 409
    assert response.json["code"] == "invite_revoked"


def test_revoking_twice_is_409(api, world, invite):
    api(world.guardian_a).delete(f"/family/invites/{invite.id}")
    response = api(world.guardian_a).delete(f"/family/invites/{invite.id}")
    assert response.status_code == 409
    assert response.json["code"] == "invite_revoked"


@pytest.mark.parametrize("role", ["guardian_b", "teacher_a", "school_admin", "stranger"])
def test_others_cannot_revoke(api, world, invite, role):
    assert api(getattr(world, role)).delete(f"/family/invites/{invite.id}").status_code == 404


def test_newcomer_redeems_and_joins_the_family(api, world, invite, newcomer, db):
    response = redeem(api, newcomer, invite.code.lower())
    assert response.status_code == 201
    assert response.json["id"] == world.family_a.id
    me = next(g for g in response.json["guardians"] if g["is_me"])
    assert me["relation_label"] == "祖父母"
    assert me["phone"] == "13900000009"
    assert [c["name"] for c in response.json["children"]] == ["张小明"]
    guardian = db.session.query(Guardian).filter_by(user_id=newcomer.id).one()
    assert guardian.is_primary is False
    db.session.expire_all()
    assert db.session.get(FamilyInvite, invite.id).used_by_id == newcomer.id


def test_a_used_code_cannot_be_used_again(api, world, invite, newcomer, make, db):
    redeem(api, newcomer, invite.code)
    other = make.user()
    db.session.commit()
    response = redeem(api, other, invite.code)
    assert response.status_code == 409
    assert response.json["code"] == "invite_used"


def test_an_expired_code_is_refused(api, world, invite, newcomer, db):
    invite.expires_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    response = redeem(api, newcomer, invite.code)
    assert response.status_code == 409
    assert response.json["code"] == "invite_expired"


def test_an_unknown_code_is_404(api, newcomer):
    response = redeem(api, newcomer, "ZZZZZZZZZZ")
    assert response.status_code == 404
    assert response.json["code"] == "invite_not_found"


def test_a_guardian_of_another_family_cannot_redeem(api, world, invite):
    response = redeem(api, world.guardian_b, invite.code)
    assert response.status_code == 409
    assert response.json["code"] == "already_in_family"


def test_redeeming_is_rate_limited(api, newcomer, app, monkeypatch):
    monkeypatch.setitem(app.config, "FAMILY_GUESS_ATTEMPTS_PER_HOUR", 2)
    statuses = [redeem(api, newcomer, f"GUESS{i:05d}").status_code for i in range(3)]
    assert statuses == [404, 404, 429]


@pytest.mark.parametrize("overrides", [{"relation": "friend"}, {"name": ""}, {"vip": 1}])
def test_bad_redeem_bodies_are_422(api, newcomer, invite, overrides):
    assert redeem(api, newcomer, invite.code, **overrides).status_code == 422


def test_a_code_that_is_not_text_is_422(api, newcomer):
    assert redeem(api, newcomer, 7).status_code == 422


def test_anonymous_cannot_redeem(api, invite):
    assert api().post("/family/invites/redeem", json={"code": invite.code}).status_code == 401
