"""A client of the fake WeChat server (the server fixtures are in tests/conftest.py)."""

import pytest

from jlt_family.wechat.client import WeChatClient


@pytest.fixture
def wechat(fake):
    """A client of the fake, as the app builds it (short timeout)."""
    return WeChatClient(fake.appid, fake.secret, fake.base_url, timeout=0.5, miniprogram_state="trial")
