"""The alliance demo: a queue for the demo bureau, a returned application, the approved one's history."""

import pytest

from jlt_family.devtools.demo import seed_demo

API = "/api/v1"


@pytest.fixture
def demo(db, client):
    seed_demo()
    db.session.commit()

    def login(openid):
        response = client.post(f"{API}/auth/dev-login", json={"openid": openid})
        return {"Authorization": f"Bearer {response.json['token']}"}

    return login


def test_the_bureau_finds_a_submitted_alliance_in_its_queue_and_approves_it(client, demo):
    bureau = demo("demo-region-admin")
    queue = client.get(f"{API}/alliances?status=submitted", headers=bureau).json["items"]
    assert [a["name"] for a in queue] == ["乌兰浩特市第二小学教联体"]
    item = queue[0]
    assert [s["name"] for s in item["centre_schools"]] == ["乌兰浩特市第二小学", "乌兰浩特市第二中学"]
    assert {m["kind"] for m in item["members"]} == {"resource_unit", "community", "department"}
    assert item["application"]["allowed_actions"] == ["approve", "return"]
    approved = client.post(f"{API}/alliances/{item['id']}/approve", headers=bureau, json={"comment": "同意"})
    assert approved.status_code == 200, approved.json
    assert [s["name"] for s in approved.json["schools"]] == [
        "乌兰浩特市第二小学",
        "乌兰浩特市第二中学",
        "乌兰浩特市第二幼儿园",
    ]


def test_a_returned_alliance_waits_for_its_school_with_the_comments(client, demo):
    school = demo("demo-school-admin-6")
    mine = client.get(f"{API}/alliances?status=returned", headers=school).json["items"]
    assert [a["name"] for a in mine] == ["乌兰浩特市第五小学教联体"]
    assert "请补充社会资源单位和政府部门" in mine[0]["application"]["review_comment"]
    assert mine[0]["application"]["allowed_actions"] == ["edit", "submit"]


def test_the_approved_alliance_has_its_history(client, demo):
    alliance = client.get(f"{API}/alliances", headers=demo("demo-parent-1")).json["items"][0]
    history = client.get(f"{API}/alliances/{alliance['id']}/history", headers=demo("demo-alliance-admin")).json
    assert [e["action"] for e in history["items"]] == [
        "created",
        "submitted",
        "returned",
        "member_added",
        "submitted",
        "approved",
    ]
    assert history["items"][-1]["actor"]["nickname"] == "马志远"


def test_a_free_school_drafts_a_new_alliance(client, demo):
    headers = demo("demo-school-admin-7")
    memberships = client.get(f"{API}/me", headers=headers).json["memberships"]
    assert [(m["role"], m["scope_name"]) for m in memberships] == [("school_admin", "乌兰浩特市第六小学")]
    school_id = memberships[0]["school_id"]
    response = client.post(
        f"{API}/alliances", headers=headers, json={"name": "乌兰浩特市第六小学教联体", "centre_school_ids": [school_id]}
    )
    assert response.status_code == 201, response.json
