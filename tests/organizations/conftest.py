"""Fixtures of the organisation tests: ``call`` sends a request as a user (or anonymously)."""

import pytest


@pytest.fixture
def call(client, make):
    """``call("GET", "/api/v1/...", user)``: a request with ``user``'s token (none for ``user=None``)."""
    tokens = {}

    def _call(method, path, user=None, **kwargs):
        headers = dict(kwargs.pop("headers", {}))
        if user is not None:
            if user.id not in tokens:
                tokens[user.id] = make.login(user)
            headers.update(tokens[user.id])
        return client.open(path, method=method, headers=headers, **kwargs)

    return _call
