"""Helpers of the dashboard tests: accounts, CSRF tokens from the rendered forms, signing in with the form."""

import re

import pytest

from jlt_family.core.extensions import db
from jlt_family.dashboard import service

PASSWORD = "Grassland2026"


def csrf_of(response):
    """The CSRF token of the form on a rendered page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
    assert match, "the page has no CSRF token"
    return match.group(1)


def create_account(user, login_name=None, password=PASSWORD):
    """A dashboard account for ``user`` through a real invite."""
    _invite, token = service.issue_invite(user, user)
    account = service.redeem_invite(token, login_name or f"admin{user.id}", password)
    db.session.commit()
    return account


def sign_in(client, login_name, password=PASSWORD, **extra):
    page = client.get("/dashboard/login")
    data = {"login_name": login_name, "password": password, "csrf_token": csrf_of(page), **extra}
    return client.post("/dashboard/login", data=data)


@pytest.fixture
def signed_in(app):
    """``signed_in(user)``: a fresh test client signed in to the dashboard as ``user`` (an account is made)."""

    def _sign_in(user):
        account = service.account_of(user.id) or create_account(user)
        client = app.test_client()
        response = sign_in(client, account.login_name)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return _sign_in
