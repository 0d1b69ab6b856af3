"""Races on MariaDB and on the SQLite file: simultaneous acceptances, moves and proposals never double-book a
teacher, and a proposal is accepted once."""

import datetime as dt
import itertools
from collections import Counter

import sqlalchemy as sa

from jlt_family.visits.models import HomeVisit, VisitAction, VisitEvent, VisitParticipant, VisitState
from tests.races import race
from tests.visits.conftest import API, proposal, window

ROUNDS = 3
RACERS = 5


def _families(make, world, db, n):
    """n children of class_a, each with a guardian signed in: [(child, headers)]."""
    out = []
    for _ in range(n):
        family = make.family()
        guardian = make.user()
        make.guardian(family=family, user=guardian)
        out.append((make.student(world.class_a, family), guardian))
    db.session.commit()
    return [(child, make.login(guardian)) for child, guardian in out]


def _propose(client, headers, child, start_hour, minute):
    response = client.post(
        f"{API}/visits", headers=headers, json=proposal(child, windows=[window(3, start_hour, minute)])
    )
    assert response.status_code == 201, response.json
    return response.json


def _scheduled_overlaps(db, user_id):
    db.session.expire_all()
    visits = db.session.scalars(
        sa.select(HomeVisit)
        .join(VisitParticipant)
        .where(VisitParticipant.user_id == user_id, HomeVisit.state == VisitState.SCHEDULED)
    ).all()
    return [
        (a.id, b.id)
        for a, b in itertools.combinations(visits, 2)
        if a.starts_at < b.ends_at and b.starts_at < a.ends_at
    ]


def test_simultaneous_acceptances_of_overlapping_visits_schedule_one(app, client, make, world, db):
    teacher = make.login(world.teacher_a)
    for round_ in range(ROUNDS):
        families = _families(make, world, db, RACERS)
        visits = [_propose(client, teacher, child, 9 + 3 * round_, 10 * i) for i, (child, _h) in enumerate(families)]
        calls = [
            (headers, "POST", f"/visits/{visit['id']}/accept", {"window_id": visit["windows"][0]["id"]})
            for visit, (_child, headers) in zip(visits, families, strict=True)
        ]
        results = race(app, calls, prefix=API)
        assert Counter(results) == {(200, None): 1, (409, "staff_busy"): RACERS - 1}, results
        assert _scheduled_overlaps(db, world.teacher_a.id) == []


def test_acceptances_moves_and_proposals_at_once_never_overlap(app, client, make, world, db):
    teacher = make.login(world.teacher_a)
    families = _families(make, world, db, RACERS)
    visits = [_propose(client, teacher, child, 15, 0) for child, _h in families[:3]]
    settled = _propose(client, teacher, families[3][0], 18, 0)
    assert (
        client.post(
            f"{API}/visits/{settled['id']}/accept",
            headers=families[3][1],
            json={"window_id": settled["windows"][0]["id"]},
        ).status_code
        == 200
    )
    calls = [
        (headers, "POST", f"/visits/{visit['id']}/accept", {"window_id": visit["windows"][0]["id"]})
        for visit, (_child, headers) in zip(visits, families, strict=False)
    ]
    calls.append((teacher, "POST", f"/visits/{settled['id']}/move", {**window(3, 15, 15), "reason": "提前"}))
    calls.append((teacher, "POST", "/visits", proposal(families[4][0], windows=[window(3, 15, 30)])))
    results = race(app, calls, prefix=API)
    assert "exception" not in {status for status, _ in results}, results
    assert sum(status == 200 for status, _ in results) == 1, results
    assert _scheduled_overlaps(db, world.teacher_a.id) == []


def test_simultaneous_acceptances_of_overlapping_counter_proposals_move_one(app, client, make, world, db):
    """Families of scheduled visits at different times ask to move to the same hour; the teacher accepts every
    request at once (and one more family accepts a proposal for that hour): one wins, the rest are staff_busy."""
    teacher = make.login(world.teacher_a)
    families = _families(make, world, db, RACERS)
    scheduled = []
    for i, (child, headers) in enumerate(families[:-1]):
        visit = _propose(client, teacher, child, 9 + 2 * i, 0)
        accepted = client.post(
            f"{API}/visits/{visit['id']}/accept", headers=headers, json={"window_id": visit["windows"][0]["id"]}
        )
        assert accepted.status_code == 200, accepted.json
        asked = client.post(
            f"{API}/visits/{visit['id']}/move", headers=headers, json={**window(4, 16, 10 * i), "reason": "改到下午"}
        )
        assert (asked.status_code, asked.json["awaiting"]) == (200, "staff"), asked.json
        scheduled.append(visit)
    proposed = client.post(
        f"{API}/visits", headers=teacher, json=proposal(families[-1][0], windows=[window(4, 16, 5)])
    ).json
    calls = [(teacher, "POST", f"/visits/{visit['id']}/move-request/accept", {}) for visit in scheduled]
    calls.append(
        (families[-1][1], "POST", f"/visits/{proposed['id']}/accept", {"window_id": proposed["windows"][0]["id"]})
    )
    results = race(app, calls, prefix=API)
    assert Counter(results) == {(200, None): 1, (409, "staff_busy"): RACERS - 1}, results
    assert _scheduled_overlaps(db, world.teacher_a.id) == []


def test_both_guardians_accepting_one_proposal_at_once_schedule_it_once(app, client, make, world, db):
    """Each guardian takes a different window of the same proposal: one is told their window was chosen, the
    other that the visit is already scheduled, and the visit's history has one acceptance."""
    teacher = make.login(world.teacher_a)
    for round_ in range(ROUNDS):
        family = make.family()
        guardians = [make.user(), make.user()]
        for user in guardians:
            make.guardian(family=family, user=user)
        child = make.student(world.class_a, family)
        db.session.commit()
        visit = client.post(
            f"{API}/visits",
            headers=teacher,
            json=proposal(child, windows=[window(4, 9 + 3 * round_), window(4, 10 + 3 * round_, 30)]),
        ).json
        calls = [
            (make.login(user), "POST", f"/visits/{visit['id']}/accept", {"window_id": offered["id"]})
            for user, offered in zip(guardians, visit["windows"], strict=True)
        ]
        results = race(app, calls, prefix=API)
        assert Counter(results) == {(200, None): 1, (409, "visit_state_conflict"): 1}, results
        accepted = db.session.scalars(
            sa.select(VisitEvent).where(VisitEvent.visit_id == visit["id"], VisitEvent.action == VisitAction.ACCEPTED)
        ).all()
        assert len(accepted) == 1
        winner = visit["windows"][[status for status, _ in results].index(200)]
        fresh = db.session.get(HomeVisit, visit["id"])
        assert (fresh.state, fresh.starts_at.isoformat()) == (
            VisitState.SCHEDULED,
            dt.datetime.fromisoformat(winner["starts_at"]).astimezone(dt.UTC).isoformat(),
        )
