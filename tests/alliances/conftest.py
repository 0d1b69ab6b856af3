"""Fixtures of the alliance tests: free schools of the world's county with their admins, and request bodies."""

from types import SimpleNamespace

import pytest

from jlt_family.organizations.models import SchoolKind, StaffRole

API = "/api/v1"


def member_body(**over):
    body = {
        "kind": "community",
        "name": "和平街道兴安社区",
        "duties": "组织社区家长学校活动",
        "cooperation": "每月一次联合家长课堂",
        "responsible_person": "陈主任",
        "contact_phone": "0482-8213355",
    }
    return {**body, **over}


def draft_body(c, **over):
    body = {
        "name": "第二小学教联体",
        "description": "以第二小学为圆心，联合社区与场馆协同育人。",
        "centre_school_ids": [c.centre.id],
        "member_school_ids": [c.member.id],
        "members": [
            member_body(),
            member_body(
                kind="resource_unit",
                resource_unit_id=c.unit.id,
                name=None,
                responsible_person="李主任",
                contact_phone="13912345678",
            ),
        ],
    }
    body["members"][1].pop("name")
    return {**body, **over}


@pytest.fixture
def c(make, world, db):
    """Schools of the world's county outside any alliance: a centre school, a second centre and a member
    school, each with its own admin; a school of the other county; the world's venue as a resource unit."""
    ns = SimpleNamespace(world=world, unit=world.venue)
    ns.centre = make.school(region=world.county, name="测试县第二小学")
    ns.centre2 = make.school(region=world.county, name="测试县第二中学", kind=SchoolKind.JUNIOR)
    ns.member = make.school(region=world.county, name="测试县第二幼儿园", kind=SchoolKind.KINDERGARTEN)
    ns.far = make.school(region=world.other_county, name="另一县小学")
    for name, school in (("admin", ns.centre), ("admin2", ns.centre2), ("member_admin", ns.member)):
        user = make.user(nickname=f"{school.name}校长")
        make.grant(user, StaffRole.SCHOOL_ADMIN, school)
        setattr(ns, name, user)
    db.session.commit()
    return ns


@pytest.fixture
def draft(call, c):
    """``draft(**overrides)``: the id of a new draft alliance created through the API by ``c.admin``."""

    def _draft(user=None, **over):
        response = call("POST", f"{API}/alliances", user or c.admin, json=draft_body(c, **over))
        assert response.status_code == 201, response.json
        return response.json["id"]

    return _draft


@pytest.fixture
def submitted(call, c, draft):
    def _submitted(**over):
        alliance_id = draft(**over)
        response = call("POST", f"{API}/alliances/{alliance_id}/submit", c.admin)
        assert response.status_code == 200, response.json
        return alliance_id

    return _submitted
