"""Every bad input gets its status, a stable code and a Chinese message, and leaves nothing half-written."""

import pytest
import sqlalchemy as sa

from jlt_family.alliances.models import Alliance, AllianceEvent, AllianceSchool, AllianceStatus
from tests.alliances.conftest import API, draft_body, member_body


def _assert_error(response, status, code):
    assert (response.status_code, response.json["code"]) == (status, code), response.json
    assert response.json["message"]


def _counts(db):
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Alliance, AllianceSchool, AllianceEvent)
    )


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        (lambda c: {"centre_school_ids": [999999]}, 422, "unknown_school"),
        (lambda c: {"member_school_ids": [999999]}, 422, "unknown_school"),
        (lambda c: {"member_school_ids": [c.far.id]}, 422, "school_other_county"),
        (lambda c: {"centre_school_ids": [c.centre.id, c.far.id]}, 422, "school_other_county"),
        (
            lambda c: {"centre_school_ids": [c.centre.id, c.centre2.id, c.member.id], "member_school_ids": []},
            422,
            "too_many_centre_schools",
        ),
        (lambda c: {"centre_school_ids": []}, 422, "centre_school_required"),
        (lambda c: {"member_school_ids": [c.centre.id]}, 422, "school_listed_twice"),
        (lambda c: {"centre_school_ids": [c.centre2.id]}, 403, "not_centre_school_admin"),
        (lambda c: {"member_school_ids": [c.world.other_school.id]}, 409, "school_in_other_alliance"),
        (lambda c: {"members": [member_body(), member_body()]}, 409, "member_unit_duplicate"),
        (
            lambda c: {"members": [member_body(kind="resource_unit", resource_unit_id=c.unit.id)] * 2},
            409,
            "member_unit_duplicate",
        ),
        (
            lambda c: {"members": [member_body(kind="resource_unit", resource_unit_id=999999)]},
            422,
            "unknown_resource_unit",
        ),
        (lambda c: {"members": [member_body(kind="resource_unit")]}, 422, "resource_unit_required"),
        (lambda c: {"members": [member_body(name=None)]}, 422, "member_name_required"),
        (lambda c: {"members": [member_body(contact_phone="12345")]}, 422, "validation_error"),
        (lambda c: {"members": [member_body(duties="  ")]}, 422, "validation_error"),
        (lambda c: {"members": [member_body(kind="school")]}, 422, "validation_error"),
        (lambda c: {"name": ""}, 422, "validation_error"),
        (lambda c: {"centre_school_ids": ["1"]}, 422, "validation_error"),
        (lambda c: {"colour": "red"}, 422, "validation_error"),
    ],
)
def test_drafting_refuses_bad_input(call, c, db, change, status, code):
    before = _counts(db)
    response = call("POST", f"{API}/alliances", c.admin, json=draft_body(c, **change(c)))
    _assert_error(response, status, code)
    assert _counts(db) == before


def test_a_unit_outside_the_region_and_an_inactive_unit_are_refused(call, c, make, db):
    far_unit = make.resource_unit(region=c.world.other_county)
    closed = make.resource_unit(region=c.world.county, is_active=False)
    city_unit = make.resource_unit(region=c.world.city)  # a unit of the city above serves the county's alliances
    db.session.commit()
    for unit, status, code in ((far_unit, 422, "resource_unit_out_of_region"), (closed, 422, "resource_unit_inactive")):
        response = call(
            "POST",
            f"{API}/alliances",
            c.admin,
            json=draft_body(c, members=[member_body(kind="resource_unit", resource_unit_id=unit.id)]),
        )
        _assert_error(response, status, code)
    response = call(
        "POST",
        f"{API}/alliances",
        c.admin,
        json=draft_body(c, members=[member_body(kind="resource_unit", resource_unit_id=city_unit.id)]),
    )
    assert response.status_code == 201, response.json


def test_editing_the_member_schools_follows_the_rules(call, c, draft):
    alliance_id = draft(centre_school_ids=[c.centre.id, c.centre2.id], member_school_ids=[])
    url = f"{API}/alliances/{alliance_id}/member-schools"
    _assert_error(
        call("POST", url, c.admin, json={"school_id": c.member.id, "is_centre": True}), 422, "too_many_centre_schools"
    )
    _assert_error(call("POST", url, c.admin, json={"school_id": c.centre2.id}), 409, "school_already_added")
    _assert_error(call("POST", url, c.admin, json={"school_id": c.far.id}), 422, "school_other_county")
    _assert_error(call("POST", url, c.admin, json={"school_id": 999999}), 422, "unknown_school")
    _assert_error(call("POST", url, c.admin, json={"school_id": c.world.school.id}), 409, "school_in_other_alliance")
    _assert_error(
        call("PATCH", f"{url}/{c.member.id}", c.admin, json={"is_centre": True}), 404, "alliance_school_not_found"
    )
    _assert_error(call("PATCH", f"{url}/{c.centre.id}", c.admin, json={"is_centre": "yes"}), 422, "validation_error")
    assert call("DELETE", f"{url}/{c.centre2.id}", c.admin).status_code == 204
    _assert_error(call("DELETE", f"{url}/{c.centre.id}", c.admin), 409, "last_centre_school")
    _assert_error(call("PATCH", f"{url}/{c.centre.id}", c.admin, json={"is_centre": False}), 409, "last_centre_school")


def test_editing_members_follows_the_rules(call, c, db, draft):
    alliance_id = draft()
    url = f"{API}/alliances/{alliance_id}/members"
    members = db.session.get(Alliance, alliance_id).members
    _assert_error(call("POST", url, c.admin, json=member_body()), 409, "member_unit_duplicate")
    _assert_error(call("PATCH", f"{url}/{members[0].id}", c.admin, json={}), 422, "validation_error")
    other = call("POST", url, c.admin, json=member_body(name="另一个社区")).json["members"][-1]
    _assert_error(
        call("PATCH", f"{url}/{other['id']}", c.admin, json={"name": members[0].name}), 409, "member_unit_duplicate"
    )
    _assert_error(call("PATCH", f"{url}/999999", c.admin, json={"name": "x社区"}), 404, "alliance_member_not_found")


def test_a_submitted_alliance_cannot_be_edited(call, c, db, submitted):
    alliance_id = submitted()
    member_id = db.session.get(Alliance, alliance_id).members[0].id
    before = _counts(db)
    for method, path, body in (
        ("PATCH", "", {"name": "改名"}),
        ("POST", "/members", member_body(name="新社区")),
        ("PATCH", f"/members/{member_id}", {"duties": "新职责"}),
        ("DELETE", f"/members/{member_id}", None),
        ("POST", "/member-schools", {"school_id": c.centre2.id}),
        ("DELETE", f"/member-schools/{c.member.id}", None),
        ("POST", "/submit", None),
    ):
        kwargs = {"json": body} if body is not None else {}
        _assert_error(
            call(method, f"{API}/alliances/{alliance_id}{path}", c.admin, **kwargs), 409, "alliance_not_editable"
        )
    assert _counts(db) == before


def test_review_decisions_need_the_right_status_and_a_comment(call, c, world, draft, submitted):
    draft_id, submitted_id = draft(name="草稿教联体"), submitted(name="待审教联体")
    admin = world.region_admin
    _assert_error(call("POST", f"{API}/alliances/{draft_id}/approve", admin, json={}), 409, "alliance_not_submitted")
    _assert_error(
        call("POST", f"{API}/alliances/{draft_id}/return", admin, json={"comment": "x"}), 409, "alliance_not_submitted"
    )
    _assert_error(call("POST", f"{API}/alliances/{submitted_id}/return", admin, json={}), 422, "comment_required")
    _assert_error(
        call("POST", f"{API}/alliances/{submitted_id}/return", admin, json={"comment": "   "}), 422, "comment_required"
    )
    _assert_error(
        call("POST", f"{API}/alliances/{submitted_id}/suspend", admin, json={"reason": "违规"}),
        409,
        "alliance_not_approved",
    )
    _assert_error(
        call("POST", f"{API}/alliances/{submitted_id}/reinstate", admin, json={}), 409, "alliance_not_suspended"
    )
    _assert_error(
        call("POST", f"{API}/alliances/{world.alliance.id}/suspend", admin, json={}), 422, "suspension_reason_required"
    )
    _assert_error(
        call("POST", f"{API}/alliances/{submitted_id}/approve", c.admin, json={}), 403, "not_alliance_reviewer"
    )
    _assert_error(
        call("POST", f"{API}/alliances/{submitted_id}/approve", world.other_region_admin, json={}),
        404,
        "alliance_not_found",
    )
    assert call("POST", f"{API}/alliances/{submitted_id}/approve", admin, json={}).status_code == 200
    _assert_error(
        call("POST", f"{API}/alliances/{submitted_id}/approve", admin, json={}), 409, "alliance_not_submitted"
    )


def test_submission_needs_a_complete_application(call, c, db, draft):
    no_members = draft(name="无成员单位", members=[])
    _assert_error(call("POST", f"{API}/alliances/{no_members}/submit", c.admin), 422, "member_units_required")
    no_description = draft(name="无简介", description="")
    _assert_error(call("POST", f"{API}/alliances/{no_description}/submit", c.admin), 422, "description_required")
    assert db.session.get(Alliance, no_members).status == AllianceStatus.DRAFT


def test_a_school_taken_by_another_alliance_is_refused_at_submission_and_at_approval(
    call, c, world, db, draft, submitted
):
    first, second = submitted(name="先批的教联体"), submitted(name="后批的教联体")
    third = draft(name="还在起草的教联体")
    assert call("POST", f"{API}/alliances/{first}/approve", world.region_admin, json={}).status_code == 200
    refused = call("POST", f"{API}/alliances/{second}/approve", world.region_admin, json={})
    _assert_error(refused, 409, "school_in_other_alliance")
    assert {s["id"] for s in refused.json["errors"]["schools"]} == {c.centre.id, c.member.id}
    _assert_error(call("POST", f"{API}/alliances/{third}/submit", c.admin), 409, "school_in_other_alliance")
    db.session.expire_all()
    assert db.session.get(Alliance, second).status == AllianceStatus.SUBMITTED  # nothing of the approval stayed
    assert db.session.get(Alliance, third).status == AllianceStatus.DRAFT
    proposed = call("GET", f"{API}/alliances/{second}", world.region_admin).json["application"]["proposed_schools"]
    assert [s["in_other_alliance"] for s in proposed] == [True, True]


def test_a_school_of_a_suspended_alliance_is_still_taken(call, c, world):
    response = call("POST", f"{API}/alliances/{world.alliance.id}/suspend", world.region_admin, json={"reason": "整改"})
    assert response.status_code == 200
    _assert_error(
        call("POST", f"{API}/alliances", c.admin, json=draft_body(c, member_school_ids=[world.other_school.id])),
        409,
        "school_in_other_alliance",
    )
