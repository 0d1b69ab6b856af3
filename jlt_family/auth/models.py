"""Users and their sessions."""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jlt_family.core.db_types import UTCDateTime
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import utcnow


class User(db.Model):
    """用户: a person who signs in with WeChat (a guardian, a teacher, venue staff, an admin, or several).

    Staff roles come from ``StaffMembership`` rows; being a guardian from a ``Guardian`` row.
    """

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    unionid: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    nickname: Mapped[str] = mapped_column(sa.String(40), default="")
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    phone_country_code: Mapped[str | None] = mapped_column(sa.String(6))
    phone_verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    sessions: Mapped[list["UserSession"]] = relationship(back_populates="user", cascade="all, delete-orphan")


class UserSession(db.Model):
    """登录会话: one signed token's server-side record; revoking it (logout) ends the token at once."""

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)  # the token's jti
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    client: Mapped[str] = mapped_column(sa.String(200), default="")
    # WeChat's session_key for this login: kept on the server only (never in a response or a log).
    wechat_session_key: Mapped[str | None] = mapped_column(sa.String(64))

    user: Mapped[User] = relationship(back_populates="sessions")

    def is_valid(self, now: dt.datetime | None = None) -> bool:
        now = now or utcnow()
        return self.revoked_at is None and self.expires_at > now
