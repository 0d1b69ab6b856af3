"""Sessions and sign-in: WeChat code → our own signed, expiring, revocable token."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable

import jwt
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload

from jlt_family.auth.models import User, UserSession
from jlt_family.core.errors import (
    AppError,
    BadRequest,
    Conflict,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServiceUnavailable,
    Unauthenticated,
)
from jlt_family.core.extensions import db
from jlt_family.core.sql import rowcount
from jlt_family.core.timeutil import utcnow
from jlt_family.wechat.client import WeChatError
from jlt_family.wechat.client import client as wechat_client

log = logging.getLogger(__name__)

TOKEN_ISSUER = "jlt-family"
TOKEN_ALGORITHM = "HS256"


MISCONFIGURED = {40013, 40125, 40164}  # bad app id, bad secret, server IP not on the allow-list


def wechat_error_to_app_error(
    exc: WeChatError, *, code_invalid: str = "微信登录凭证无效或已过期，请重新登录"
) -> AppError:
    """What a failed WeChat call means for the user."""
    if exc.errcode == 40029:
        return BadRequest(code_invalid, code="wechat_code_invalid")
    if exc.errcode == 45011:  # WeChat's quota is per minute
        return RateLimited(
            "微信接口调用过于频繁，请稍后再试", code="wechat_rate_limited", headers={"Retry-After": "60"}
        )
    if exc.errcode == 40226:
        return PermissionDenied("该微信账号存在风险，暂时无法登录", code="wechat_user_blocked")
    if exc.errcode in MISCONFIGURED:
        log.error("WeChat settings rejected by %s: errcode=%s", exc.path, exc.errcode)
        return ServiceUnavailable("微信配置有误，请联系管理员", code="wechat_misconfigured")
    return ServiceUnavailable("微信服务暂时不可用，请稍后再试", code="wechat_unavailable")


def wechat_dev_mode() -> bool:
    """Development WeChat mode, decided per call: no app id configured and not in production."""
    config = current_app.config
    return not config["WECHAT_APPID"] and config["ENV_NAME"] != "production"


def issue_session(user: User, *, client: str = "", wechat_session_key: str | None = None) -> tuple[str, UserSession]:
    """Create a session for ``user``; returns ``(token, session)``."""
    now = utcnow()
    ttl = dt.timedelta(hours=current_app.config["SESSION_TTL_HOURS"])
    session = UserSession(
        id=secrets.token_hex(16),
        user=user,
        created_at=now,
        expires_at=now + ttl,
        client=(client or "")[:200],
        wechat_session_key=wechat_session_key,
    )
    db.session.add(session)
    user.last_login_at = now
    claims = {
        "sub": str(user.id),
        "jti": session.id,
        "iss": TOKEN_ISSUER,
        "iat": int(now.timestamp()),
        "exp": int(session.expires_at.timestamp()),
    }
    token = jwt.encode(claims, current_app.config["SECRET_KEY"], algorithm=TOKEN_ALGORITHM)
    return token, session


def resolve_token(token: str) -> tuple[User, UserSession]:
    """The valid ``(user, session)`` a bearer token stands for; ``Unauthenticated`` otherwise."""
    try:
        claims = jwt.decode(
            token,
            current_app.config["SECRET_KEY"],
            algorithms=[TOKEN_ALGORITHM],
            issuer=TOKEN_ISSUER,
            options={"require": ["sub", "jti", "exp", "iss"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("登录已过期，请重新登录", code="token_expired") from None
    except jwt.PyJWTError:
        raise Unauthenticated("登录凭证无效，请重新登录", code="token_invalid") from None
    # The session and its user in one statement: this runs before every authenticated request.
    session = db.session.get(UserSession, str(claims["jti"]), options=[joinedload(UserSession.user)])
    if session is None or str(session.user_id) != claims["sub"]:
        raise Unauthenticated("登录凭证无效，请重新登录", code="token_invalid")
    if not session.is_valid():
        raise Unauthenticated("登录已失效，请重新登录", code="token_revoked")
    if not session.user.is_active:
        raise Unauthenticated("账号已停用", code="account_disabled")
    return session.user, session


def _user_for_openid(openid: str, unionid: str | None = None) -> User:
    """The user of ``openid``, created on first login; concurrent first logins end with one row."""
    user = db.session.scalar(sa.select(User).where(User.openid == openid))
    if user is None:
        _insert_user_unless_exists(openid)
        # A locking read: it sees a row another login committed after this transaction's snapshot.
        user = db.session.execute(sa.select(User).where(User.openid == openid).with_for_update()).scalar_one()
    if unionid and user.unionid != unionid:
        user.unionid = unionid
    return user


def _insert_user_unless_exists(openid: str) -> None:
    """INSERT that does nothing when a concurrent login has created the row.

    Not a savepoint and a caught IntegrityError: on MySQL the loser then holds a shared lock on the row, and two
    losers updating it deadlock; the upsert takes an exclusive lock instead, so concurrent logins queue.
    """
    table = User.__table__
    stmt: sa.Executable
    if db.session.get_bind().dialect.name in ("mysql", "mariadb"):
        stmt = mysql_insert(table).values(openid=openid).on_duplicate_key_update(id=table.c.id)
    else:
        stmt = sqlite_insert(table).values(openid=openid).on_conflict_do_nothing(index_elements=["openid"])
    db.session.execute(stmt)


def wechat_login(code: str, *, client: str = "", admit: Callable[[str], None] | None = None) -> tuple[str, UserSession]:
    """微信登录: exchange a ``wx.login`` code for our session token; returns ``(token, session)``.

    ``admit(openid)`` runs once WeChat has named the person and before anything is written (the per-person
    sign-in limit raises there).
    """
    wechat = wechat_client()
    if wechat is None:
        raise Conflict("开发模式未配置微信，请使用开发登录", code="wechat_not_configured")
    try:
        result = wechat.code2session(code)
    except WeChatError as exc:
        log.info("code2Session refused: errcode=%s", exc.errcode)
        raise wechat_error_to_app_error(exc) from None
    if admit is not None:
        admit(result["openid"])
    user = _user_for_openid(result["openid"], result.get("unionid"))
    if not user.is_active:
        raise PermissionDenied("账号已停用", code="account_disabled")
    return issue_session(user, client=client, wechat_session_key=result.get("session_key"))


def dev_login(openid: str, *, nickname: str = "", client: str = "") -> tuple[str, UserSession]:
    """开发登录: sign in as any openid, only in development WeChat mode (no app id, not production)."""
    if not wechat_dev_mode():
        raise NotFound()
    user = _user_for_openid(openid)
    if nickname and not user.nickname:
        user.nickname = nickname
    return issue_session(user, client=client)


def logout(session: UserSession) -> None:
    """退出登录: the token stops working at once."""
    session.revoked_at = utcnow()
    session.wechat_session_key = None


def bind_phone(user: User, code: str) -> User:
    """绑定手机号 from the getPhoneNumber button's code (optional: the button is paid and verified-only)."""
    wechat = wechat_client()
    if wechat is None:
        raise Conflict("开发模式未配置微信，无法获取手机号", code="wechat_not_configured")
    # The request has only read so far (its token): end that transaction before asking WeChat. No transaction
    # waits on an HTTP call, and on SQLite, where it holds the write lock, the token cache's writes need it.
    db.session.rollback()
    try:
        info = wechat.phone_number(code)
    except WeChatError as exc:
        log.info("getuserphonenumber refused: errcode=%s", exc.errcode)
        raise wechat_error_to_app_error(exc, code_invalid="手机号授权已失效，请重新授权") from None
    user.phone = info.get("purePhoneNumber") or info.get("phoneNumber")
    user.phone_country_code = info.get("countryCode") or "86"
    user.phone_verified_at = utcnow()
    return user


def unbind_phone(user: User) -> None:
    user.phone = None
    user.phone_country_code = None
    user.phone_verified_at = None


def purge_expired_sessions(now: dt.datetime | None = None) -> int:
    """Housekeeping: forget sessions that ended more than a day ago."""
    cutoff = (now or utcnow()) - dt.timedelta(days=1)
    return rowcount(db.session.execute(sa.delete(UserSession).where(UserSession.expires_at < cutoff)))
