"""Racing uses of one dashboard invite, on MariaDB/MySQL (real row locks).

Each use is held after its checks (the invite is open, the credentials are fine) until all of them passed
those checks: then they race on claiming the invite, where check-then-act would let every one of them set a
password. The user already has an account, so the unique key on accounts cannot stand in for the claim.
"""

import threading

import pytest
import sqlalchemy as sa

from jlt_family.core.errors import AppError
from jlt_family.core.extensions import db
from jlt_family.dashboard import service
from jlt_family.dashboard.models import DashboardAccount
from tests.dashboard.conftest import create_account
from tests.races import WAITS_INSIDE_ITS_TRANSACTION

RACERS = 8


@pytest.mark.mysql(reason=WAITS_INSIDE_ITS_TRANSACTION)
def test_an_invite_is_used_once_under_concurrency(app, world, monkeypatch):
    create_account(world.school_admin, login_name="before")
    _invite, token = service.issue_invite(world.school_admin, world.school_admin)
    db.session.commit()
    barrier = threading.Barrier(RACERS, timeout=30)
    original = service.check_credentials

    def check_then_wait(*args):
        errors = original(*args)
        barrier.wait()
        return errors

    monkeypatch.setattr(service, "check_credentials", check_then_wait)
    results = [None] * RACERS

    def use(index):
        with app.app_context():
            try:
                service.redeem_invite(token, f"racer{index}", f"Racer-password-{index}")
                db.session.commit()
                results[index] = "ok"
            except AppError as exc:
                db.session.rollback()
                results[index] = exc.code
            finally:
                db.session.remove()

    threads = [threading.Thread(target=use, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(results) == ["dashboard_invite_used"] * (RACERS - 1) + ["ok"]
    db.session.rollback()
    winner = results.index("ok")
    account = db.session.scalar(sa.select(DashboardAccount).where(DashboardAccount.user_id == world.school_admin.id))
    assert account.login_name == f"racer{winner}"
