"""微信登录 through the API, against the fake WeChat server."""

import logging

import pytest
import sqlalchemy as sa

from jlt_family.auth.models import User, UserSession
from jlt_family.devtools.fake_wechat import CODE2SESSION
from tests.auth.conftest import bearer, wechat_login


def _users(db):
    return db.session.scalars(sa.select(User)).all()


def test_the_first_login_creates_the_user_and_a_working_token(client, db, wechat_mode):
    code = wechat_mode.code_for("parent-1")
    response = wechat_login(client, code)
    assert response.status_code == 200
    assert response.json["token_type"] == "Bearer"
    [user] = _users(db)
    assert (user.openid, response.json["user"]["id"]) == (wechat_mode.openid_for("parent-1"), user.id)
    session = db.session.scalar(sa.select(UserSession))
    assert session.wechat_session_key == wechat_mode.session_key_for(code)
    assert client.get("/api/v1/me", headers=bearer(response)).json["id"] == user.id


def test_a_later_login_reuses_the_user(client, db, wechat_mode):
    first = wechat_login(client, wechat_mode.code_for("parent-1"))
    second = wechat_login(client, wechat_mode.code_for("parent-1"))
    other = wechat_login(client, wechat_mode.code_for("parent-2"))
    assert first.json["user"]["id"] == second.json["user"]["id"] != other.json["user"]["id"]
    assert first.json["token"] != second.json["token"]
    assert len(_users(db)) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 3


def test_the_unionid_is_kept(client, db, wechat_mode):
    wechat_mode.with_unionid = True
    try:
        wechat_login(client, wechat_mode.code_for("parent-1"))
    finally:
        wechat_mode.with_unionid = False
    assert _users(db)[0].unionid == wechat_mode.unionid_for("parent-1")


def test_the_session_key_never_leaves_the_server(client, wechat_mode, caplog):
    caplog.set_level(logging.DEBUG)
    code = wechat_mode.code_for("parent-1")
    response = wechat_login(client, code)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    session_key = wechat_mode.session_key_for(code)
    assert "session_key" not in body
    assert session_key not in body
    assert caplog.records  # the login was logged at all (urllib3, ...), just not the key
    assert session_key not in caplog.text


def test_a_reused_code_is_refused(client, db, wechat_mode):
    code = wechat_mode.code_for("parent-1")
    wechat_login(client, code)
    response = wechat_login(client, code)
    assert (response.status_code, response.json["code"]) == (400, "wechat_code_invalid")


@pytest.mark.parametrize(
    ("errcode", "status", "code"),
    [
        (40029, 400, "wechat_code_invalid"),
        (45011, 429, "wechat_rate_limited"),
        (40226, 403, "wechat_user_blocked"),
        (-1, 503, "wechat_unavailable"),
        (40013, 503, "wechat_misconfigured"),
    ],
)
def test_wechat_refusals_become_stable_errors(client, db, wechat_mode, errcode, status, code):
    wechat_mode.fail(CODE2SESSION, errcode)
    response = wechat_login(client, wechat_mode.code_for("parent-1"))
    assert (response.status_code, response.json["code"]) == (status, code)
    assert response.json["message"]
    assert _users(db) == []


def test_wechat_rate_limit_says_when_to_retry(client, wechat_mode):
    wechat_mode.fail(CODE2SESSION, 45011)
    response = wechat_login(client, wechat_mode.code_for("parent-1"))
    assert response.headers["Retry-After"] == "60"


@pytest.mark.parametrize("trouble", ["slow", "http_500"])
def test_an_unreachable_wechat_answers_503(client, db, wechat_mode, trouble):
    if trouble == "slow":
        wechat_mode.slow(1.0, CODE2SESSION)
    else:
        wechat_mode.http_error(CODE2SESSION, 500)
    response = wechat_login(client, wechat_mode.code_for("parent-1"))
    assert (response.status_code, response.json["code"]) == (503, "wechat_unavailable")
    assert _users(db) == []


def test_wechat_login_is_refused_in_development_mode(client, fake):
    response = wechat_login(client, fake.code_for("parent-1"))
    assert (response.status_code, response.json["code"]) == (409, "wechat_not_configured")
    assert fake.calls[CODE2SESSION] == 0


def test_a_disabled_account_cannot_sign_in(client, make, wechat_mode):
    make.user(openid=wechat_mode.openid_for("parent-1"), is_active=False)
    make.db.session.commit()
    response = wechat_login(client, wechat_mode.code_for("parent-1"))
    assert (response.status_code, response.json["code"]) == (403, "account_disabled")


@pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": "x" * 129}, {"code": "a", "extra": 1}])
def test_a_malformed_login_is_refused(client, wechat_mode, body):
    response = client.post("/api/v1/auth/wechat-login", json=body)
    assert response.status_code == 422
    assert wechat_mode.calls[CODE2SESSION] == 0


def test_a_wrong_secret_answers_503_and_is_logged_loudly(client, configure, wechat_mode, caplog):
    configure(WECHAT_SECRET="not-the-secret")
    response = wechat_login(client, wechat_mode.code_for("parent-1"))
    assert (response.status_code, response.json["code"]) == (503, "wechat_misconfigured")
    assert any(r.levelname == "ERROR" and "40125" in r.getMessage() for r in caplog.records)
    assert "not-the-secret" not in caplog.text
