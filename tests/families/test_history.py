"""The life cycles of a binding request and a care entrustment: each change through the API leaves one history
row (who, from, to, why)."""

import pytest
import sqlalchemy as sa

from jlt_family.core.models import StateChange
from jlt_family.families.models import BindingRequest
from tests.families.conftest import binding_body
from tests.families.test_care import entrustment_body


def _history(db, aggregate, aggregate_id):
    db.session.expire_all()
    return db.session.execute(
        sa.select(StateChange.actor_user_id, StateChange.from_state, StateChange.to_state, StateChange.reason)
        .where(StateChange.aggregate == aggregate, StateChange.aggregate_id == aggregate_id)
        .order_by(StateChange.id)
    ).all()


def test_an_approved_binding_request_has_its_history(api, world, unbound, newcomer, db):
    created = api(newcomer).post("/binding-requests", json=binding_body(world, unbound))
    assert api(world.teacher_a).post(f"/binding-requests/{created.json['id']}/approve").status_code == 200
    assert _history(db, "binding", created.json["id"]) == [
        (newcomer.id, None, "pending", None),
        (world.teacher_a.id, "pending", "approved", None),
    ]


def test_a_rejection_keeps_its_reason_and_a_second_decision_writes_nothing(api, world, pending, db):
    url = f"/binding-requests/{pending.id}"
    assert api(world.teacher_a).post(f"{url}/reject", json={"reason": "学号有误"}).status_code == 200
    assert api(world.teacher_a).post(f"{url}/approve").status_code == 409
    assert _history(db, "binding", pending.id)[1:] == [(world.teacher_a.id, "pending", "rejected", "学号有误")]


def test_a_withdrawn_binding_request_names_the_parent(api, newcomer, pending, db):
    assert api(newcomer).delete(f"/binding-requests/{pending.id}").status_code == 200
    assert db.session.get(BindingRequest, pending.id) is not None
    assert _history(db, "binding", pending.id)[1:] == [(newcomer.id, "pending", "cancelled", None)]


@pytest.mark.parametrize("withdraw_after_acknowledging", [False, True])
def test_a_care_entrustment_has_its_history(api, world, db, withdraw_after_acknowledging):
    filed = api(world.guardian_a).post(f"/children/{world.child_a.id}/care-entrustments", json=entrustment_body())
    entrustment_id = filed.json["id"]
    expected = [(world.guardian_a.id, None, "submitted", None)]
    if withdraw_after_acknowledging:
        assert api(world.teacher_a).post(f"/care-entrustments/{entrustment_id}/acknowledge").status_code == 200
        expected.append((world.teacher_a.id, "submitted", "acknowledged", None))
    assert api(world.guardian_a).post(f"/care-entrustments/{entrustment_id}/withdraw").status_code == 200
    before = "acknowledged" if withdraw_after_acknowledging else "submitted"
    expected.append((world.guardian_a.id, before, "withdrawn", None))
    assert api(world.guardian_a).post(f"/care-entrustments/{entrustment_id}/withdraw").status_code == 409
    assert _history(db, "entrustment", entrustment_id) == expected
