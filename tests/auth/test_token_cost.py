"""Resolving a bearer token costs one statement (the session and its user together): it runs on every request."""

import pytest

from jlt_family.auth.service import issue_session, resolve_token
from jlt_family.core.errors import Unauthenticated


def test_a_token_resolves_to_its_user_and_session_in_one_statement(make, db, count_queries):
    user = make.user(nickname="小王妈妈")
    token, session = issue_session(user)
    db.session.commit()
    user_id, session_id = user.id, session.id
    db.session.expunge_all()
    with count_queries() as counted:
        resolved_user, resolved_session = resolve_token(token)
        assert resolved_user.nickname == "小王妈妈"
    assert counted.n == 1
    assert resolved_session.id == session_id and resolved_user.id == user_id


def test_a_disabled_account_is_still_refused(make, db):
    user = make.user()
    token, _ = issue_session(user)
    user.is_active = False
    db.session.commit()
    db.session.expunge_all()
    with pytest.raises(Unauthenticated) as caught:
        resolve_token(token)
    assert caught.value.code == "account_disabled"
