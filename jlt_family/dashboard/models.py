"""Dashboard accounts and their invites."""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jlt_family.core.db_types import UTCDateTime
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import utcnow


class DashboardAccount(db.Model):
    """驾驶舱账号: the login name and password hash a staff user signs in to the web dashboard with.

    One per user. The password is only ever stored hashed (werkzeug.security); ``password_changed_at`` ends
    every dashboard session that started before it.
    """

    __tablename__ = "dashboard_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    login_name: Mapped[str] = mapped_column(sa.String(32))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    password_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped["User"] = relationship()  # noqa: F821

    __table_args__ = (
        sa.UniqueConstraint("user_id", name="uq_dashboard_account_user_id"),
        sa.UniqueConstraint("login_name", name="uq_dashboard_account_login_name"),
    )


class DashboardInvite(db.Model):
    """驾驶舱邀请: a single-use, expiring link with which a staff user sets their login name and password.

    Only the SHA-256 of the token is stored; the link is shown once, to whoever issued it.
    """

    __tablename__ = "dashboard_invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped["User"] = relationship(foreign_keys=[user_id])  # noqa: F821

    __table_args__ = (sa.UniqueConstraint("token_hash", name="uq_dashboard_invite_token_hash"),)

    def is_open(self, now=None):
        now = now or utcnow()
        return self.used_at is None and self.revoked_at is None and self.expires_at > now
