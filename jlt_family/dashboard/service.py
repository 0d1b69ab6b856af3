"""Dashboard accounts: invites, choosing a login name and password, signing in and out.

Rules only: no ``flask.request``, no commit (the views do both). Passwords are hashed with werkzeug.security
and never logged; invite tokens are stored as their SHA-256 only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from jlt_family.auth.context import Actor
from jlt_family.auth.models import User, UserSession
from jlt_family.core.errors import Conflict, NotFound, PermissionDenied, Unauthenticated, ValidationFailed
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import utcnow
from jlt_family.dashboard.models import DashboardAccount, DashboardInvite
from jlt_family.organizations import permissions
from jlt_family.organizations.models import StaffMembership
from jlt_family.organizations.service import SCOPE_MODELS

SESSION_CLIENT = "dashboard"  # UserSession.client prefix of dashboard sessions (API tokens never match it)
LOGIN_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_.-]{2,31}$")
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 128
# A few passwords every guesser tries first; the length and character rules catch most others.
COMMON_PASSWORDS = frozenset(
    {
        "password123",
        "password1234",
        "1234567890",
        "12345678910",
        "qwertyuiop",
        "qwerty12345",
        "abc1234567",
        "abcd123456",
        "a123456789",
        "1q2w3e4r5t",
        "iloveyou123",
        "admin12345",
        "woaini1314",
        "aa12345678",
    }
)
# Compared against when the login name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password-0")


def _updated(statement: sa.Update) -> int:
    """Run an UPDATE in the session's transaction; how many rows it changed."""
    return cast(sa.CursorResult[Any], db.session.execute(statement)).rowcount


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Who may use the dashboard and invite whom --------------------------------------------------------------------


def holds_dashboard_role(actor: Actor) -> bool:
    """Only school, alliance and region admins see the dashboard (checked on every request)."""
    return any(m.role in permissions.ADMIN_ROLES for m in actor.memberships)


def can_invite(actor: Actor, user: User) -> bool:
    """An admin may invite a staff user all of whose roles they could grant (a staff user wholly in their scope).

    The invite link goes to the inviter, and whoever follows it sets the user's password: a user who also holds a
    role beyond the inviter's reach (a teacher here who is a region admin elsewhere) is not theirs to invite, or a
    school admin could sign in to the dashboard as a region admin.
    """
    memberships = db.session.scalars(
        sa.select(StaffMembership).where(StaffMembership.user_id == user.id, StaffMembership.revoked_at.is_(None))
    ).all()
    if not memberships:
        return False
    for membership in memberships:
        column = next(c for c in SCOPE_MODELS if getattr(membership, c) is not None)
        scope = cast("permissions.Scope | None", db.session.get(SCOPE_MODELS[column], getattr(membership, column)))
        if scope is None or not permissions.can_grant(actor, membership.role, scope):
            return False
    return True


# Invites -------------------------------------------------------------------------------------------------------


def issue_invite(user: User, created_by: User, now: dt.datetime | None = None) -> tuple[DashboardInvite, str]:
    """驾驶舱邀请: a new single-use link for ``user``; earlier unused ones stop working. Returns (invite, token)."""
    now = now or utcnow()
    db.session.execute(
        sa.update(DashboardInvite)
        .where(
            DashboardInvite.user_id == user.id, DashboardInvite.used_at.is_(None), DashboardInvite.revoked_at.is_(None)
        )
        .values(revoked_at=now)
    )
    token = secrets.token_urlsafe(32)
    ttl = dt.timedelta(hours=current_app.config["DASHBOARD_INVITE_TTL_HOURS"])
    invite = DashboardInvite(
        token_hash=token_hash(token), user_id=user.id, created_by_id=created_by.id, created_at=now, expires_at=now + ttl
    )
    db.session.add(invite)
    db.session.flush()
    return invite, token


def open_invite(token: str, now: dt.datetime | None = None) -> DashboardInvite:
    """The invite of ``token`` if it can still be used; a 404 for an unknown one, 409 for a used or expired one."""
    now = now or utcnow()
    invite = db.session.scalar(sa.select(DashboardInvite).where(DashboardInvite.token_hash == token_hash(token)))
    if invite is None or not invite.user.is_active:
        raise NotFound("邀请链接无效", code="dashboard_invite_not_found")
    if invite.used_at is not None or invite.revoked_at is not None:
        raise Conflict("该邀请链接已使用或已失效，请重新申请", code="dashboard_invite_used")
    if invite.expires_at <= now:
        raise Conflict("该邀请链接已过期，请重新申请", code="dashboard_invite_expired")
    return invite


def account_of(user_id: int) -> DashboardAccount | None:
    return db.session.scalar(sa.select(DashboardAccount).where(DashboardAccount.user_id == user_id))


def check_credentials(login_name: str, password: str, user_id: int | None = None) -> dict[str, list[str]]:
    """Field errors of a chosen login name and password ({} when both are fine)."""
    errors = {}
    if not LOGIN_NAME_PATTERN.match(login_name):
        errors["login_name"] = ["登录名须为 3–32 位小写字母、数字或 _ . -，以字母开头"]
    else:
        taken = db.session.scalar(sa.select(DashboardAccount.user_id).where(DashboardAccount.login_name == login_name))
        if taken is not None and taken != user_id:
            errors["login_name"] = ["该登录名已被使用"]
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        errors["password"] = [f"密码长度须为 {PASSWORD_MIN_LENGTH}–{PASSWORD_MAX_LENGTH} 位"]
    elif not (re.search(r"[A-Za-z]", password) and re.search(r"[0-9]", password)):
        errors["password"] = ["密码须同时包含字母和数字"]
    elif password.lower() in COMMON_PASSWORDS or login_name in password.lower() or len(set(password)) < 5:
        errors["password"] = ["密码过于简单，请换一个"]
    return errors


def redeem_invite(token: str, login_name: str, password: str, now: dt.datetime | None = None) -> DashboardAccount:
    """Use an invite: set the user's login name and password (a new account or a new password).

    The invite is claimed with one conditional UPDATE, so of two concurrent uses exactly one wins. A new password
    ends every dashboard session of the user.
    """
    now = now or utcnow()
    login_name = login_name.strip().lower()
    invite = open_invite(token, now)
    errors = check_credentials(login_name, password, invite.user_id)
    if errors:
        raise ValidationFailed("请检查登录名和密码", code="dashboard_credentials_invalid", errors={"form": errors})
    claimed = _updated(
        sa.update(DashboardInvite)
        .where(
            DashboardInvite.id == invite.id,
            DashboardInvite.used_at.is_(None),
            DashboardInvite.revoked_at.is_(None),
            DashboardInvite.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed != 1:
        raise Conflict("该邀请链接已使用或已失效，请重新申请", code="dashboard_invite_used")
    account = account_of(invite.user_id)
    if account is None:
        account = DashboardAccount(user_id=invite.user_id, created_at=now)
        db.session.add(account)
    account.login_name = login_name
    account.password_hash = generate_password_hash(password)
    account.password_changed_at = now
    end_all_sessions(invite.user_id, now)
    db.session.flush()  # a login name taken meanwhile fails here (unique key), undoing the claim too
    return account


# Signing in and out --------------------------------------------------------------------------------------------


def authenticate(login_name: str, password: str) -> DashboardAccount:
    """The account of a correct login name and password; one and the same error for a wrong name or password."""
    account = db.session.scalar(
        sa.select(DashboardAccount).where(DashboardAccount.login_name == login_name.strip().lower()[:64])
    )
    if len(password) > PASSWORD_MAX_LENGTH:  # never a valid one; not worth hashing megabytes
        account, password = None, password[:PASSWORD_MAX_LENGTH]
    if account is None:
        check_password_hash(_DUMMY_HASH, password)
        raise Unauthenticated("登录名或密码错误", code="dashboard_login_failed")
    if not check_password_hash(account.password_hash, password) or not account.user.is_active:
        raise Unauthenticated("登录名或密码错误", code="dashboard_login_failed")
    return account


def start_session(
    account: DashboardAccount, actor: Actor, *, client: str = "", now: dt.datetime | None = None
) -> UserSession:
    """A dashboard session (a ``UserSession`` marked as the dashboard's) for an admin; 403 for anyone else."""
    if not holds_dashboard_role(actor):
        raise PermissionDenied("仅学校、教联体和教育局管理员可使用管理驾驶舱", code="dashboard_not_allowed")
    now = now or utcnow()
    ttl = dt.timedelta(hours=current_app.config["DASHBOARD_SESSION_HOURS"])
    session = UserSession(
        id=secrets.token_hex(16),
        user_id=account.user_id,
        created_at=now,
        expires_at=now + ttl,
        client=f"{SESSION_CLIENT} {client}"[:200],
    )
    db.session.add(session)
    account.last_login_at = now
    return session


def resolve_session(session_id: str | None, now: dt.datetime | None = None) -> User | None:
    """The user of a live dashboard session, or None (ended, expired, password changed since, account gone)."""
    now = now or utcnow()
    session = db.session.get(UserSession, session_id) if session_id else None
    if session is None or not session.client.startswith(SESSION_CLIENT) or not session.is_valid(now):
        return None
    account = account_of(session.user_id)
    if account is None or session.created_at < account.password_changed_at or not session.user.is_active:
        return None
    return session.user


def end_session(session_id: str | None, now: dt.datetime | None = None) -> None:
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.id == session_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )


def end_all_sessions(user_id: int, now: dt.datetime | None = None) -> None:
    """Every dashboard session of the user ends (a new password)."""
    db.session.execute(
        sa.update(UserSession)
        .where(
            UserSession.user_id == user_id,
            UserSession.revoked_at.is_(None),
            UserSession.client.startswith(SESSION_CLIENT),
        )
        .values(revoked_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
