"""Sign-in, sign-out and the caller's own profile."""

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from flask import current_app, request

from jlt_family.auth import schemas, service
from jlt_family.auth.context import Actor, current_actor
from jlt_family.auth.models import UserSession
from jlt_family.core import ratelimit
from jlt_family.core.errors import AppError
from jlt_family.core.extensions import db
from jlt_family.core.routing import Blueprint

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="登录与个人信息 (sign-in and profile)")


@dataclass(frozen=True)
class SignedIn:
    """登录结果: the new session's bearer token and the signed-in caller (``SessionTokenSchema`` dumps it)."""

    token: str
    session: UserSession
    token_type: str = "Bearer"

    @property
    def expires_at(self) -> dt.datetime:
        return self.session.expires_at

    @property
    def user(self) -> Actor:
        return Actor(self.session.user, self.session.id)


# Sign-in limits. A 家长会 puts hundreds of parents behind one school Wi-Fi (one NAT address), so the address
# alone gets a generous ceiling; the person (the openid WeChat vouches for) gets the tight limit, and codes that
# fail (guessed or replayed) count per address and stop reaching WeChat past their limit.
_FAILED_SIGN_IN = {"wechat_code_invalid", "wechat_user_blocked"}


def _limit_address() -> None:
    config = current_app.config
    ratelimit.hit(f"login:{request.remote_addr}", config["LOGIN_ATTEMPTS_PER_ADDRESS_MINUTE"], 60)
    ratelimit.refuse_if_reached(f"login_failed:{request.remote_addr}", config["LOGIN_FAILURES_PER_ADDRESS_MINUTE"], 60)


def _limit_person(openid: str) -> None:
    ratelimit.hit(f"login_openid:{openid}", current_app.config["LOGIN_RATE_LIMIT_PER_MINUTE"], 60)


@contextlib.contextmanager
def _counting_refused_codes() -> Iterator[None]:
    """A code WeChat refused (guessed, replayed, a blocked user) counts against the client address."""
    try:
        yield
    except AppError as exc:
        if exc.code in _FAILED_SIGN_IN:
            ratelimit.count(f"login_failed:{request.remote_addr}", 60)
        raise


@blp.route("/auth/wechat-login", methods=["POST"])
@blp.arguments(schemas.WeChatLoginSchema)
@blp.response(200, schemas.SessionTokenSchema)
@blp.errors(400, 403, 409, 422, 429, 503)
def wechat_login(data):
    """微信登录: exchange the mini-program's wx.login code for a session token.

    Limits (429 with Retry-After): ``LOGIN_RATE_LIMIT_PER_MINUTE`` per person (the code's openid),
    ``LOGIN_FAILURES_PER_ADDRESS_MINUTE`` refused codes and ``LOGIN_ATTEMPTS_PER_ADDRESS_MINUTE`` attempts per
    client address.
    """
    _limit_address()
    with _counting_refused_codes():
        token, session = service.wechat_login(data["code"], client=request.user_agent.string, admit=_limit_person)
    db.session.commit()
    return SignedIn(token, session)


@blp.route("/auth/dev-login", methods=["POST"])
@blp.arguments(schemas.DevLoginSchema)
@blp.response(200, schemas.SessionTokenSchema)
@blp.errors(404, 422, 429)
def dev_login(data):
    """开发登录: development only (no WECHAT_APPID, not production); answers 404 otherwise."""
    _limit_address()
    _limit_person(data["openid"])
    token, session = service.dev_login(data["openid"], nickname=data["nickname"], client=request.user_agent.string)
    db.session.commit()
    return SignedIn(token, session)


@blp.route("/auth/logout", methods=["POST"])
@blp.login_required
@blp.response(204)
def logout():
    """退出登录: revoke this session's token."""
    service.logout(db.session.get(UserSession, current_actor().session_id))
    db.session.commit()


@blp.route("/me", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.MeSchema)
def me():
    """当前用户: profile, roles and scopes."""
    return current_actor()


@blp.route("/me", methods=["PATCH"])
@blp.login_required
@blp.arguments(schemas.ProfileUpdateSchema)
@blp.response(200, schemas.MeSchema)
@blp.errors(422)
def update_me(data):
    """修改昵称."""
    actor = current_actor()
    actor.user.nickname = data["nickname"]
    db.session.commit()
    return actor


@blp.route("/me/phone", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.PhoneCodeSchema)
@blp.response(200, schemas.MeSchema)
@blp.errors(400, 409, 422, 429, 503)
def bind_phone(data):
    """绑定手机号 (optional) with the getPhoneNumber button's code."""
    actor = current_actor()
    service.bind_phone(actor.user, data["code"])
    db.session.commit()
    return actor


@blp.route("/me/phone", methods=["DELETE"])
@blp.login_required
@blp.response(200, schemas.MeSchema)
def unbind_phone():
    """解绑手机号."""
    actor = current_actor()
    service.unbind_phone(actor.user)
    db.session.commit()
    return actor
