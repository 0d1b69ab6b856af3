"""Concurrent first logins of one WeChat user end with one user row (threads against the real database)."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from jlt_family.auth.models import User
from tests.auth.conftest import wechat_login

THREADS = 6
LOCK_WAITS = sa.text(
    "SELECT COUNT(*) FROM information_schema.INNODB_TRX t JOIN information_schema.PROCESSLIST p"
    " ON p.ID = t.trx_mysql_thread_id WHERE t.trx_state = 'LOCK WAIT' AND p.DB = DATABASE()"
)


def _users(db, openid):
    with db.engine.connect() as conn:
        return conn.scalars(sa.select(User.__table__.c.id).where(User.__table__.c.openid == openid)).all()


def _login_all(app, codes):
    """Every code at once, each from its own thread (own app context, session and connection)."""
    barrier = threading.Barrier(len(codes))

    def login(code):
        barrier.wait()
        return wechat_login(app.test_client(), code)

    with ThreadPoolExecutor(len(codes)) as pool:
        return list(pool.map(login, codes))


def test_concurrent_first_logins_create_one_user(app, db, wechat_mode):
    codes = [wechat_mode.code_for("parent-1") for _ in range(THREADS)]
    responses = _login_all(app, codes)
    assert [r.status_code for r in responses] == [200] * THREADS, [r.json for r in responses]
    [user_id] = _users(db, wechat_mode.openid_for("parent-1"))
    assert {r.json["user"]["id"] for r in responses} == {user_id}


@pytest.mark.mysql(reason="counts the logins waiting on an InnoDB row lock in information_schema")
def test_first_logins_waiting_on_another_first_login_find_its_user(app, db, wechat_mode):
    """Another login has inserted the user but not committed: every login waits for it, then uses its row."""
    openid = wechat_mode.openid_for("parent-1")
    codes = [wechat_mode.code_for("parent-1") for _ in range(THREADS)]
    with db.engine.connect() as holder:
        held_id = holder.execute(sa.insert(User.__table__).values(openid=openid)).inserted_primary_key[0]
        with ThreadPoolExecutor(1) as pool:
            future = pool.submit(_login_all, app, codes)
            _wait_for_lock_waits(db, THREADS)
            holder.commit()
            responses = future.result(timeout=30)
    assert [r.status_code for r in responses] == [200] * THREADS, [r.json for r in responses]
    assert {r.json["user"]["id"] for r in responses} == {held_id}
    assert _users(db, openid) == [held_id]


def _wait_for_lock_waits(db, count, timeout=10):
    deadline = time.monotonic() + timeout
    with db.engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.scalar(LOCK_WAITS)
            conn.rollback()
            if waiting >= count:
                return
            time.sleep(0.2)  # InnoDB refreshes INNODB_TRX only when it was not read for 0.1 s
    pytest.fail(f"expected {count} logins waiting on the held row, saw {waiting}")
