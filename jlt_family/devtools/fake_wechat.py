"""模拟微信服务器: a fake WeChat server, a real HTTP server on 127.0.0.1 for tests, benchmarks and local demos.

Implements the five APIs of ../shared/WECHAT.md closely enough for the client to meet the real replies:
code2Session (single-use codes, deterministic openids), getStableAccessToken (normal mode keeps the token while
it is valid; every call is counted), getuserphonenumber, subscribe/send (records each message) and msg_sec_check.

Switches inject trouble::

    with FakeWeChat() as fake:
        fake.fail("/sns/jscode2session", 45011, times=2)   # the next 2 calls answer errcode 45011
        fake.http_error("/cgi-bin/stable_token", 500)      # the next call answers HTTP 500
        fake.slow(1.5)                                     # every call waits 1.5 s (one path: slow(1.5, path))
        fake.invalidate_token()                            # business calls now answer 40001
        fake.expire_token()                                # ... or 42001
        fake.reset()                                       # back to normal, records cleared
"""

import base64
import hashlib
import itertools
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from jlt_family.devtools.fake_wechat_http import _Handler, _Server

CODE2SESSION = "/sns/jscode2session"
STABLE_TOKEN = "/cgi-bin/stable_token"
PHONE_NUMBER = "/wxa/business/getuserphonenumber"
SUBSCRIBE_SEND = "/cgi-bin/message/subscribe/send"
MSG_SEC_CHECK = "/wxa/msg_sec_check"

ERRMSG = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40003: "invalid openid",
    40013: "invalid appid",
    40029: "invalid code",
    40037: "invalid template_id",
    40125: "invalid appsecret",
    40226: "invalid user, high risk user",
    41001: "access_token missing",
    42001: "access_token expired",
    43101: "user refuse to accept the msg",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit, mustslower retry next minute",
    47001: "data format error",
    47003: "argument invalid!",
}

# Subscribe-message field rules (WECHAT.md): the longest value each field type accepts, in code points.
FIELD_LIMITS = {
    "thing": 20,
    "number": 32,
    "letter": 32,
    "symbol": 5,
    "character_string": 32,
    "phone_number": 17,
    "phrase": 5,
    "name": 20,
    "amount": 12,
}


def _digest(*parts):
    return hashlib.sha256("\x1f".join(parts).encode()).digest()


@dataclass
class Call:
    """One request the fake received: the raw body is kept to check what went over the wire."""

    method: str
    path: str
    query: dict
    body: dict | None
    raw: bytes


@dataclass
class _Fault:
    path: str
    remaining: int
    errcode: int | None = None
    errmsg: str = ""
    status: int | None = None


@dataclass
class _State:
    calls: Counter = field(default_factory=Counter)
    requests: list = field(default_factory=list)
    sent_messages: list = field(default_factory=list)
    faults: list = field(default_factory=list)
    delays: dict = field(default_factory=dict)
    used_codes: set = field(default_factory=set)
    phone_codes: dict = field(default_factory=dict)
    token: str | None = None
    token_expires: float = 0.0
    expired_tokens: set = field(default_factory=set)


class FakeWeChat:
    """A fake WeChat server on ``base_url``; ``start()``/``stop()`` or ``with FakeWeChat() as fake:``."""

    def __init__(
        self,
        host="127.0.0.1",
        port=0,
        *,
        appid="wx-fake-appid",
        secret="fake-secret",
        with_unionid=False,
        token_ttl=7200,
        verbose=False,
    ):
        self.appid = appid
        self.secret = secret
        self.with_unionid = with_unionid
        self.token_ttl = token_ttl
        self.verbose = verbose
        self.risky_words = {"违禁"}
        self._address = (host, port)
        self._server = None
        self._thread = None
        self._lock = threading.Lock()
        self._serial = itertools.count(1)
        self._state = _State()

    # -- lifecycle ---------------------------------------------------------------------------------------
    def start(self):
        self._server = _Server(self._address, _Handler)
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-wechat", daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def base_url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- switches ----------------------------------------------------------------------------------------
    def fail(self, path, errcode, *, times=1, errmsg=None):
        """The next ``times`` calls to ``path`` answer ``errcode`` (queued after earlier faults of that path)."""
        with self._lock:
            self._state.faults.append(_Fault(path, times, errcode=errcode, errmsg=errmsg or ERRMSG.get(errcode, "")))

    def http_error(self, path, status=500, *, times=1):
        """The next ``times`` calls to ``path`` answer HTTP ``status`` with a body that is not JSON."""
        with self._lock:
            self._state.faults.append(_Fault(path, times, status=status))

    def slow(self, seconds, path=None):
        """Every call (or every call to ``path``) waits ``seconds`` before answering; ``slow(0)`` ends it.

        The call still takes effect after the wait, as on the real server: a client that timed out cannot tell.
        """
        with self._lock:
            self._state.delays[path] = seconds

    def invalidate_token(self):
        """The current access token stops working (business calls answer 40001); the next fetch gets a new one."""
        with self._lock:
            self._state.token = None

    def expire_token(self):
        """The current access token expires (business calls answer 42001); the next fetch gets a new one."""
        with self._lock:
            if self._state.token:
                self._state.expired_tokens.add(self._state.token)
            self._state.token = None

    def reset(self):
        """Forget every switch, record and token: a fresh server on the same port."""
        with self._lock:
            self._state = _State()

    # -- what happened -----------------------------------------------------------------------------------
    @property
    def calls(self):
        """Calls per path, faults included."""
        return self._state.calls

    @property
    def token_calls(self):
        return self._state.calls[STABLE_TOKEN]

    @property
    def requests(self):
        return list(self._state.requests)

    @property
    def sent_messages(self):
        """Subscribe messages accepted, as sent (touser, template_id, page, data, miniprogram_state, lang)."""
        return list(self._state.sent_messages)

    @property
    def current_token(self):
        return self._state.token

    # -- test data ---------------------------------------------------------------------------------------
    def code_for(self, user):
        """A fresh single-use wx.login code of the WeChat user ``user`` (any name)."""
        return f"{user}~{next(self._serial)}"

    def openid_for(self, user):
        return "o" + base64.urlsafe_b64encode(_digest(self.appid, "openid", user)).decode()[:27]

    def unionid_for(self, user):
        return "u" + base64.urlsafe_b64encode(_digest("unionid", user)).decode()[:27]

    def session_key_for(self, code):
        return base64.b64encode(_digest(self.appid, "session_key", code)[:16]).decode()

    def phone_code_for(self, phone, country_code="86"):
        """A single-use getPhoneNumber code that yields ``phone``."""
        code = f"phone~{next(self._serial)}"
        with self._lock:
            self._state.phone_codes[code] = (phone, country_code)
        return code

    # -- the APIs (called by the handler under no lock; each returns (status, payload)) -------------------
    def _code2session(self, query, _body):
        if query.get("appid") != self.appid:
            return _error(40013)
        if query.get("secret") != self.secret:
            return _error(40125)
        code = query.get("js_code", "")
        if not code or not self._spend(code):
            return _error(40029)
        user = code.rsplit("~", 1)[0]
        reply = {"openid": self.openid_for(user), "session_key": self.session_key_for(code)}
        if self.with_unionid:
            reply["unionid"] = self.unionid_for(user)
        return reply

    def _stable_token(self, _query, body):
        if body.get("appid") != self.appid:
            return _error(40013)
        if body.get("secret") != self.secret:
            return _error(40125)
        if body.get("grant_type") != "client_credential":
            return {"errcode": 40002, "errmsg": "invalid grant_type"}
        with self._lock:
            state = self._state
            if state.token and state.token_expires <= time.monotonic():
                state.expired_tokens.add(state.token)
                state.token = None
            if body.get("force_refresh") or not state.token:
                state.token = f"fake-access-token-{next(self._serial)}"
                state.token_expires = time.monotonic() + self.token_ttl
            expires_in = max(0, round(state.token_expires - time.monotonic()))
            return {"access_token": state.token, "expires_in": expires_in}

    def _phone_number(self, _query, body):
        with self._lock:
            found = self._state.phone_codes.pop(body.get("code", ""), None)
        if found is None:
            return _error(40029)
        phone, country_code = found
        return {
            "errcode": 0,
            "errmsg": "ok",
            "phone_info": {
                "phoneNumber": phone if country_code == "86" else f"+{country_code}{phone}",
                "purePhoneNumber": phone,
                "countryCode": country_code,
                "watermark": {"timestamp": int(time.time()), "appid": self.appid},
            },
        }

    def _subscribe_send(self, _query, body):
        if not body.get("touser"):
            return _error(40003)
        if not body.get("template_id"):
            return _error(40037)
        for name, item in (body.get("data") or {}).items():
            kind = name.rstrip("0123456789")
            value = item.get("value") if isinstance(item, dict) else None
            if not isinstance(value, str) or not value or len(value) > FIELD_LIMITS.get(kind, 20):
                return _error(47003, f"argument invalid! data.{name}.value invalid")
        with self._lock:
            self._state.sent_messages.append(body)
            msgid = len(self._state.sent_messages)
        return {"errcode": 0, "errmsg": "ok", "msgid": msgid}

    def _msg_sec_check(self, _query, body):
        if body.get("version") != 2 or not body.get("openid"):
            return _error(40003)
        risky = any(word in body.get("content", "") for word in self.risky_words)
        result = {"suggest": "risky", "label": 20001} if risky else {"suggest": "pass", "label": 100}
        return {"errcode": 0, "errmsg": "ok", "result": result, "trace_id": f"trace-{next(self._serial)}"}

    ROUTES = {
        ("GET", CODE2SESSION): (_code2session, False),
        ("POST", STABLE_TOKEN): (_stable_token, False),
        ("POST", PHONE_NUMBER): (_phone_number, True),
        ("POST", SUBSCRIBE_SEND): (_subscribe_send, True),
        ("POST", MSG_SEC_CHECK): (_msg_sec_check, True),
    }

    # -- plumbing ----------------------------------------------------------------------------------------
    def _spend(self, code):
        """Use a single-use code; False when it was used before."""
        with self._lock:
            if code in self._state.used_codes:
                return False
            self._state.used_codes.add(code)
            return True

    def _token_error(self, token):
        with self._lock:
            state = self._state
            if not token:
                return _error(41001)
            if token == state.token and state.token_expires > time.monotonic():
                return None
            return _error(42001 if token in state.expired_tokens or token == state.token else 40001)

    def _take_fault(self, path):
        with self._lock:
            for fault in self._state.faults:
                if fault.path == path and fault.remaining > 0:
                    fault.remaining -= 1
                    return fault
        return None

    def handle(self, method, path, query, raw):
        """Answer one request: ``(http_status, payload)``, the payload a dict (JSON) or str (plain text)."""
        body = None
        if raw:
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                body = None
        with self._lock:
            self._state.calls[path] += 1
            self._state.requests.append(Call(method, path, query, body, raw))
            delay = self._state.delays.get(path, self._state.delays.get(None, 0))
        if delay:
            time.sleep(delay)
        route = self.ROUTES.get((method, path))
        if route is None:
            return 404, "not found"
        fault = self._take_fault(path)
        if fault is not None and fault.status:
            return fault.status, "fake server error"
        if fault is not None:
            return 200, {"errcode": fault.errcode, "errmsg": fault.errmsg}
        if method == "POST" and not isinstance(body, dict):
            return 200, _error(47001)
        api, needs_token = route
        if needs_token and (refusal := self._token_error(query.get("access_token"))):
            return 200, refusal
        return 200, api(self, query, body or {})


def _error(errcode, errmsg=None):
    return {"errcode": errcode, "errmsg": errmsg or ERRMSG.get(errcode, "error")}
