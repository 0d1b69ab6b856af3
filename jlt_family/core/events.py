"""Domain events: what happened, announced inside the transaction that made it happen.

Each event is a frozen dataclass, its payload (the one definition of what the event carries), declared with the
``Event`` that carries it: ``session_cancelled = Event("courses.session_cancelled", SessionCancelled)``. A
service sends it after flushing the change, ``session_cancelled.send(session, SessionCancelled(...))``, and a
receiver takes the payload: ``def on_cancelled(sender: object, event: SessionCancelled) -> None``, connected by
the app factory with ``session_cancelled.receive(on_cancelled)``. Receivers run synchronously in the same
transaction, so what they write (the reminders module writes reminder rows) commits or rolls back together with
the change itself. With no receiver connected, sending does nothing; that is how a domain announces changes
before (or without) reminders.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from blinker import Namespace

_events = Namespace()

P = TypeVar("P")


class Event(Generic[P]):
    """领域事件: one kind of event, its payload dataclass and the blinker signal that carries it."""

    def __init__(self, name: str, payload: type[P]) -> None:
        self.name = name
        self.payload = payload
        self.signal = _events.signal(name, doc=payload.__doc__)
        self._receivers: dict[Callable[[Any, P], None], _PayloadReceiver[P]] = {}

    def send(self, sender: object, payload: P | None = None, /, **fields: Any) -> None:
        """Announce the event to every receiver, now, in the caller's transaction; ``sender`` is the domain object.

        ``send(booking, Notice(kind=..., ...))`` is the typed form. The keyword form, ``send(booking, kind=...,
        ...)``, builds the same payload first, so a sender breaking the contract gets a TypeError at once (not a
        silently missing reminder), whether or not a receiver is connected.
        """
        if payload is None:
            self.payload(**fields)  # the contract: a missing or unknown keyword is a TypeError here
        elif fields or not isinstance(payload, self.payload):
            raise TypeError(f"{self.name}: send a {self.payload.__name__}, or its fields as keywords")
        else:
            fields = {field.name: getattr(payload, field.name) for field in dataclasses.fields(payload)}  # type: ignore[arg-type]
        self.signal.send(sender, **fields)

    def receive(self, receiver: Callable[[Any, P], None]) -> None:
        """Connect a receiver of the payload: ``receiver(sender, payload)`` (idempotent)."""
        adapter = self._receivers.setdefault(receiver, _PayloadReceiver(receiver, self.payload))
        self.signal.connect(adapter, weak=False)

    def connect(self, receiver: Callable[..., Any]) -> None:
        """Connect a receiver of the payload's fields as keywords, ``receiver(sender, **fields)`` (tests record so)."""
        self.signal.connect(receiver)

    def disconnect(self, receiver: Callable[..., Any]) -> None:
        """Disconnect a receiver connected with ``receive`` or ``connect``."""
        self.signal.disconnect(self._receivers.pop(receiver, receiver))


class _PayloadReceiver(Generic[P]):
    """What blinker calls: the fields sent, rebuilt into the payload for the receiver."""

    def __init__(self, receiver: Callable[[Any, P], None], payload: type[P]) -> None:
        self.receiver = receiver
        self.payload = payload

    def __call__(self, sender: object, **fields: Any) -> None:
        self.receiver(sender, self.payload(**fields))


# --- The reminder contract -------------------------------------------------------------------------------------
# Courses, home visits and venue bookings announce what families and staff must be reminded of with these three
# events; the reminders module receives them and writes reminder rows in the same transaction. ``sender`` is the
# domain object (a session, a visit, a booking).


@dataclasses.dataclass(frozen=True, kw_only=True)
class ScheduleReminders:
    """提醒计划: remind ``user_ids`` before something they take part in (replaces their pending reminders of it).

    kind                stable reminder kind, e.g. "course_session", "home_visit", "venue_booking"
    subject_type        e.g. "course_session"; with subject_id it identifies the thing
    starts_at, ends_at  aware datetimes of the thing itself (lead times are counted back from starts_at)
    title               what it is, in Chinese (e.g. the course title)
    page                the mini-program page to open, e.g. "pages/course/session?id=12"
    school_id           whose alliance's reminder policy applies (None: the default policy)
    place               where ("" when there is nothing to say)
    replace             False for a thing created in this very transaction, which has no reminders to replace
                        (skipping the replacing UPDATE, whose range locks on the reminder index would otherwise
                        make concurrent bookings of different things wait for each other)
    """

    kind: str
    subject_type: str
    subject_id: int
    user_ids: Sequence[int]
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    title: str
    page: str
    school_id: int | None
    place: str = ""
    replace: bool = True


@dataclasses.dataclass(frozen=True, kw_only=True)
class CancelReminders:
    """取消提醒: cancel the pending reminders of a thing, of ``user_ids`` (None: everyone's)."""

    subject_type: str
    subject_id: int
    user_ids: Sequence[int] | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Notice:
    """即时通知: tell ``user_ids`` at once that something changed (confirmed, rejected, moved, cancelled, promoted ...).

    ``title`` short and ``body`` one or two sentences, both Chinese; ``school_id`` as for ``ScheduleReminders``.
    """

    kind: str
    subject_type: str
    subject_id: int
    user_ids: Sequence[int]
    title: str
    body: str
    page: str
    school_id: int | None


schedule_reminders = Event("reminders.schedule", ScheduleReminders)
cancel_reminders = Event("reminders.cancel", CancelReminders)
send_notice = Event("reminders.notice", Notice)
