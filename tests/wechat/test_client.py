"""The WeChat client against the fake WeChat server (real HTTP, no mocks of requests)."""

import datetime as dt
import logging
import socket

import pytest
import sqlalchemy as sa

from jlt_family.core.timeutil import utcnow
from jlt_family.devtools.fake_wechat import CODE2SESSION, PHONE_NUMBER, STABLE_TOKEN, SUBSCRIBE_SEND
from jlt_family.wechat import client as client_module
from jlt_family.wechat.client import WeChatClient, WeChatError
from jlt_family.wechat.models import WeChatAccessToken


def _cached(db):
    """The cache row as another worker would see it (its own connection)."""
    table = WeChatAccessToken.__table__
    with db.engine.connect() as conn:
        return conn.execute(sa.select(table.c.access_token, table.c.expires_at)).one_or_none()


def _phone(wechat, fake, phone="13812345678"):
    return wechat.phone_number(fake.phone_code_for(phone))


# -- code2Session -------------------------------------------------------------------------------------------
def test_code2session_answers_openid_and_session_key(wechat, fake):
    code = fake.code_for("parent-1")
    assert wechat.code2session(code) == {
        "openid": fake.openid_for("parent-1"),
        "session_key": fake.session_key_for(code),
    }
    query = fake.requests[0].query
    assert (query["appid"], query["secret"], query["grant_type"]) == (fake.appid, fake.secret, "authorization_code")


def test_code2session_passes_the_unionid_on(wechat, fake):
    fake.with_unionid = True
    try:
        assert wechat.code2session(fake.code_for("parent-1"))["unionid"] == fake.unionid_for("parent-1")
    finally:
        fake.with_unionid = False


def test_a_login_code_works_once(wechat, fake):
    code = fake.code_for("parent-1")
    wechat.code2session(code)
    with pytest.raises(WeChatError) as caught:
        wechat.code2session(code)
    assert (caught.value.errcode, caught.value.retryable) == (40029, False)


@pytest.mark.parametrize(("errcode", "retryable"), [(40029, False), (45011, True), (40226, False), (-1, True)])
def test_code2session_errors_carry_errcode_and_retryable(wechat, fake, errcode, retryable):
    fake.fail(CODE2SESSION, errcode)
    with pytest.raises(WeChatError) as caught:
        wechat.code2session(fake.code_for("parent-1"))
    assert (caught.value.errcode, caught.value.retryable, caught.value.path) == (errcode, retryable, CODE2SESSION)


def test_a_wrong_secret_is_refused(fake):
    wrong = WeChatClient(fake.appid, "not-the-secret", fake.base_url, timeout=0.5)
    with pytest.raises(WeChatError) as caught:
        wrong.code2session(fake.code_for("parent-1"))
    assert caught.value.errcode == 40125


# -- access token -------------------------------------------------------------------------------------------
def test_the_access_token_is_fetched_in_normal_mode_and_cached_in_the_database(db, wechat, fake):
    _phone(wechat, fake)
    assert fake.token_calls == 1
    body = fake.requests[0].body
    assert body == {
        "grant_type": "client_credential",
        "appid": fake.appid,
        "secret": fake.secret,
        "force_refresh": False,
    }
    token, expires_at = _cached(db)
    assert token == fake.current_token
    assert dt.timedelta(seconds=7100) < expires_at - utcnow() <= dt.timedelta(seconds=7200)


def test_the_cached_token_is_reused_by_later_calls_and_other_workers(wechat, fake):
    _phone(wechat, fake)
    _phone(wechat, fake)
    other_worker = WeChatClient(fake.appid, fake.secret, fake.base_url, timeout=0.5)
    _phone(other_worker, fake)
    assert fake.token_calls == 1
    assert fake.calls[PHONE_NUMBER] == 3


def test_a_token_close_to_expiry_is_fetched_again(db, wechat, fake):
    _phone(wechat, fake)
    db.session.rollback()
    table = WeChatAccessToken.__table__
    with db.engine.begin() as conn:
        conn.execute(sa.update(table).values(expires_at=utcnow() + dt.timedelta(minutes=2)))
    _phone(wechat, fake)
    assert fake.token_calls == 2
    assert _cached(db).expires_at - utcnow() > dt.timedelta(hours=1)


@pytest.mark.parametrize("spoil", ["invalidate_token", "expire_token"])
def test_a_rejected_token_is_dropped_and_the_call_retried_once(db, wechat, fake, spoil):
    _phone(wechat, fake)
    old_token = fake.current_token
    getattr(fake, spoil)()
    assert _phone(wechat, fake, "13900000000")["purePhoneNumber"] == "13900000000"
    assert fake.token_calls == 2
    assert fake.calls[PHONE_NUMBER] == 3
    assert _cached(db).access_token == fake.current_token != old_token


@pytest.mark.parametrize("errcode", [40001, 40014, 42001])
def test_token_errors_are_retried_only_once(db, wechat, fake, errcode):
    fake.fail(SUBSCRIBE_SEND, errcode, times=2)
    with pytest.raises(WeChatError) as caught:
        wechat.send_subscribe_message("openid-1", "tpl-1", {"thing1": "家长会"})
    assert caught.value.errcode == errcode
    assert fake.calls[SUBSCRIBE_SEND] == 2
    assert fake.token_calls == 2
    assert fake.sent_messages == []


def test_other_errors_are_neither_retried_nor_drop_the_token(db, wechat, fake):
    fake.fail(SUBSCRIBE_SEND, 43101)
    with pytest.raises(WeChatError) as caught:
        wechat.send_subscribe_message("openid-1", "tpl-1", {"thing1": "家长会"})
    assert (caught.value.errcode, caught.value.retryable) == (43101, False)
    assert fake.calls[SUBSCRIBE_SEND] == 1
    assert _cached(db).access_token == fake.current_token


def test_a_token_fetch_failure_is_reported(wechat, fake):
    fake.fail(STABLE_TOKEN, 45009)
    with pytest.raises(WeChatError) as caught:
        _phone(wechat, fake)
    assert (caught.value.errcode, caught.value.retryable, caught.value.path) == (45009, True, STABLE_TOKEN)
    assert fake.calls[PHONE_NUMBER] == 0


# -- transport failures -------------------------------------------------------------------------------------
def test_a_slow_server_is_a_retryable_transport_error(wechat, fake):
    fake.slow(1.0, CODE2SESSION)
    with pytest.raises(WeChatError) as caught:
        wechat.code2session(fake.code_for("parent-1"))
    assert (caught.value.errcode, caught.value.retryable) == (None, True)


@pytest.mark.parametrize("status", [500, 502])
def test_a_server_error_is_a_retryable_transport_error(wechat, fake, status):
    fake.http_error(CODE2SESSION, status)
    with pytest.raises(WeChatError) as caught:
        wechat.code2session(fake.code_for("parent-1"))
    assert (caught.value.errcode, caught.value.retryable) == (None, True)


def test_an_unreachable_server_is_a_retryable_transport_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    closed = WeChatClient("wx-fake-appid", "fake-secret", f"http://127.0.0.1:{port}", timeout=0.5)
    with pytest.raises(WeChatError) as caught:
        closed.code2session("any")
    assert (caught.value.errcode, caught.value.retryable) == (None, True)


def test_request_logs_keep_the_secret_codes_and_token_out(wechat, fake, caplog):
    caplog.set_level(logging.DEBUG, logger="urllib3")
    code = fake.code_for("parent-1")
    wechat.code2session(code)
    _phone(wechat, fake)
    logged = [r.getMessage() for r in caplog.records if r.name == "urllib3.connectionpool" and "/" in r.getMessage()]
    assert any("/sns/jscode2session?" in line for line in logged)
    for secret in (fake.secret, code, fake.current_token, fake.session_key_for(code)):
        assert secret not in caplog.text


# -- business APIs ------------------------------------------------------------------------------------------
def test_json_goes_out_as_utf8_with_chinese_intact(wechat, fake):
    wechat.send_subscribe_message(
        "openid-1",
        "tpl-1",
        {"thing1": "家长会：三年级", "time2": "2026年11月22日 15:01"},
        page="pages/visit/detail?id=7",
    )
    raw = fake.requests[-1].raw
    assert "家长会：三年级".encode() in raw
    assert b"\\u" not in raw
    assert fake.sent_messages == [
        {
            "touser": "openid-1",
            "template_id": "tpl-1",
            "page": "pages/visit/detail?id=7",
            "data": {"thing1": {"value": "家长会：三年级"}, "time2": {"value": "2026年11月22日 15:01"}},
            "miniprogram_state": "trial",
            "lang": "zh_CN",
        }
    ]


def test_a_value_breaking_its_field_rule_is_refused(wechat, fake):
    with pytest.raises(WeChatError) as caught:
        wechat.send_subscribe_message("openid-1", "tpl-1", {"thing1": "字" * 21})
    assert caught.value.errcode == 47003
    assert "thing1" in caught.value.errmsg


def test_the_phone_number_comes_from_its_code(wechat, fake):
    info = _phone(wechat, fake, "13812345678")
    assert (info["purePhoneNumber"], info["countryCode"]) == ("13812345678", "86")


@pytest.mark.parametrize(("content", "suggest"), [("孩子今天表现很好", "pass"), ("这是违禁内容", "risky")])
def test_check_text_decides_on_suggest(wechat, fake, content, suggest):
    assert wechat.check_text("openid-1", content) == suggest


def test_there_is_no_client_without_an_app_id(app):
    assert client_module.client() is None
    app.config.update(WECHAT_APPID="wx-fake-appid", WECHAT_SECRET="fake-secret")
    try:
        assert isinstance(client_module.client(), WeChatClient)
    finally:
        app.config.update(WECHAT_APPID="", WECHAT_SECRET="")


def _token_reads(db, run):
    table_reads = []

    def on_execute(_conn, _cursor, statement, *_args):
        if statement.lstrip().startswith("SELECT") and "wechat_access_token" in statement:
            table_reads.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        run()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", on_execute)
    return len(table_reads)


def test_a_client_that_keeps_its_token_reads_the_shared_cache_once(db, wechat, fake):
    _phone(wechat, fake)  # the token is in the shared cache
    keeping = WeChatClient(fake.appid, fake.secret, fake.base_url, timeout=0.5, keep_token=True)
    reads = _token_reads(
        db, lambda: [keeping.send_subscribe_message("openid-1", "tpl-1", {"thing1": "家长会"}) for _ in range(3)]
    )
    assert reads == 1 and len(fake.sent_messages) == 3 and fake.token_calls == 1
    assert _token_reads(db, lambda: _phone(wechat, fake)) == 1  # a plain client still reads it every call


def test_a_kept_token_that_wechat_rejects_is_dropped_and_fetched_again(db, wechat, fake):
    keeping = WeChatClient(fake.appid, fake.secret, fake.base_url, timeout=0.5, keep_token=True)
    keeping.send_subscribe_message("openid-1", "tpl-1", {"thing1": "家长会"})
    fake.invalidate_token()
    keeping.send_subscribe_message("openid-1", "tpl-1", {"thing1": "家长会"})
    keeping.send_subscribe_message("openid-1", "tpl-1", {"thing1": "家长会"})
    assert len(fake.sent_messages) == 3 and fake.token_calls == 2
    assert _cached(db).access_token == fake.current_token == keeping.access_token()
