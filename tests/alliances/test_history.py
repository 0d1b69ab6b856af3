"""An alliance's status changes go through one table, each leaving a history row (who, from, to, why) beside
the alliance's own record of events."""

import sqlalchemy as sa

from jlt_family.alliances.models import ALLIANCE_LIFECYCLE, AllianceStatus
from jlt_family.core.models import StateChange
from tests.alliances.conftest import API, draft_body


def _history(db, alliance_id):
    db.session.expire_all()
    return db.session.execute(
        sa.select(StateChange.actor_user_id, StateChange.from_state, StateChange.to_state, StateChange.reason)
        .where(StateChange.aggregate == "alliance", StateChange.aggregate_id == alliance_id)
        .order_by(StateChange.id)
    ).all()


def test_every_status_change_of_an_alliance_is_in_its_history(call, c, world, db):
    alliance_id = call("POST", f"{API}/alliances", c.admin, json=draft_body(c)).json["id"]
    bureau = world.region_admin
    steps = [
        ("submit", c.admin, None),
        ("return", bureau, {"comment": "请补充成员单位的职责"}),
        ("submit", c.admin, None),
        ("approve", bureau, {"comment": "同意"}),
        ("suspend", bureau, {"reason": "整改期间暂停"}),
        ("reinstate", bureau, {"comment": "整改完成"}),
    ]
    for action, who, body in steps:
        response = call("POST", f"{API}/alliances/{alliance_id}/{action}", who, json=body)
        assert response.status_code == 200, (action, response.json)
    assert _history(db, alliance_id) == [
        (c.admin.id, None, "draft", None),
        (c.admin.id, "draft", "submitted", None),
        (bureau.id, "submitted", "returned", "请补充成员单位的职责"),
        (c.admin.id, "returned", "submitted", None),
        (bureau.id, "submitted", "approved", "同意"),
        (bureau.id, "approved", "suspended", "整改期间暂停"),
        (bureau.id, "suspended", "approved", "整改完成"),
    ]


def test_a_refused_change_writes_no_history(call, c, world, db):
    alliance_id = call("POST", f"{API}/alliances", c.admin, json=draft_body(c)).json["id"]
    response = call("POST", f"{API}/alliances/{alliance_id}/approve", world.region_admin, json={})
    assert response.status_code == 409 and response.json["code"] == "alliance_not_submitted"
    assert _history(db, alliance_id) == [(c.admin.id, None, "draft", None)]


def test_the_table_lists_the_workflow_and_nothing_else():
    assert ALLIANCE_LIFECYCLE.sources(AllianceStatus.SUBMITTED) == {AllianceStatus.DRAFT, AllianceStatus.RETURNED}
    assert ALLIANCE_LIFECYCLE.sources(AllianceStatus.APPROVED) == {AllianceStatus.SUBMITTED, AllianceStatus.SUSPENDED}
    assert not ALLIANCE_LIFECYCLE.allows(AllianceStatus.DRAFT, AllianceStatus.APPROVED)
    assert not ALLIANCE_LIFECYCLE.allows(AllianceStatus.SUSPENDED, AllianceStatus.RETURNED)
