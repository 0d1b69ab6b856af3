"""Racing redemptions of staff invite codes, on MariaDB/MySQL (real row locks).

Python threads alone rarely overlap inside one short request, so every redemption is held after its checks
(code valid, not yet a member) until all of them have passed those checks: then they race on the UPDATE and the
INSERT, the window where check-then-act would over-use a code.
"""

import threading

import pytest
import sqlalchemy as sa

from jlt_family.organizations import service
from jlt_family.organizations.models import StaffInvite, StaffMembership
from jlt_family.organizations.service import create_staff_invite
from tests.races import WAITS_INSIDE_ITS_TRANSACTION


@pytest.fixture
def after_checks_together(monkeypatch):
    """``install(n)``: the n racing redemptions wait for each other once their membership check is done."""

    def install(n):
        barrier = threading.Barrier(n, timeout=30)
        original = service.active_membership

        def check_then_wait(*args):
            found = original(*args)
            barrier.wait()
            return found

        monkeypatch.setattr(service, "active_membership", check_then_wait)

    return install


def _race(app, code, header_list):
    """Every caller redeems ``code`` at the same moment; returns their (status, code) answers."""
    barrier = threading.Barrier(len(header_list))
    answers = []
    lock = threading.Lock()

    def redeem(headers):
        client = app.test_client()
        barrier.wait()
        response = client.post("/api/v1/staff-invites/redeem", json={"code": code}, headers=headers)
        with lock:
            answers.append((response.status_code, response.json.get("code")))

    threads = [threading.Thread(target=redeem, args=(headers,)) for headers in header_list]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def _invite(db, world, max_uses):
    invite = create_staff_invite("teacher", world.school, created_by=world.school_admin, max_uses=max_uses)
    db.session.commit()
    return invite.id, invite.code


@pytest.mark.mysql(reason=WAITS_INSIDE_ITS_TRANSACTION)
def test_a_one_use_code_is_redeemed_exactly_once(app, make, world, db, after_checks_together):
    invite_id, code = _invite(db, world, max_uses=1)
    users = [make.user() for _ in range(12)]
    after_checks_together(12)
    answers = _race(app, code, [make.login(user) for user in users])
    assert sorted(answers) == [(201, None)] + [(409, "invite_used_up")] * 11
    db.session.expire_all()
    assert db.session.get(StaffInvite, invite_id).used_count == 1
    granted = db.session.scalars(
        sa.select(StaffMembership.user_id).where(StaffMembership.user_id.in_([u.id for u in users]))
    ).all()
    assert len(granted) == 1


@pytest.mark.mysql(reason=WAITS_INSIDE_ITS_TRANSACTION)
def test_a_three_use_code_is_redeemed_exactly_three_times(app, make, world, db, after_checks_together):
    invite_id, code = _invite(db, world, max_uses=3)
    users = [make.user() for _ in range(10)]
    after_checks_together(10)
    answers = _race(app, code, [make.login(user) for user in users])
    assert sorted(answers) == [(201, None)] * 3 + [(409, "invite_used_up")] * 7
    db.session.expire_all()
    assert db.session.get(StaffInvite, invite_id).used_count == 3


@pytest.mark.mysql(reason=WAITS_INSIDE_ITS_TRANSACTION)
def test_one_user_racing_themselves_gets_one_membership_and_one_use(app, make, world, db, after_checks_together):
    invite_id, code = _invite(db, world, max_uses=5)
    user = make.user()
    headers = make.login(user)
    after_checks_together(6)
    answers = _race(app, code, [headers] * 6)
    assert sorted(answers) == [(201, None)] + [(409, "already_member")] * 5
    db.session.expire_all()
    assert db.session.get(StaffInvite, invite_id).used_count == 1
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(StaffMembership).where(StaffMembership.user_id == user.id)
    )
    assert count == 1
