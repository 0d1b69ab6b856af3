"""Reminders fixtures: configured templates, WeChat mode with quick retries."""

import pytest

from tests.reminders.support import TEMPLATES


@pytest.fixture
def templates(configure):
    configure(WECHAT_TEMPLATES=TEMPLATES)
    return TEMPLATES


@pytest.fixture
def push(wechat_mode, templates, configure):
    """WeChat mode against the fake, with templates and quick retries; returns the fake."""
    configure(
        REMINDER_RETRY_BASE_SECONDS=10, REMINDER_RETRY_CAP_SECONDS=40, REMINDER_MAX_ATTEMPTS=4, REMINDER_SEND_THREADS=1
    )
    return wechat_mode
