"""Reads the bearer token of each request into ``g.actor``."""

from flask import g, request

from jlt_family.auth.context import ANONYMOUS, Actor
from jlt_family.auth.service import resolve_token
from jlt_family.core.errors import Unauthenticated


def load_actor():
    header = request.headers.get("Authorization", "")
    if not header:
        g.actor = ANONYMOUS
        return
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("登录凭证格式有误", code="token_invalid")
    user, session = resolve_token(token.strip())
    g.actor = Actor(user, session.id)


def init_app(app):
    app.before_request(load_actor)
