"""Reads the bearer token of each request into ``g.actor``.

A bad, expired or revoked token does not fail the request here: public endpoints (sign-in, health, the docs)
must still answer a client that sends a stale token. The failure is kept in ``g.auth_error`` and raised by
``login_required`` where a signed-in caller is needed.
"""

from flask import Flask, g, request

from jlt_family.auth.context import ANONYMOUS, Actor
from jlt_family.auth.service import resolve_token
from jlt_family.core.errors import Unauthenticated


def load_actor() -> None:
    g.actor = ANONYMOUS
    g.auth_error = None
    header = request.headers.get("Authorization", "")
    if not header:
        return
    scheme, _, token = header.partition(" ")
    try:
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("登录凭证格式有误", code="token_invalid")
        user, session = resolve_token(token.strip())
    except Unauthenticated as exc:
        g.auth_error = exc
        return
    g.actor = Actor(user, session.id)


def init_app(app: Flask) -> None:
    app.before_request(load_actor)
