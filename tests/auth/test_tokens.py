"""Session tokens: signed, expiring, revocable; anything else answers 401."""

import base64
import datetime as dt
import json

import jwt
import pytest

from jlt_family.auth.models import UserSession
from jlt_family.auth.service import TOKEN_ISSUER
from jlt_family.core.timeutil import utcnow


def _me(client, token):
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def _b64(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.fixture
def signed_in(app, make):
    """A user with a real session; ``claims`` are that session's valid claims."""
    user = make.user()
    token = make.login(user)["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, app.config["SECRET_KEY"], algorithms=["HS256"], issuer=TOKEN_ISSUER)
    return user, token, claims


def test_a_valid_token_works(client, signed_in):
    user, token, _ = signed_in
    assert _me(client, token).json["id"] == user.id


def test_logout_revokes_the_token(client, db, signed_in):
    _, token, claims = signed_in
    assert client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"}).status_code == 204
    response = _me(client, token)
    assert (response.status_code, response.json["code"]) == (401, "token_revoked")
    assert db.session.get(UserSession, claims["jti"]).revoked_at is not None


def test_logout_forgets_the_wechat_session_key(client, db, make):
    from jlt_family.auth.service import issue_session

    token, session = issue_session(make.user(), wechat_session_key="secret-session-key")
    db.session.commit()
    client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
    db.session.expire_all()
    assert db.session.get(UserSession, session.id).wechat_session_key is None


def test_logout_needs_a_token(client):
    response = client.post("/api/v1/auth/logout")
    assert (response.status_code, response.json["code"]) == (401, "unauthenticated")


def _tampered(token, claims):
    header, _, signature = token.split(".")
    return f"{header}.{_b64({**claims, 'sub': str(int(claims['sub']) + 1)})}.{signature}"


def _other_key(token, claims):
    return jwt.encode(claims, "another-secret-key-0123456789abcdef0123", algorithm="HS256")


def _alg_none(token, claims):
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


def _other_issuer(token, claims):
    return jwt.encode({**claims, "iss": "someone-else"}, _key(), algorithm="HS256")


def _unknown_session(token, claims):
    return jwt.encode({**claims, "jti": "0" * 32}, _key(), algorithm="HS256")


def _no_jti(token, claims):
    return jwt.encode({k: v for k, v in claims.items() if k != "jti"}, _key(), algorithm="HS256")


def _key():
    from flask import current_app

    return current_app.config["SECRET_KEY"]


@pytest.mark.parametrize(
    "forge",
    [
        _tampered,
        _other_key,
        _alg_none,
        _other_issuer,
        _unknown_session,
        _no_jti,
        lambda token, claims: "not-a-token",
        lambda token, claims: token[:-3],
    ],
)
def test_a_forged_token_is_invalid(client, signed_in, forge):
    _, token, claims = signed_in
    response = _me(client, forge(token, claims))
    assert (response.status_code, response.json["code"]) == (401, "token_invalid")


def test_an_expired_token_is_expired(client, signed_in):
    _, _, claims = signed_in
    past = int((utcnow() - dt.timedelta(minutes=1)).timestamp())
    response = _me(client, jwt.encode({**claims, "exp": past}, _key(), algorithm="HS256"))
    assert (response.status_code, response.json["code"]) == (401, "token_expired")


def test_a_session_ended_on_the_server_is_revoked(client, db, signed_in):
    _, token, claims = signed_in
    db.session.get(UserSession, claims["jti"]).expires_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    response = _me(client, token)
    assert (response.status_code, response.json["code"]) == (401, "token_revoked")


@pytest.mark.parametrize("header", ["Basic abc", "Bearer", "Bearer   ", "token"])
def test_a_malformed_authorization_header_is_invalid(client, header):
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert (response.status_code, response.json["code"]) == (401, "token_invalid")


def test_a_disabled_account_is_signed_out(client, db, signed_in):
    user, token, _ = signed_in
    user.is_active = False
    db.session.commit()
    response = _me(client, token)
    assert (response.status_code, response.json["code"]) == (401, "account_disabled")


def test_a_stale_token_does_not_block_signing_in_again(client, make):
    """A mini-program that always attaches its stored token must still be able to sign in after it expired."""
    user = make.user(openid="stale-token-user")
    headers = make.login(user)
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).json["code"] == "token_revoked"
    again = client.post("/api/v1/auth/dev-login", json={"openid": "stale-token-user"}, headers=headers)
    assert again.status_code == 200
    assert client.get("/healthz", headers={"Authorization": "Bearer garbage"}).status_code == 200
