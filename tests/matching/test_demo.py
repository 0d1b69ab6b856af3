"""The matching demo: open needs with proposals, one accepted into a pending group booking at the 科技馆, one into
a draft course of the community parent school, a past one rated; what the demo accounts see through the API."""

import sqlalchemy as sa

from jlt_family.matching.models import Need, NeedStatus
from tests.factories import dev_login_headers


def test_demo_needs_in_every_state_but_withdrawn(seeded, db):
    statuses = sorted(db.session.scalars(sa.select(Need.status)))
    assert statuses.count(NeedStatus.OPEN) == 2
    assert statuses.count(NeedStatus.MATCHED) == 2
    assert statuses.count(NeedStatus.CLOSED) == 1
    assert (seeded["needs"], seeded["matched_needs"]) == (5, 3)


def test_demo_accounts_see_the_needs_proposals_and_the_pending_request(seeded, client):
    admin = dev_login_headers(client, "demo-school-admin")
    needs = client.get("/api/v1/needs?status=open", headers=admin).json["items"]
    science = next(n for n in needs if n["topic"] == "science")
    proposals = client.get(f"/api/v1/needs/{science['id']}/proposals", headers=admin).json["items"]
    labels = [p["label"] for p in proposals]
    assert labels[0] == "兴安盟科技馆 · 展厅参观"  # the alliance's science museum first
    assert "兴安盟科技馆 · 周六科普讲座" in labels  # the county catalogue's other units follow
    assert "每场可接待团体 40 人 < 41 人，需分 2 场" in proposals[0]["limits"]
    assert proposals[0]["slots"]

    staff = dev_login_headers(client, "demo-venue-staff")
    unit_id = proposals[0]["unit"]["id"]
    matched = client.get(f"/api/v1/resource-units/{unit_id}/needs", headers=staff).json["items"]
    assert [n["match"]["feedback"]["rating"] for n in matched if n["status"] == "closed"] == [5]
    [pending] = [b for n in matched for b in n["match"]["bookings"] if b["status"] == "pending"]
    assert (pending["status"], pending["headcount"]) == ("pending", 40)
    assert client.post(f"/api/v1/venue-bookings/{pending['id']}/confirm", headers=staff).status_code == 200
    mine = client.get("/api/v1/needs?status=matched", headers=admin).json["items"]
    statuses = {b["status"] for n in mine if n["match"]["kind"] == "venue" for b in n["match"]["bookings"]}
    assert statuses == {"confirmed"}

    alliance = dev_login_headers(client, "demo-alliance-admin")
    course_need = next(
        n for n in client.get("/api/v1/needs", headers=alliance).json["items"] if n["topic"] == "parent_education"
    )
    assert course_need["match"]["course"]["is_published"] is False
    assert course_need["match"]["label"] == "和平街道兴安社区家长学校"
