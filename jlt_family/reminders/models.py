"""Reminders: the outbox that is also the in-app inbox, subscribe-message consent credits, mutes and broadcasts."""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from jlt_family.core.db_types import BigId, StrEnum, UTCDateTime, str_enum
from jlt_family.core.extensions import db
from jlt_family.core.lifecycle import Lifecycle
from jlt_family.core.timeutil import utcnow


class ReminderStatus(StrEnum):
    PENDING = "pending"  # waiting for next_attempt_at (first try or a retry)
    SENDING = "sending"  # claimed by a dispatcher: claim_token and lease_until are set
    SENT = "sent"  # pushed as a WeChat subscribe message (and in the inbox)
    INBOX_ONLY = "inbox_only"  # in the inbox, not pushed: see ``outcome`` (no credit, muted, no openid ...)
    FAILED = "failed"  # the push failed for good (configuration error or retries exhausted); still in the inbox
    CANCELLED = "cancelled"  # the thing was cancelled or moved before the reminder went out


class InboxOutcome(StrEnum):
    """Why a reminder landed in the inbox without a push."""

    DEVELOPMENT = "development"  # no WECHAT_APPID: nothing is sent to WeChat
    NO_TEMPLATE = "no_template"  # no template configured for the kind
    NO_OPENID = "no_openid"  # the user never signed in with WeChat
    MUTED = "muted"  # the user muted pushes of this kind
    NO_CREDIT = "no_credit"  # no consent credit left for the template
    REFUSED = "refused"  # WeChat answered 43101: the user's consent is used up
    QUIET_HOURS = "quiet_hours"  # the push would have fallen after the event, past the quiet hours


class Reminder(db.Model):
    """提醒: one message to one user, an outbox row for the dispatcher and an item of the user's inbox.

    ``inbox_at``: when it shows in the inbox; ``due_at``: when it should be pushed (later inside quiet hours);
    ``next_attempt_at``: when the dispatcher may next claim it (``due_at``, then the retry backoff). A claimed
    row is ``sending`` with a ``claim_token`` and a ``lease_until``; the reaper returns expired leases (see the
    dispatcher for a lease that expired mid-send: ``send_started_at``).
    """

    __tablename__ = "reminder"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    subject_type: Mapped[str] = mapped_column(sa.String(40))
    subject_id: Mapped[int] = mapped_column(sa.BigInteger)
    alliance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("alliance.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(100))
    body: Mapped[str] = mapped_column(sa.String(500), default="")
    place: Mapped[str] = mapped_column(sa.String(100), default="")
    page: Mapped[str] = mapped_column(sa.String(300), default="")
    starts_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    inbox_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[ReminderStatus] = mapped_column(str_enum(ReminderStatus), default=ReminderStatus.PENDING)
    outcome: Mapped[InboxOutcome | None] = mapped_column(str_enum(InboxOutcome))
    claim_token: Mapped[str | None] = mapped_column(sa.String(32))
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # When the current attempt's push began (the send may have reached WeChat); cleared when its answer is
    # recorded. Still set on a ``sent`` row: the dispatcher stopped before WeChat answered (sent, unconfirmed).
    send_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_error_code: Mapped[int | None] = mapped_column(sa.Integer)
    last_error: Mapped[str] = mapped_column(sa.String(200), default="")
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        # The dispatcher's claim (status = pending, next_attempt_at <= now, oldest first) and the reaper's scan.
        sa.Index("ix_reminder_claim", "status", "next_attempt_at"),
        sa.Index("ix_reminder_lease", "status", "lease_until"),
        # The inbox of a user, newest first; replacing or cancelling the reminders of a thing.
        sa.Index("ix_reminder_inbox", "user_id", "inbox_at"),
        sa.Index("ix_reminder_subject", "subject_type", "subject_id", "status"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


# 提醒的状态: created ``pending`` (or ``inbox_only``: past the quiet hours, nothing to push). The dispatcher claims
# (pending → sending) and marks what the push gave; its release, a retry, a hold for the quiet hours and the reaper
# of expired leases give a claimed row back (sending → pending); cancelling a thing cancels its reminders still to
# be sent. The dispatcher and the cancelling paths change many rows per statement (conditional bulk UPDATEs), so
# they check their states against this table (``sources``) and write no history row per reminder: the columns keep
# it (attempts, last_error, sent_at, outcome), and a row per reminder would double the writes of every delivery.
LIFECYCLE = Lifecycle(
    aggregate="reminder",
    model=Reminder,
    transitions={
        # pending → inbox_only: the demo data delivers due reminders without WeChat (development only)
        ReminderStatus.PENDING: frozenset(
            {ReminderStatus.SENDING, ReminderStatus.CANCELLED, ReminderStatus.INBOX_ONLY}
        ),
        ReminderStatus.SENDING: frozenset(
            {
                ReminderStatus.PENDING,
                ReminderStatus.SENT,
                ReminderStatus.INBOX_ONLY,
                ReminderStatus.FAILED,
                ReminderStatus.CANCELLED,
            }
        ),
    },
)


class SubscribeConsent(db.Model):
    """订阅消息授权: one-time consents a user gave to a template (wx.requestSubscribeMessage); one push each."""

    __tablename__ = "subscribe_consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    template_id: Mapped[str] = mapped_column(sa.String(64))
    credits: Mapped[int] = mapped_column(sa.Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("user_id", "template_id"),
        sa.CheckConstraint("credits >= 0", name="credits_not_negative"),
    )


class ReminderMute(db.Model):
    """免打扰: a kind of reminder the user does not want pushed (it still lands in the inbox)."""

    __tablename__ = "reminder_mute"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("user_id", "kind"),)


class Broadcast(db.Model):
    """教联体通知: a notice an alliance admin sends to the families of its schools (or chosen schools, grades)."""

    __tablename__ = "reminder_broadcast"

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(sa.ForeignKey("alliance.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(100))
    body: Mapped[str] = mapped_column(sa.String(500))
    page: Mapped[str] = mapped_column(sa.String(300), default="")
    school_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    grades: Mapped[list] = mapped_column(sa.JSON, default=list)
    recipients: Mapped[int] = mapped_column(sa.Integer, default=0)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
