"""微信服务端接口: code2Session, getStableAccessToken, phone number, subscribe messages, text security check.

A thin client over ``requests``; ``WECHAT_API_BASE`` points it at the official host or at a local fake server.
The access token is cached in the database (shared by every worker) until shortly before it expires; on
40001/40014/42001 the cache is dropped and the call retried once.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import threading
from collections.abc import Mapping
from typing import Any

import requests
import sqlalchemy as sa
from flask import current_app

from jlt_family.core.errors import is_lock_conflict
from jlt_family.core.extensions import db
from jlt_family.core.sqlite_transactions import READ_ONLY
from jlt_family.core.timeutil import utcnow
from jlt_family.wechat.models import WeChatAccessToken

log = logging.getLogger(__name__)

SECRET_QUERY = re.compile(r"\b(secret|js_code|access_token)=[^&\s\"]*")


class RedactSecrets(logging.Filter):
    """urllib3 logs each request line at DEBUG: keep the app secret, login codes and access tokens out of it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(SECRET_QUERY.sub(r"\1=***", a) if isinstance(a, str) else a for a in record.args)
        return True


logging.getLogger("urllib3.connectionpool").addFilter(RedactSecrets())

TOKEN_ERRORS = {40001, 40014, 42001}
RETRYABLE_ERRORS = {-1, 45009, 45011}
TOKEN_EARLY_REFRESH = dt.timedelta(minutes=5)


class WeChatError(Exception):
    """An error reply from WeChat (non-zero ``errcode``) or a transport failure (``errcode`` None)."""

    def __init__(self, errcode: int | None, errmsg: str, *, path: str = "") -> None:
        super().__init__(f"WeChat {path} failed: {errcode} {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg
        self.path = path

    @property
    def retryable(self) -> bool:
        """Worth trying again later: busy, quota, network failures, timeouts and 5xx."""
        return self.errcode is None or self.errcode in RETRYABLE_ERRORS


class WeChatClient:
    """微信服务端接口 of one app id (``client()`` builds the app's)."""

    def __init__(
        self,
        appid: str,
        secret: str,
        base_url: str,
        *,
        timeout: float = 5.0,
        miniprogram_state: str = "formal",
        session: requests.Session | None = None,
        keep_token: bool = False,
    ) -> None:
        self.appid = appid
        self.secret = secret
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.miniprogram_state = miniprogram_state
        self.http = session or requests.Session()
        # keep_token: this client object keeps the token it read or fetched (until it nears expiry or WeChat
        # rejects it) instead of reading the shared cache before every call. For short-lived clients that make
        # many calls in a row (a dispatcher's batch); the database stays the cache every worker shares.
        self.keep_token = keep_token
        self._kept: tuple[str, dt.datetime] | None = None

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], *, session: requests.Session | None = None, keep_token: bool = False
    ) -> WeChatClient:
        return cls(
            config["WECHAT_APPID"],
            config["WECHAT_SECRET"],
            config["WECHAT_API_BASE"],
            timeout=config["WECHAT_TIMEOUT_SECONDS"],
            miniprogram_state=config["WECHAT_MINIPROGRAM_STATE"],
            session=session,
            keep_token=keep_token,
        )

    # -- transport ---------------------------------------------------------------------------------------
    def _request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        url = self.base_url + path
        data = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
        headers = {"Content-Type": "application/json; charset=utf-8"} if data is not None else {}
        try:
            resp = self.http.request(method, url, params=params, data=data, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise WeChatError(None, f"{type(exc).__name__}", path=path) from exc
        if resp.status_code >= 500:
            raise WeChatError(None, f"HTTP {resp.status_code}", path=path)
        try:
            payload = resp.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            raise WeChatError(None, f"HTTP {resp.status_code}: not a JSON object", path=path)
        errcode = payload.get("errcode") or 0
        if errcode != 0:
            raise WeChatError(errcode, payload.get("errmsg", ""), path=path)
        return payload

    def _with_token(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """Call a business API with the access token; on a token error drop the cache and retry once."""
        token = self.access_token()
        try:
            return self._request(method, path, params={"access_token": token}, body=body)
        except WeChatError as exc:
            if exc.errcode not in TOKEN_ERRORS:
                raise
            log.warning("WeChat token rejected (%s); fetching a new one", exc.errcode)
            self.drop_cached_token(token)
            return self._request(method, path, params={"access_token": self.access_token()}, body=body)

    # -- access token ------------------------------------------------------------------------------------
    def access_token(self) -> str:
        """The stable access token, from the shared cache or fetched in normal (non-force) mode."""
        now = utcnow()
        if self._kept is not None and self._kept[1] - TOKEN_EARLY_REFRESH > now:
            return self._kept[0]
        cached = self._cached_token()
        if cached is not None and cached.expires_at - TOKEN_EARLY_REFRESH > now:
            self._keep(cached.access_token, cached.expires_at)
            return cached.access_token
        payload = self._request(
            "POST",
            "/cgi-bin/stable_token",
            body={
                "grant_type": "client_credential",
                "appid": self.appid,
                "secret": self.secret,
                "force_refresh": False,
            },
        )
        expires_at = now + dt.timedelta(seconds=int(payload.get("expires_in", 7200)))
        self._store_token(payload["access_token"], expires_at)
        self._keep(payload["access_token"], expires_at)
        return payload["access_token"]

    def _keep(self, token: str, expires_at: dt.datetime) -> None:
        if self.keep_token:
            self._kept = (token, expires_at)

    def _cached_token(self) -> sa.Row[Any] | None:
        # Its own connection: the caller's transaction may hold a snapshot (MySQL REPEATABLE READ, SQLite WAL)
        # taken before another worker, or this client, stored or dropped the token. A read only: on SQLite it
        # begins without the write lock, which the caller's transaction may hold.
        table = WeChatAccessToken.__table__
        with db.engine.connect().execution_options(**READ_ONLY) as conn:
            return conn.execute(
                sa.select(table.c.access_token, table.c.expires_at).where(table.c.appid == self.appid)
            ).one_or_none()

    def _store_token(self, token: str, expires_at: dt.datetime) -> None:
        # Short transactions of one statement each, apart from the caller's: the cache must not depend on the
        # caller's commit or rollback. Several workers storing at once (an empty cache, WeChat back after an
        # outage, a token just dropped) may deadlock on MariaDB (1213, the gap locks of an UPDATE or INSERT of a
        # missing row); the cache is shared but not needed: the one that loses keeps its token in hand, the next
        # fetch (the stable token is the same) stores it again.
        table = WeChatAccessToken.__table__
        update = sa.update(table).where(table.c.appid == self.appid).values(access_token=token, expires_at=expires_at)
        try:
            with db.engine.connect() as conn:
                with conn.begin():
                    if conn.execute(update).rowcount:
                        return
                try:
                    with conn.begin():
                        conn.execute(
                            sa.insert(table).values(appid=self.appid, access_token=token, expires_at=expires_at)
                        )
                except sa.exc.IntegrityError:  # another worker stored its token meanwhile: ours is as new
                    with conn.begin():
                        conn.execute(update)
        except sa.exc.OperationalError as exc:
            if not is_lock_conflict(exc):
                raise
            log.info("WeChat token cache: the store lost a lock conflict with another worker's (%s)", exc.orig)

    def drop_cached_token(self, token: str) -> None:
        self._kept = None
        table = WeChatAccessToken.__table__
        try:
            with db.engine.begin() as conn:
                conn.execute(sa.delete(table).where(table.c.appid == self.appid, table.c.access_token == token))
        except sa.exc.OperationalError as exc:  # another worker's store or drop won: the next fetch sets it right
            if not is_lock_conflict(exc):
                raise
            log.info("WeChat token cache: the drop lost a lock conflict with another worker's (%s)", exc.orig)

    # -- APIs --------------------------------------------------------------------------------------------
    def code2session(self, js_code: str) -> dict[str, Any]:
        """wx.login code → ``{"openid", "session_key", "unionid"?}``."""
        return self._request(
            "GET",
            "/sns/jscode2session",
            params={"appid": self.appid, "secret": self.secret, "js_code": js_code, "grant_type": "authorization_code"},
        )

    def phone_number(self, code: str) -> dict[str, Any]:
        """getPhoneNumber button code → ``phone_info`` (phoneNumber, purePhoneNumber, countryCode)."""
        return self._with_token("POST", "/wxa/business/getuserphonenumber", {"code": code})["phone_info"]

    def send_subscribe_message(
        self, openid: str, template_id: str, data: Mapping[str, str], page: str | None = None
    ) -> dict[str, Any]:
        """订阅消息: one push of ``template_id`` to ``openid`` (``data``: field name → value)."""
        body: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {name: {"value": value} for name, value in data.items()},
            "miniprogram_state": self.miniprogram_state,
            "lang": "zh_CN",
        }
        if page:
            body["page"] = page
        return self._with_token("POST", "/cgi-bin/message/subscribe/send", body)

    def check_text(self, openid: str, content: str) -> str:
        """msg_sec_check v2 → ``"pass" | "review" | "risky"`` (decide on ``suggest``, not on errcode)."""
        payload = self._with_token(
            "POST", "/wxa/msg_sec_check", {"content": content[:2500], "version": 2, "scene": 2, "openid": openid}
        )
        return payload.get("result", {}).get("suggest", "review")


_per_thread = threading.local()


def _http_session() -> requests.Session:
    """One ``requests.Session`` per thread, so connections to WeChat are kept alive between calls."""
    session = getattr(_per_thread, "session", None)
    if session is None:
        session = _per_thread.session = requests.Session()
    return session


def client(*, keep_token: bool = False) -> WeChatClient | None:
    """The app's WeChat client (None in development mode, where nothing is sent to WeChat); ``keep_token``: see
    ``WeChatClient``."""
    if not current_app.config["WECHAT_APPID"]:
        return None
    return WeChatClient.from_config(current_app.config, session=_http_session(), keep_token=keep_token)
