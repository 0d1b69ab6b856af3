"""The life of an alliance through the API: draft → submit → return with comments → edit → resubmit → approve."""

import sqlalchemy as sa

from jlt_family.alliances.models import Alliance, AllianceEvent
from jlt_family.core.models import AuditLog
from jlt_family.organizations.models import School, StaffMembership, StaffRole
from tests.alliances.conftest import API, member_body


def _events(db, alliance_id):
    return db.session.execute(
        sa.select(AllianceEvent.action, AllianceEvent.from_status, AllianceEvent.to_status, AllianceEvent.comment)
        .where(AllianceEvent.alliance_id == alliance_id)
        .order_by(AllianceEvent.id)
    ).all()


def test_a_school_admin_drafts_an_alliance(call, c, world):
    response = call(
        "POST",
        f"{API}/alliances",
        c.admin,
        json={
            "name": "第二小学教联体",
            "centre_school_ids": [c.centre.id, c.centre2.id],
            "member_school_ids": [c.member.id],
            "members": [member_body(), member_body(kind="resource_unit", resource_unit_id=c.unit.id, name=None)],
        },
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert (body["status"], body["status_label"]) == ("draft", "草稿")
    assert body["region"]["id"] == world.county.id
    assert [s["id"] for s in body["centre_schools"]] == [c.centre.id, c.centre2.id]
    assert [s["id"] for s in body["schools"]] == [c.centre.id, c.centre2.id, c.member.id]
    unit_member = body["members"][1]
    assert (unit_member["name"], unit_member["kind"]) == (c.unit.name, "resource_unit")
    assert body["members"][0]["contact_phone"] == "0482-8213355"  # the drafter sees what they entered
    application = body["application"]
    assert application["drafted_by"]["id"] == c.admin.id
    assert application["allowed_actions"] == ["edit", "submit"]
    assert [(s["id"], s["is_centre"], s["in_other_alliance"]) for s in application["proposed_schools"]] == [
        (c.centre.id, True, False),
        (c.centre2.id, True, False),
        (c.member.id, False, False),
    ]
    # Nothing is real before approval: the schools are still outside any alliance.
    assert {s.alliance_id for s in (c.centre, c.centre2, c.member)} == {None}


def test_the_whole_review_cycle(call, c, world, db, draft):
    alliance_id = draft()
    # The school submits; the county's education bureau sees it in its queue with what a reviewer needs.
    assert call("POST", f"{API}/alliances/{alliance_id}/submit", c.admin).status_code == 200
    queue = call("GET", f"{API}/alliances?status=submitted", world.region_admin).json
    assert [a["id"] for a in queue["items"]] == [alliance_id]
    item = queue["items"][0]
    assert item["application"]["submitted_by"]["id"] == c.admin.id
    assert item["application"]["submitted_at"] is not None
    assert item["application"]["allowed_actions"] == ["approve", "return"]
    assert [m["responsible_person"] for m in item["members"]] == ["陈主任", "李主任"]
    assert [s["name"] for s in item["schools"]] == [c.centre.name, c.member.name]
    assert call("GET", f"{API}/alliances?status=submitted", world.other_region_admin).json["items"] == []

    # The bureau returns it with comments; the school sees them and edits.
    returned = call(
        "POST",
        f"{API}/alliances/{alliance_id}/return",
        world.region_admin,
        json={"comment": "请补充政府部门成员单位及其职责"},
    )
    assert returned.status_code == 200, returned.json
    assert returned.json["status"] == "returned"
    seen = call("GET", f"{API}/alliances/{alliance_id}", c.admin).json
    assert seen["status_label"] == "已退回"
    assert seen["application"]["review_comment"] == "请补充政府部门成员单位及其职责"
    assert seen["application"]["reviewed_by"]["id"] == world.region_admin.id
    assert seen["application"]["allowed_actions"] == ["edit", "submit"]
    added = call(
        "POST",
        f"{API}/alliances/{alliance_id}/members",
        c.admin,
        json=member_body(kind="department", name="测试县民政局", duties="统筹困境儿童关爱"),
    )
    assert added.status_code == 201, added.json
    assert (
        call("PATCH", f"{API}/alliances/{alliance_id}", c.admin, json={"description": "补充了民政局。"}).status_code
        == 200
    )

    # Resubmitted and approved: the schools join in the same transaction, the drafter administers it.
    assert call("POST", f"{API}/alliances/{alliance_id}/submit", c.admin).json["status"] == "submitted"
    approved = call("POST", f"{API}/alliances/{alliance_id}/approve", world.region_admin, json={"comment": "同意"})
    assert approved.status_code == 200, approved.json
    assert approved.json["status"] == "approved" and approved.json["approved_at"] is not None
    db.session.expire_all()
    centre, member = db.session.get(School, c.centre.id), db.session.get(School, c.member.id)
    assert (centre.alliance_id, centre.is_alliance_centre) == (alliance_id, True)
    assert (member.alliance_id, member.is_alliance_centre) == (alliance_id, False)
    grant = db.session.scalar(sa.select(StaffMembership).where(StaffMembership.alliance_id == alliance_id))
    assert (grant.user_id, grant.role, grant.granted_by_id) == (
        c.admin.id,
        StaffRole.ALLIANCE_ADMIN,
        world.region_admin.id,
    )
    # Published: everybody sees it, with its schools.
    public = call("GET", f"{API}/alliances/{alliance_id}", world.stranger).json
    assert [s["id"] for s in public["centre_schools"]] == [c.centre.id]
    assert public["application"] is None

    assert [
        e.action.value
        for e in db.session.scalars(
            sa.select(AllianceEvent).where(AllianceEvent.alliance_id == alliance_id).order_by(AllianceEvent.id)
        )
    ] == ["created", "submitted", "returned", "member_added", "updated", "submitted", "approved"]
    audit_log = call("GET", f"{API}/schools/{c.centre.id}/audit-log?subject_type=alliance", c.admin).json
    assert [e["action"] for e in audit_log["items"]] == ["alliance_approved", "alliance_returned"]
    decisions = db.session.execute(
        sa.select(AuditLog.action, AuditLog.actor_user_id, AuditLog.school_id)
        .where(AuditLog.subject_type == "alliance")
        .order_by(AuditLog.id)
    ).all()
    assert decisions == [
        ("alliance_returned", world.region_admin.id, c.centre.id),
        ("alliance_approved", world.region_admin.id, c.centre.id),
    ]


def test_history_says_who_did_what_from_and_to_which_status(call, c, world, db, submitted):
    alliance_id = submitted()
    call("POST", f"{API}/alliances/{alliance_id}/return", world.region_admin, json={"comment": "请补充简介"})
    call("PATCH", f"{API}/alliances/{alliance_id}", c.admin, json={"name": "第二小学家校社教联体"})
    page = call("GET", f"{API}/alliances/{alliance_id}/history?page_size=2&page=2", world.region_admin).json
    assert page["total"] == 4 and page["page"] == 2
    returned, updated = page["items"]
    assert (returned["action"], returned["action_label"]) == ("returned", "退回修改")
    assert (returned["from_status"], returned["to_status"], returned["comment"]) == (
        "submitted",
        "returned",
        "请补充简介",
    )
    assert returned["actor"] == {"id": world.region_admin.id, "nickname": world.region_admin.nickname}
    assert updated["detail"] == {"changes": {"name": ["第二小学教联体", "第二小学家校社教联体"]}}
    assert updated["created_at"].endswith("+08:00")


def test_a_second_centre_school_admin_edits_too(call, c, draft):
    alliance_id = draft(centre_school_ids=[c.centre.id, c.centre2.id])
    response = call(
        "PATCH", f"{API}/alliances/{alliance_id}/member-schools/{c.centre.id}", c.admin2, json={"is_centre": False}
    )
    assert response.status_code == 200, response.json
    assert [s["id"] for s in response.json["centre_schools"]] == [c.centre2.id]
    # The first school's admin is no longer a drafter: they may still see it (their school is in it) but not edit.
    assert (
        call("PATCH", f"{API}/alliances/{alliance_id}", c.admin, json={"name": "改名"}).json["code"]
        == "not_alliance_drafter"
    )


def test_member_school_admins_read_the_draft_but_do_not_edit_it(call, c, draft):
    alliance_id = draft()
    body = call("GET", f"{API}/alliances/{alliance_id}", c.member_admin).json
    assert body["application"]["allowed_actions"] == []
    response = call("POST", f"{API}/alliances/{alliance_id}/members", c.member_admin, json=member_body(name="新社区"))
    assert (response.status_code, response.json["code"]) == (403, "not_alliance_drafter")
    history = call("GET", f"{API}/alliances/{alliance_id}/history", c.member_admin)
    assert (history.status_code, history.json["code"]) == (403, "not_alliance_admin")


def test_members_and_schools_are_changed_and_removed(call, c, db, draft):
    alliance_id = draft()
    alliance = db.session.get(Alliance, alliance_id)
    member_id = alliance.members[0].id
    changed = call(
        "PATCH",
        f"{API}/alliances/{alliance_id}/members/{member_id}",
        c.admin,
        json={"responsible_person": "王书记", "contact_phone": "139 1234 5678"},
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["members"][0]["responsible_person"] == "王书记"
    assert changed.json["members"][0]["contact_phone"] == "13912345678"
    assert call("DELETE", f"{API}/alliances/{alliance_id}/members/{member_id}", c.admin).status_code == 204
    assert (
        call(
            "POST",
            f"{API}/alliances/{alliance_id}/member-schools",
            c.admin,
            json={"school_id": c.centre2.id, "is_centre": True},
        ).status_code
        == 201
    )
    assert call("DELETE", f"{API}/alliances/{alliance_id}/member-schools/{c.member.id}", c.admin).status_code == 204
    body = call("GET", f"{API}/alliances/{alliance_id}", c.admin).json
    assert [s["id"] for s in body["schools"]] == [c.centre.id, c.centre2.id]
    assert len(body["members"]) == 1
    assert (
        call("DELETE", f"{API}/alliances/{alliance_id}/members/{member_id}", c.admin).json["code"]
        == "alliance_member_not_found"
    )


def test_adding_a_member_is_idempotent(call, c, draft):
    alliance_id = draft()
    headers = {"Idempotency-Key": "alliance-member-0001"}
    body = member_body(kind="department", name="测试县妇联")
    first = call("POST", f"{API}/alliances/{alliance_id}/members", c.admin, json=body, headers=headers)
    again = call("POST", f"{API}/alliances/{alliance_id}/members", c.admin, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert [m["name"] for m in again.json["members"]].count("测试县妇联") == 1


def test_creating_is_idempotent(call, c, db):
    from tests.alliances.conftest import draft_body

    headers = {"Idempotency-Key": "alliance-draft-0001"}
    first = call("POST", f"{API}/alliances", c.admin, json=draft_body(c), headers=headers)
    again = call("POST", f"{API}/alliances", c.admin, json=draft_body(c), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    count = sa.select(sa.func.count()).select_from(Alliance).where(Alliance.name == "第二小学教联体")
    assert db.session.scalar(count) == 1


def test_drafts_stay_hidden_from_everybody_else(call, c, world, draft):
    alliance_id = draft()
    for user in (world.guardian_a, world.teacher_a, world.other_region_admin, world.alliance_admin, world.stranger):
        assert call("GET", f"{API}/alliances/{alliance_id}", user).json["code"] == "alliance_not_found"
        assert alliance_id not in [a["id"] for a in call("GET", f"{API}/alliances", user).json["items"]]
    assert call("GET", f"{API}/alliances/{alliance_id}", world.region_admin).status_code == 200
    # The drafter finds it in the list too.
    assert alliance_id in [a["id"] for a in call("GET", f"{API}/alliances?status=draft", c.admin).json["items"]]


def test_list_of_submitted_alliances_costs_the_same_whatever_its_size(call, c, world, db, make, count_queries):
    from jlt_family.alliances.models import AllianceMember, AllianceSchool, AllianceStatus, MemberKind

    def add(n):
        for _ in range(n):
            alliance = make.alliance(
                region=world.county,
                status=AllianceStatus.SUBMITTED,
                drafted_by_id=c.admin.id,
                submitted_by_id=c.admin.id,
            )
            for school, centre in ((make.school(region=world.county), True), (make.school(region=world.county), False)):
                db.session.add(AllianceSchool(alliance=alliance, school=school, is_centre=centre))
            db.session.add(AllianceMember(alliance=alliance, kind=MemberKind.COMMUNITY, name="社区"))
        db.session.commit()

    def queries():
        db.session.close()  # nothing cached in the identity map: each call loads what it needs
        with count_queries() as counted:
            response = call("GET", f"{API}/alliances?status=submitted&page_size=100", world.region_admin)
        assert response.status_code == 200
        return counted.n, response.json["total"]

    add(2)
    call("GET", f"{API}/alliances", world.region_admin)  # sign-in token cached by ``call``
    few = queries()
    add(8)
    many = queries()
    assert (few[1], many[1]) == (2, 10)
    assert few[0] == many[0]


def test_approval_grants_no_alliance_admin_to_a_drafter_who_left_the_centre_school(call, c, world, db, submitted):
    alliance_id = submitted()
    membership = db.session.scalar(sa.select(StaffMembership).where(StaffMembership.user_id == c.admin.id))
    membership.revoked_at, membership.active_key = membership.granted_at, None
    db.session.commit()
    assert call("POST", f"{API}/alliances/{alliance_id}/approve", world.region_admin, json={}).status_code == 200
    admins = db.session.scalars(sa.select(StaffMembership).where(StaffMembership.alliance_id == alliance_id)).all()
    assert admins == []
    approved = db.session.scalars(
        sa.select(AllianceEvent.detail).where(
            AllianceEvent.alliance_id == alliance_id, AllianceEvent.action == "approved"
        )
    ).one()
    assert approved == {"alliance_admin_granted_to": None}
