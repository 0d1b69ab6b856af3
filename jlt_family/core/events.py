"""Domain events: what happened, announced inside the transaction that made it happen.

A domain declares its events in its ``events.py`` (``session_cancelled = event("courses.session_cancelled",
"...")``) and its services send them after flushing the change (``session_cancelled.send(session,
recipients=[...])``). Receivers run synchronously in the same transaction, so what they write (the reminders
module writes reminder rows) commits or rolls back together with the change itself. With no receiver
connected, sending does nothing; that is how a domain announces changes before (or without) reminders.
"""

from blinker import Namespace

_events = Namespace()


def event(name, doc):
    """Declare a named domain event (a blinker signal)."""
    return _events.signal(name, doc=doc)


# --- The reminder contract -------------------------------------------------------------------------------------
# Courses, home visits and venue bookings announce what families and staff must be reminded of with these three
# events; the reminders module receives them and writes reminder rows in the same transaction. Every keyword is
# required unless marked optional; ``sender`` is the domain object (a session, a visit, a booking).

schedule_reminders = event(
    "reminders.schedule",
    """Remind ``user_ids`` before something they take part in (replaces their pending reminders of it).

    kind: str           stable reminder kind, e.g. "course_session", "home_visit", "venue_booking"
    subject_type: str   e.g. "course_session"; with subject_id it identifies the thing
    subject_id: int
    user_ids: list[int]
    starts_at, ends_at: aware datetimes of the thing itself (lead times are counted back from starts_at)
    title: str          what it is, in Chinese (e.g. the course title)
    place: str          where (optional, "")
    replace: bool       optional, default True; False for a thing created in this very transaction, which has
                        no reminders to replace (skipping the replacing UPDATE, whose range locks on the reminder
                        index would otherwise make concurrent bookings of different things wait for each other)
    page: str           the mini-program page to open, e.g. "pages/course/session?id=12"
    school_id: int      whose alliance's reminder policy applies (None: the default policy)
    """,
)

cancel_reminders = event(
    "reminders.cancel",
    """Cancel the pending reminders of a thing: subject_type, subject_id, user_ids (optional: None means everyone).""",
)

send_notice = event(
    "reminders.notice",
    """Tell ``user_ids`` at once that something changed (confirmed, rejected, moved, cancelled, promoted ...).

    kind: str, subject_type: str, subject_id: int, user_ids: list[int], title: str (short, Chinese),
    body: str (one or two Chinese sentences), page: str, school_id: int | None
    """,
)
