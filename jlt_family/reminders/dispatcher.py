"""派发器: claims due reminders, pushes them as WeChat subscribe messages outside any transaction, marks them.

Any number of dispatcher processes may run against one database:

1. **Claim** (one short transaction): ``SELECT id ... WHERE status='pending' AND next_attempt_at <= now ORDER BY
   next_attempt_at LIMIT n FOR UPDATE SKIP LOCKED`` (MySQL/MariaDB; SQLite ignores the locking clause), then
   ``UPDATE ... SET status='sending', claim_token=:token, lease_until=:lease WHERE id IN (...) AND
   status='pending'``, commit, and read back the rows carrying *our* token: on SQLite, where two dispatchers
   may pick the same ids, the conditional UPDATE lets only one of them take each row.
2. **Begin** (per reminder, one short transaction): re-check the token while extending the lease and counting
   the attempt and recording that its send began (``send_started_at``; ``UPDATE ... WHERE id=:id AND
   claim_token=:token``; a row the reaper took back is skipped), and reserve one consent credit (``UPDATE ...
   SET credits = credits - 1 WHERE ... AND credits > 0``). No credit: the reminder is inbox-only.
3. **Send** the subscribe message, outside any transaction.
4. **Mark** at once (one UPDATE guarded by the token, committed): sent; retry later with exponential backoff
   and a cap (-1, 45009, 45011, token errors, timeouts, 5xx); inbox-only on 43101 (the consent is used up);
   failed on configuration errors (47003, 40037, 41030, ...: logged at ERROR). Credits of unsent messages are
   given back in the same transaction. A quota error or an unreachable WeChat (timeout, connection error,
   5xx) gives the rest of the batch back, due after the first backoff: a WeChat that is down costs one timeout
   per send thread and batch, not one per reminder.

The reaper returns ``sending`` rows whose lease expired (their dispatcher died or stalled) and the lease is
extended right before each send, so that a slow batch never lets the reaper hand an in-flight reminder to
another dispatcher.

**Consent credit and state follow WeChat's answer** (订阅消息额度; exactly once: no reminder lost, none pushed
twice). A credit is *reserved* in step 2, before the send, so that two sends can never share one credit; then:

- WeChat accepted the send: the credit stays spent, the reminder is ``sent``.
- The send did not happen (WeChat answered an error or a 5xx, the connection failed, a timeout: see the last
  paragraph): the credit is given back in the transaction that records the answer. A row put back before its
  send began (a released batch, a reaped lease with ``send_started_at`` empty) never spent one.
- 43101: WeChat says the consents are used up: the user's credits of the template become 0, the reminder is
  inbox-only (refused).
- **Unknown outcome**: a lease that expired after step 2 committed (``send_started_at`` set), so the dispatcher
  died or stalled between starting the send and recording WeChat's answer. The message may have been pushed and
  WeChat's API has no idempotency key, so pushing it again could deliver it twice and spend a second one-time
  consent (or get 43101 and mark a delivered reminder inbox-only). The reaper therefore never re-pushes it: it
  is marked ``sent`` as of ``send_started_at``, unconfirmed (``send_started_at`` stays set, ``last_error`` says
  so), its credit stays spent (the consent WeChat most likely used), and it stays in the inbox, so nothing is
  lost. The row keeps its claim token: if its dispatcher was only slow and its answer arrives after all, that
  answer is recorded as usual (and a credit given back if the send had failed).

The one remaining window for a duplicate is a send whose answer timed out after WeChat had accepted it: it is
retried as unsent (a WeChat that hangs must not turn every batch's first reminders into unconfirmed pushes), at
most one per send thread and batch.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import sqlalchemy as sa
from flask import current_app

from jlt_family.core.extensions import db
from jlt_family.core.sqlite_transactions import is_file_database
from jlt_family.core.timeutil import utcnow
from jlt_family.reminders.leases import (  # noqa: F401  (UNCONFIRMED, claim, reap: the dispatcher's API)
    UNCONFIRMED,
    Settings,
    _reminders,
    _seconds,
    _updated,
    claim,
    reap,
    release,
)
from jlt_family.reminders.models import InboxOutcome, ReminderMute, ReminderStatus, SubscribeConsent
from jlt_family.reminders.policy import Policy, policy_for_alliance
from jlt_family.reminders.templates import TemplateConfigError, message_data, message_page, template_for
from jlt_family.wechat import client as wechat
from jlt_family.wechat.client import TOKEN_ERRORS, WeChatClient, WeChatError

log = logging.getLogger(__name__)

NO_CONSENT = 43101
QUOTA_ERRORS = {45009, 45011}  # the whole app is over its quota: stop the batch, give the rest back
# Per reminder --------------------------------------------------------------------------------------------------


def _mark(reminder_id, token, refund=None, **values):
    """Finish a claimed reminder (token-guarded), give back a credit when the message was not sent; commit."""
    t = _reminders()
    done = _updated(
        sa.update(t)
        .where(t.c.id == reminder_id, t.c.claim_token == token)
        .values(claim_token=None, lease_until=None, send_started_at=None, **values)
    )
    if done and refund:
        _change_credits(*refund, SubscribeConsent.credits + 1)
    db.session.commit()
    if not done:
        log.warning("reminder %s: lease lost before marking %s", reminder_id, values.get("status"))
    return bool(done)


def _change_credits(user_id, template_id, value, *conditions):
    c = SubscribeConsent.__table__
    return _updated(
        sa.update(c)
        .where(c.c.user_id == user_id, c.c.template_id == template_id, *conditions)
        .values(credits=value, updated_at=utcnow())
    )


def _begin(reminder, token, template_id, now, settings):
    """Re-check our claim (extending the lease, counting the attempt) and spend a credit; commit.

    Returns "ok", "lost" (the reaper took it back) or "no_credit" (marked inbox-only).
    """
    t = _reminders()
    ours = _updated(
        sa.update(t)
        .where(t.c.id == reminder.id, t.c.claim_token == token, t.c.status == ReminderStatus.SENDING)
        .values(lease_until=settings.lease(now), attempts=t.c.attempts + 1, send_started_at=now)
    )
    if not ours:
        db.session.rollback()
        return "lost"
    if not _change_credits(reminder.user_id, template_id, SubscribeConsent.credits - 1, SubscribeConsent.credits > 0):
        db.session.rollback()
        _mark(reminder.id, token, status=ReminderStatus.INBOX_ONLY, outcome=InboxOutcome.NO_CREDIT)
        return "no_credit"
    db.session.commit()
    return "ok"


def _held_for_quiet_hours(reminder, token, now, policy=None):
    """No push inside the alliance's quiet hours, whatever brought the row here now (a retry, a released batch,
    a reaped lease): put it back for the end of the quiet hours, or inbox-only when its event is over by then."""
    policy = policy or policy_for_alliance(reminder.alliance_id)
    if not policy.is_quiet(now):
        return False
    resume = policy.push_time(now)
    if reminder.ends_at is not None and resume >= reminder.ends_at:
        _inbox_only(reminder, token, InboxOutcome.QUIET_HOURS)
    else:
        _mark(reminder.id, token, status=ReminderStatus.PENDING, next_attempt_at=resume)
    return True


def _inbox_only(reminder, token, outcome):
    return _mark(reminder.id, token, status=ReminderStatus.INBOX_ONLY, outcome=outcome)


def deliver(
    reminder: Any,
    openid: str | None,
    muted: set[str],
    token: str,
    client: WeChatClient | None,
    now: dt.datetime,
    settings: Settings,
    policy: Policy | None = None,
) -> WeChatError | None:
    """Push one claimed reminder (or put it in the inbox only). Returns the WeChat error, if any. ``policy``: its
    alliance's reminder policy when the caller has it (else read here)."""
    if client is None:
        log.info("reminder %s to user %s (development, inbox only): %s", reminder.id, reminder.user_id, reminder.title)
        _inbox_only(reminder, token, InboxOutcome.DEVELOPMENT)
        return None
    template = template_for(reminder.kind)
    outcome = (
        InboxOutcome.NO_TEMPLATE
        if template is None
        else InboxOutcome.NO_OPENID
        if not openid
        else InboxOutcome.MUTED
        if reminder.kind in muted
        else None
    )
    if outcome:
        _inbox_only(reminder, token, outcome)
        return None
    assert template is not None and openid  # narrowed: no outcome means a template and an openid
    try:
        data, page = message_data(template, reminder), message_page(template, reminder)
    except TemplateConfigError as exc:
        log.error("reminder %s: template mapping of %r is broken: %s", reminder.id, reminder.kind, exc)
        _mark(reminder.id, token, status=ReminderStatus.FAILED, last_error=str(exc)[:200])
        return None
    if _held_for_quiet_hours(reminder, token, now, policy):
        return None
    template_id = template["template_id"]
    if _begin(reminder, token, template_id, now, settings) != "ok":
        return None
    try:
        client.send_subscribe_message(openid, template_id, data, page)
    except WeChatError as exc:
        _failed_send(reminder, token, template_id, exc, now, settings)
        return exc
    _mark(
        reminder.id, token, status=ReminderStatus.SENT, sent_at=now, outcome=None, last_error_code=None, last_error=""
    )
    return None


def _failed_send(reminder, token, template_id, exc, now, settings):
    refund = (reminder.user_id, template_id)
    error = {"last_error_code": exc.errcode, "last_error": f"{exc.errcode} {exc.errmsg}"[:200]}
    if exc.errcode == NO_CONSENT:
        _change_credits(reminder.user_id, template_id, 0)  # WeChat knows better: the consents are used up
        _mark(reminder.id, token, status=ReminderStatus.INBOX_ONLY, outcome=InboxOutcome.REFUSED, **error)
        return
    attempts = reminder.attempts + 1
    if exc.retryable or exc.errcode in TOKEN_ERRORS:
        if attempts >= settings.max_attempts:
            log.warning("reminder %s failed after %d attempts: %s", reminder.id, attempts, exc)
            _mark(reminder.id, token, refund, status=ReminderStatus.FAILED, **error)
            return
        retry_at = now + _seconds(settings.backoff(attempts))
        _mark(reminder.id, token, refund, status=ReminderStatus.PENDING, next_attempt_at=retry_at, **error)
        return
    log.error(
        "reminder %s (kind %s, template %s) refused by WeChat as misconfigured: %s",
        reminder.id,
        reminder.kind,
        template_id,
        exc,
    )
    _mark(reminder.id, token, refund, status=ReminderStatus.FAILED, **error)


# Batches -------------------------------------------------------------------------------------------------------


def _muted_kinds(user_ids):
    rows = db.session.execute(
        sa.select(ReminderMute.user_id, ReminderMute.kind).where(ReminderMute.user_id.in_(user_ids))
    ).all()
    muted = {}
    for user_id, kind in rows:
        muted.setdefault(user_id, set()).add(kind)
    return muted


def _send_threads(settings: Settings) -> int:
    """Sends of a batch run on a few threads: each waits for WeChat outside any transaction, so on a SQLite file
    too their sends overlap while their short transactions take the one write lock in turn. One on an in-memory
    SQLite database, whose single shared connection cannot serve two threads."""
    if db.engine.dialect.name == "sqlite" and not is_file_database(db.engine):
        return 1
    return max(1, settings.send_threads)


def _policies(alliance_ids):
    """{alliance_id: its reminder policy} for a batch: read once per batch, not once per reminder."""
    return {alliance_id: policy_for_alliance(alliance_id) for alliance_id in alliance_ids}


def _deliver_rows(rows, muted, token, client, clock, settings, stop, policies):
    """Deliver rows in order until done or ``stop`` is set (a quota error or an unreachable WeChat, here or on
    another thread)."""
    # One client per batch and thread, keeping its access token: not one read of the shared cache per send.
    client = client if client is not None else wechat.client(keep_token=True)
    for row in rows:
        if stop.is_set():
            return
        error = deliver(
            row,
            row.openid,
            muted.get(row.user_id, set()),
            token,
            client,
            clock(),
            settings,
            policies.get(row.alliance_id),
        )
        if error is not None and error.errcode in QUOTA_ERRORS:
            log.warning("WeChat quota reached (%s): giving back the rest of the batch", error.errcode)
            stop.set()
        elif error is not None and error.errcode is None:
            # Unreachable, timed out or 5xx: the next sends would each wait as long, one timeout per reminder.
            log.warning("WeChat unavailable (%s): giving back the rest of the batch", error.errmsg)
            stop.set()


def _deliver_on_thread(app, *args):
    with app.app_context():
        _deliver_rows(*args)


def dispatch_once(
    clock: Callable[[], dt.datetime] = utcnow, settings: Settings | None = None, client: WeChatClient | None = None
) -> int:
    """Claim one batch and deliver it (on ``send_threads`` threads); returns how many were claimed."""
    settings = settings or Settings.from_config(current_app.config)
    token, rows = claim(clock(), settings)
    if not rows:
        return 0
    muted = _muted_kinds({row.user_id for row in rows})
    policies = _policies({row.alliance_id for row in rows})
    db.session.commit()
    stop = threading.Event()
    threads = min(_send_threads(settings), len(rows))
    if threads == 1:
        _deliver_rows(rows, muted, token, client, clock, settings, stop, policies)
    else:
        app = current_app._get_current_object()  # type: ignore[attr-defined]  # the app itself, for the threads
        with ThreadPoolExecutor(threads, thread_name_prefix="reminder-send") as pool:
            futures = [
                pool.submit(
                    _deliver_on_thread, app, rows[i::threads], muted, token, client, clock, settings, stop, policies
                )
                for i in range(threads)
            ]
            for future in futures:
                future.result()
    if stop.is_set():
        release(token, [row.id for row in rows], clock() + _seconds(settings.backoff(1)))
    return len(rows)


def drain(
    clock: Callable[[], dt.datetime] = utcnow,
    settings: Settings | None = None,
    max_seconds: float | None = None,
    client: WeChatClient | None = None,
) -> int:
    """Dispatch batches until nothing is due (or ``max_seconds`` passed); returns how many were claimed."""
    started, total = time.monotonic(), 0
    while True:
        claimed = dispatch_once(clock, settings, client)
        total += claimed
        if not claimed or (max_seconds is not None and time.monotonic() - started >= max_seconds):
            return total
