"""绑定手机号 through the fake WeChat server: optional, and the phone is shown unmasked only to its owner."""

import pytest

from jlt_family.devtools.fake_wechat import PHONE_NUMBER, STABLE_TOKEN


@pytest.fixture
def owner(make):
    user = make.user(phone=None)
    return user, make.login(user)


def _bind(client, headers, code):
    return client.post("/api/v1/me/phone", json={"code": code}, headers=headers)


def test_binding_a_phone_shows_it_to_its_owner(client, db, owner, wechat_mode):
    user, headers = owner
    response = _bind(client, headers, wechat_mode.phone_code_for("13912345678"))
    assert (response.status_code, response.json["phone"]) == (200, "13912345678")
    assert client.get("/api/v1/me", headers=headers).json["phone"] == "13912345678"
    db.session.refresh(user)
    assert (user.phone_country_code, user.phone_verified_at is not None) == ("86", True)


def test_a_phone_code_works_once(client, owner, wechat_mode):
    _, headers = owner
    code = wechat_mode.phone_code_for("13912345678")
    _bind(client, headers, code)
    response = _bind(client, headers, code)
    assert (response.status_code, response.json["code"]) == (400, "wechat_code_invalid")
    assert "手机号" in response.json["message"]


def test_binding_survives_a_rejected_access_token(client, owner, wechat_mode):
    _, headers = owner
    _bind(client, headers, wechat_mode.phone_code_for("13900000001"))
    wechat_mode.invalidate_token()
    response = _bind(client, headers, wechat_mode.phone_code_for("13900000002"))
    assert (response.status_code, response.json["phone"]) == (200, "13900000002")
    assert wechat_mode.token_calls == 2


@pytest.mark.parametrize(
    ("errcode", "status", "code"),
    [(45011, 429, "wechat_rate_limited"), (-1, 503, "wechat_unavailable"), (40013, 503, "wechat_misconfigured")],
)
def test_wechat_refusals_leave_the_phone_unbound(client, db, owner, wechat_mode, errcode, status, code):
    user, headers = owner
    wechat_mode.fail(PHONE_NUMBER, errcode)
    response = _bind(client, headers, wechat_mode.phone_code_for("13912345678"))
    assert (response.status_code, response.json["code"]) == (status, code)
    db.session.refresh(user)
    assert user.phone is None


def test_an_unreachable_token_endpoint_answers_503(client, owner, wechat_mode):
    _, headers = owner
    wechat_mode.http_error(STABLE_TOKEN, 500)
    response = _bind(client, headers, wechat_mode.phone_code_for("13912345678"))
    assert (response.status_code, response.json["code"]) == (503, "wechat_unavailable")


def test_phone_binding_needs_wechat(client, owner, fake):
    _, headers = owner
    response = _bind(client, headers, fake.phone_code_for("13912345678"))
    assert (response.status_code, response.json["code"]) == (409, "wechat_not_configured")
    assert fake.calls[PHONE_NUMBER] == 0


def test_binding_needs_a_signed_in_user(client, wechat_mode):
    response = client.post("/api/v1/me/phone", json={"code": wechat_mode.phone_code_for("13912345678")})
    assert response.status_code == 401


def test_unbinding_forgets_the_phone(client, db, make):
    user = make.user(phone="13912345678", phone_country_code="86")
    headers = make.login(user)
    assert client.delete("/api/v1/me/phone", headers=headers).json["phone"] is None
    db.session.refresh(user)
    assert (user.phone, user.phone_country_code) == (None, None)
