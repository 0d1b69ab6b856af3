"""A fake WeChat server per module (a real HTTP server on 127.0.0.1), reset before each test."""

import pytest

from jlt_family.wechat.client import WeChatClient
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
def wechat(fake):
    """A client of the fake, as the app builds it (short timeout)."""
    return WeChatClient(fake.appid, fake.secret, fake.base_url, timeout=0.5, miniprogram_state="trial")
