"""Sign-in fixtures: a fake WeChat server per module, and the app pointed at it for one test."""

import pytest

from jlt_family.wechat.fake_server import FakeWeChat


@pytest.fixture(scope="module")
def fake_server():
    with FakeWeChat() as server:
        yield server


@pytest.fixture
def fake(fake_server):
    fake_server.reset()
    return fake_server


@pytest.fixture
def configure(app):
    """``configure(KEY=value, ...)`` changes the app's settings for this test only."""
    saved = {}

    def _set(**values):
        for key, value in values.items():
            saved.setdefault(key, app.config[key])
            app.config[key] = value

    yield _set
    app.config.update(saved)


@pytest.fixture
def wechat_mode(configure, fake):
    """The app in WeChat mode (an app id is set), talking to the fake WeChat server."""
    configure(WECHAT_APPID=fake.appid, WECHAT_SECRET=fake.secret, WECHAT_API_BASE=fake.base_url,
              WECHAT_TIMEOUT_SECONDS=0.5)
    return fake


def wechat_login(client, code, **kw):
    return client.post("/api/v1/auth/wechat-login", json={"code": code}, **kw)


def bearer(response):
    return {"Authorization": f"Bearer {response.json['token']}"}
