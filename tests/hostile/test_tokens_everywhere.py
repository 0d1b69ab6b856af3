"""Tampered, expired, revoked and forged tokens on every operation that needs a signed-in caller (read from
the spec, new endpoints included): 401 with a stable code, never a 2xx, a 403/404 that would tell something,
or a 5xx. alg=none, another key, another algorithm, a non-string or foreign ``sub`` and a foreign ``jti`` are
all refused."""

import base64
import datetime as dt
import json

import jwt
import pytest
from flask import current_app

from jlt_family.auth.models import UserSession
from jlt_family.auth.service import TOKEN_ISSUER, issue_session
from jlt_family.core.timeutil import utcnow
from tests.fuzz import spec_support

PROTECTED = [
    (method, path) for method, path, operation in spec_support.operations_with_spec() if "401" in operation["responses"]
]


def _b64(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _sign(claims, key=None, algorithm="HS256"):
    return jwt.encode(claims, key or current_app.config["SECRET_KEY"], algorithm=algorithm)


def _claims(session):
    return {
        "sub": str(session.user_id),
        "jti": session.id,
        "iss": TOKEN_ISSUER,
        "iat": int(utcnow().timestamp()),
        "exp": int((utcnow() + dt.timedelta(hours=1)).timestamp()),
    }


def _expired(world, db):
    _, session = issue_session(world.school_admin)
    db.session.commit()
    return _sign({**_claims(session), "exp": int((utcnow() - dt.timedelta(seconds=5)).timestamp())})


def _revoked(world, db):
    token, session = issue_session(world.school_admin)
    session.revoked_at = utcnow()
    db.session.commit()
    return token


def _server_side_expired(world, db):
    token, session = issue_session(world.school_admin)
    session.expires_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    return token


def _valid(world, db):
    token, session = issue_session(world.school_admin)
    db.session.commit()
    return token, session


def _tampered(world, db):
    token, session = _valid(world, db)
    header, _, signature = token.split(".")
    return f"{header}.{_b64({**_claims(session), 'sub': str(world.region_admin.id)})}.{signature}"


def _alg_none(world, db):
    _, session = _valid(world, db)
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(session))}."


def _other_key(world, db):
    _, session = _valid(world, db)
    return _sign(_claims(session), key="not-our-secret-key-0123456789abcdef0123")


def _other_algorithm(world, db):
    _, session = _valid(world, db)
    return _sign(_claims(session), key=current_app.config["SECRET_KEY"] * 2, algorithm="HS512")


def _integer_sub(world, db):
    _, session = _valid(world, db)
    return _sign({**_claims(session), "sub": session.user_id})


def _list_sub(world, db):
    _, session = _valid(world, db)
    return _sign({**_claims(session), "sub": [str(session.user_id)]})


def _foreign_sub(world, db):
    """Re-signed with the right key (a leaked key aside, impossible), yet another user's id: the session says
    whose it is."""
    _, session = _valid(world, db)
    return _sign({**_claims(session), "sub": str(world.region_admin.id)})


def _object_jti(world, db):
    _, session = _valid(world, db)
    return _sign({**_claims(session), "jti": {"$ne": None}})


def _huge(world, db):
    return "e" * 20000


FORGERIES = {
    "expired": (_expired, {"token_expired"}),
    "revoked": (_revoked, {"token_revoked"}),
    "expired_on_server": (_server_side_expired, {"token_revoked"}),
    "tampered": (_tampered, {"token_invalid"}),
    "alg_none": (_alg_none, {"token_invalid"}),
    "other_key": (_other_key, {"token_invalid"}),
    "other_algorithm": (_other_algorithm, {"token_invalid"}),
    "integer_sub": (_integer_sub, {"token_invalid"}),
    "list_sub": (_list_sub, {"token_invalid"}),
    "foreign_sub": (_foreign_sub, {"token_invalid"}),
    "object_jti": (_object_jti, {"token_invalid"}),
    "huge": (_huge, {"token_invalid"}),
}


@pytest.mark.parametrize("kind", FORGERIES)
def test_a_bad_token_is_refused_by_every_protected_operation(client, db, world, kind):
    build, codes = FORGERIES[kind]
    headers = {"Authorization": f"Bearer {build(world, db)}"}
    wrong = []
    for method, path in PROTECTED:
        response = client.open(spec_support.url(path, world.school.id), method=method, headers=headers, json={})
        body = response.get_json(silent=True) or {}
        if response.status_code != 401 or body.get("code") not in codes:
            wrong.append((method, path, response.status_code, body.get("code")))
    assert wrong == []
    assert len(PROTECTED) > 100


def test_the_revoked_session_row_is_not_revived_by_signing_in_again(client, db, world):
    token = _revoked(world, db)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    issue_session(world.school_admin)
    db.session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert db.session.query(UserSession).filter_by(user_id=world.school_admin.id).count() == 2
