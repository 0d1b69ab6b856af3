"""Demo visits: every state, classes at different coverage levels, and demo accounts that can act on them."""

import sqlalchemy as sa

from jlt_family.devtools.demo import seed_demo
from jlt_family.organizations.models import SchoolClass
from jlt_family.visits import coverage
from jlt_family.visits.models import HomeVisit, VisitState
from tests.factories import dev_login_headers

API = "/api/v1"


def test_demo_has_visits_in_every_state_and_different_coverage(db):
    summary = seed_demo()
    db.session.commit()
    states = set(db.session.scalars(sa.select(HomeVisit.state).distinct()))
    assert states == set(VisitState)
    assert all(summary[f"home_visits_{state.value}"] > 0 for state in VisitState)
    rates = {
        c.invite_code: coverage.rate(*reversed(coverage.class_counts(c)))
        for c in db.session.scalars(sa.select(SchoolClass))
    }
    assert rates["YX5A1R8T"] == 0.0 and rates["SZ7C3W2P"] > 0.8 and 0.2 < rates["YX3B2Q4N"] < 0.4
    assert len(set(rates.values())) == len(rates)


def test_demo_parent_answers_a_proposal_and_the_teacher_sees_coverage(client, db):
    seed_demo()
    db.session.commit()
    parent = dev_login_headers(client, "demo-parent-1")
    visits = client.get(f"{API}/visits?state=proposed", headers=parent).json["items"]
    assert len(visits) == 1 and visits[0]["awaiting"] == "family"
    accepted = client.post(
        f"{API}/visits/{visits[0]['id']}/accept", headers=parent, json={"window_id": visits[0]["windows"][0]["id"]}
    )
    assert accepted.status_code == 200, accepted.json
    teacher = dev_login_headers(client, "demo-teacher-1")
    todo = client.get(f"{API}/me/visits-to-do", headers=teacher).json
    assert todo["total"] == 16 and todo["items"][0]["flags"]


def test_demo_teacher_has_a_counter_proposal_a_suggestion_and_follow_ups_to_answer(client, db):
    seed_demo()
    db.session.commit()
    teacher = dev_login_headers(client, "demo-teacher-1")
    waiting = [
        v for v in client.get(f"{API}/visits?page_size=100", headers=teacher).json["items"] if v["awaiting"] == "staff"
    ]
    assert sorted(v["state"] for v in waiting) == ["proposed", "scheduled"]
    moving = next(v for v in waiting if v["state"] == "scheduled")
    assert moving["move_request"]["reason"] and moving["move_request"]["starts_at"] != moving["starts_at"]
    suggested = next(v for v in waiting if v["state"] == "proposed")
    assert [w["offered_by"] for w in suggested["windows"]] == ["family"]
    accepted = client.post(f"{API}/visits/{moving['id']}/move-request/accept", headers=teacher, json={})
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["starts_at"] == moving["move_request"]["starts_at"]
    follow_ups = client.get(f"{API}/me/visit-follow-ups?status=all&page_size=100", headers=teacher).json
    done = [f["done"] for f in follow_ups["items"]]
    assert follow_ups["total"] == len(done) > 0 and True in done and False in done
    open_one = next(f for f in follow_ups["items"] if not f["done"])
    closed = client.patch(f"{API}/visit-follow-ups/{open_one['id']}", headers=teacher, json={"done": True})
    assert closed.status_code == 200, closed.json
