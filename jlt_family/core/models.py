"""Core tables: the audit log, the state history, idempotency records and rate-limit counters."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jlt_family.core.db_types import BigId, UTCDateTime
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import utcnow


class AuditLog(db.Model):
    """审计日志: who read or changed sensitive data of a minor, what, when.

    ``subject_type``/``subject_id`` name what was read or changed (for a list: its scope, e.g. the class of a
    roster); ``school_id`` the school whose leaders see the entry, ``region_id`` the region of a scope that is
    no school's (a resource unit, an alliance, a region); ``row_count`` how many rows a read showed.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    actor_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(64))
    subject_type: Mapped[str] = mapped_column(sa.String(40))
    subject_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("region.id"), index=True)
    row_count: Mapped[int | None] = mapped_column(sa.Integer)
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, index=True)

    actor: Mapped["User | None"] = relationship()  # noqa: F821

    __table_args__ = (sa.Index("ix_audit_log_subject", "subject_type", "subject_id"),)


class StateChange(db.Model):
    """状态变更记录: one change of an aggregate's state (who, when, from, to, why), written by ``Lifecycle``.

    ``aggregate`` names the life cycle (``booking``, ``enrolment``, ...), ``aggregate_id`` the row;
    ``from_state`` is None for the row's creation; ``actor_user_id`` is None for the system (a job).
    """

    __tablename__ = "state_change"
    REASON_LENGTH = 500

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    aggregate: Mapped[str] = mapped_column(sa.String(40))
    aggregate_id: Mapped[int] = mapped_column(sa.BigInteger)
    from_state: Mapped[str | None] = mapped_column(sa.String(40))
    to_state: Mapped[str] = mapped_column(sa.String(40))
    actor_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(sa.String(REASON_LENGTH))
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped["User | None"] = relationship()  # noqa: F821

    __table_args__ = (sa.Index("ix_state_change_aggregate", "aggregate", "aggregate_id", "id"),)


class IdempotencyRecord(db.Model):
    """幂等记录: the first answer to a creating POST, replayed for a retry with the same key and body."""

    __tablename__ = "idempotency_record"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(80))
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    status_code: Mapped[int | None] = mapped_column(sa.Integer)
    response_body: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, index=True)

    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)


class RateLimitCounter(db.Model):
    """限流计数: hits of one key in one fixed window (shared by every worker through the database)."""

    __tablename__ = "rate_limit_counter"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    bucket: Mapped[str] = mapped_column(sa.String(120))
    window_start: Mapped[int] = mapped_column(sa.BigInteger)
    hits: Mapped[int] = mapped_column(sa.Integer, default=0)

    __table_args__ = (sa.UniqueConstraint("bucket", "window_start"),)
