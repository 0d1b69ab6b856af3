"""Reminders fixtures: settings not in the config yet, configured templates, WeChat mode with quick retries."""

import pytest

from tests.reminders.support import TEMPLATES

_MISSING = object()


@pytest.fixture
def settings(app):
    """``settings(KEY=value)`` like ``configure``, also for keys the config does not define yet."""
    saved = {}

    def _set(**values):
        for key, value in values.items():
            saved.setdefault(key, app.config.get(key, _MISSING))
            app.config[key] = value

    yield _set
    for key, value in saved.items():
        if value is _MISSING:
            app.config.pop(key, None)
        else:
            app.config[key] = value


@pytest.fixture
def templates(settings):
    settings(WECHAT_TEMPLATES=TEMPLATES)
    return TEMPLATES


@pytest.fixture
def push(wechat_mode, templates, settings):
    """WeChat mode against the fake, with templates and quick retries; returns the fake."""
    settings(REMINDER_RETRY_BASE_SECONDS=10, REMINDER_RETRY_CAP_SECONDS=40, REMINDER_MAX_ATTEMPTS=4,
             REMINDER_SEND_THREADS=1)
    return wechat_mode


@pytest.fixture(autouse=True)
def _fake_without_nagle(monkeypatch):
    """The fake writes headers and body separately; with Nagle on, each keep-alive call waits ~40 ms for a
    delayed ACK. (A one-line fix for jlt_family/wechat/fake_server.py: ``disable_nagle_algorithm = True``.)"""
    from jlt_family.wechat import fake_server

    monkeypatch.setattr(fake_server._Handler, "disable_nagle_algorithm", True, raising=False)
