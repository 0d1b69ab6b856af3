"""Races on MariaDB and on the SQLite file: each contested change ends with exactly one winner (real transactions:
row locks on MariaDB, the write lock on SQLite)."""

from collections import Counter

from jlt_family.families.models import Family, Guardian, GuardianRelation
from jlt_family.families.service import create_family_invite
from jlt_family.organizations.students import Student
from tests.families.conftest import API, binding_body
from tests.races import race

ROUNDS = 5


def _ask(api, world, user, student):
    response = api(user).post("/binding-requests", json=binding_body(world, student))
    assert response.status_code == 201, response.json
    return response.json["id"]


def test_approving_one_request_twice_at_once_decides_once(app, api, make, world, db):
    approvers = [make.login(world.teacher_a), make.login(world.school_admin)] * 2
    for round_ in range(ROUNDS):
        student = make.student(world.class_a, name=f"并发甲{round_}", student_no=f"R1-{round_}")
        parent = make.user()
        db.session.commit()
        request_id = _ask(api, world, parent, student)
        db.session.commit()
        calls = [(h, "POST", f"/binding-requests/{request_id}/approve", None) for h in approvers]
        results = race(app, calls, prefix=API)
        assert Counter(results) == {(200, None): 1, (409, "already_decided"): 3}, results
        db.session.expire_all()
        guardian = db.session.query(Guardian).filter_by(user_id=parent.id).one()
        assert db.session.get(Student, student.id).family_id == guardian.family_id


def test_two_families_approved_for_one_child_at_once_bind_one(app, api, make, world, db):
    teacher, admin = make.login(world.teacher_a), make.login(world.school_admin)
    for round_ in range(ROUNDS):
        student = make.student(world.class_a, name=f"并发乙{round_}", student_no=f"R2-{round_}")
        newcomer = make.user()
        db.session.commit()
        families_before = db.session.query(Family).count()
        first = _ask(api, world, newcomer, student)
        second = _ask(api, world, world.guardian_b, student)
        db.session.commit()
        results = race(
            app,
            [
                (teacher, "POST", f"/binding-requests/{first}/approve", None),
                (admin, "POST", f"/binding-requests/{second}/approve", None),
            ],
            prefix=API,
        )
        assert sorted(results) == [(200, None), (409, "child_already_bound")], results
        db.session.expire_all()
        bound_to = db.session.get(Student, student.id).family_id
        newcomer_guardian = db.session.query(Guardian).filter_by(user_id=newcomer.id).one_or_none()
        if results[0][0] == 200:
            assert bound_to == newcomer_guardian.family_id
            assert db.session.query(Family).count() == families_before + 1
        else:
            assert bound_to == world.family_b.id
            assert newcomer_guardian is None
            assert db.session.query(Family).count() == families_before


def test_one_invite_redeemed_by_two_at_once_admits_one(app, make, world, db):
    for _ in range(ROUNDS):
        invite = create_family_invite(world.family_a.guardians[0], 24)
        users = [make.user(), make.user()]
        db.session.commit()
        body = {"code": invite.code, "relation": "other", "name": "亲戚"}
        results = race(app, [(make.login(u), "POST", "/family/invites/redeem", body) for u in users], prefix=API)
        assert sorted(results) == [(201, None), (409, "invite_used")], results
        db.session.expire_all()
        joined = db.session.query(Guardian).filter(Guardian.user_id.in_([u.id for u in users])).count()
        assert joined == 1


def test_two_last_guardians_leaving_at_once_leave_one(app, make, world, db):
    for _ in range(ROUNDS):
        family = make.family()
        users = [make.guardian(family=family).user, make.guardian(family=family, relation=GuardianRelation.FATHER).user]
        make.student(world.class_a, family=family)
        db.session.commit()
        results = race(app, [(make.login(u), "DELETE", "/family/guardians/me", None) for u in users], prefix=API)
        assert sorted(results) == [(204, None), (409, "last_guardian")], results
        db.session.expire_all()
        assert db.session.query(Guardian).filter_by(family_id=family.id).count() == 1
