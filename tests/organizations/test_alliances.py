import datetime as dt

import pytest

from jlt_family.alliances.models import AllianceMember, AllianceStatus, MemberKind
from jlt_family.organizations.models import RegionLevel


@pytest.fixture
def community(make, world, db):
    member = AllianceMember(
        alliance=world.alliance,
        kind=MemberKind.COMMUNITY,
        name="幸福街道社区",
        duties="组织家长活动",
        cooperation="每月联席",
        responsible_person="王书记",
        contact_phone="13912345678",
    )
    db.session.add(member)
    db.session.commit()
    return member


def test_regions_list_and_detail(call, world):
    response = call("GET", f"/api/v1/regions?parent_id={world.city.id}", world.guardian_a)
    assert response.status_code == 200
    assert {r["name"] for r in response.json["items"]} == {"测试县", "另一县"}
    detail = call("GET", f"/api/v1/regions/{world.county.id}", world.guardian_a).json
    assert detail["parent_id"] == world.city.id
    assert detail["level"] == "county" and detail["level_label"] == "区/县/旗县"
    assert detail["calendar"] == {"school_year_start": "09-01", "spring_term_start": "02-01"}


def test_regions_need_sign_in_and_known_ids(call, world):
    assert call("GET", "/api/v1/regions").status_code == 401
    assert call("GET", "/api/v1/regions/999999", world.stranger).json["code"] == "region_not_found"
    assert call("GET", "/api/v1/regions?level=planet", world.stranger).status_code == 422


def test_alliance_detail_shows_centre_schools_members_and_policy(call, world, community):
    body = call("GET", f"/api/v1/alliances/{world.alliance.id}", world.guardian_a).json
    assert body["region"]["id"] == world.county.id
    assert body["status"] == "approved" and body["status_label"] == "已批准"
    assert body["centre_schools"] == [{"id": world.school.id, "name": world.school.name}]
    assert len(body["schools"]) == 2
    assert body["reminder_policy"] == {
        "lead_minutes": [1440, 120],
        "quiet_hours_start": "22:00",
        "quiet_hours_end": "07:00",
    }
    member = next(m for m in body["members"] if m["name"] == "幸福街道社区")
    assert member["kind_label"] == "街道社区"
    assert member["duties"] == "组织家长活动" and member["responsible_person"] == "王书记"


@pytest.mark.parametrize(
    ("who", "phone"),
    [
        ("guardian_a", "139****5678"),
        ("stranger", "139****5678"),
        ("other_region_admin", "139****5678"),
        ("teacher_a", "13912345678"),
        ("venue_staff", "13912345678"),
        ("alliance_admin", "13912345678"),
        ("region_admin", "13912345678"),
    ],
)
def test_member_contact_phone_is_masked_outside_the_alliance(call, world, community, who, phone):
    body = call("GET", f"/api/v1/alliances/{world.alliance.id}", getattr(world, who)).json
    member = next(m for m in body["members"] if m["id"] == community.id)
    assert member["contact_phone"] == phone


def test_draft_alliances_only_for_their_admins(call, make, world):
    draft = make.alliance(region=world.county, status=AllianceStatus.DRAFT)
    make.db.session.commit()
    for user in (world.guardian_a, world.teacher_a, world.other_region_admin):
        assert call("GET", f"/api/v1/alliances/{draft.id}", user).status_code == 404
        ids = [a["id"] for a in call("GET", "/api/v1/alliances", user).json["items"]]
        assert ids == [world.alliance.id]
    assert call("GET", f"/api/v1/alliances/{draft.id}", world.region_admin).json["status_label"] == "草稿"
    ids = [a["id"] for a in call("GET", "/api/v1/alliances?status=draft", world.region_admin).json["items"]]
    assert ids == [draft.id]


def test_alliances_filter_by_region_subtree(call, make, world):
    elsewhere = make.alliance(region=make.region(level=RegionLevel.CITY))
    make.db.session.commit()
    ids = [a["id"] for a in call("GET", f"/api/v1/alliances?region_id={world.city.id}", world.stranger).json["items"]]
    assert ids == [world.alliance.id]
    assert elsewhere.id not in ids


def test_alliance_admin_sets_the_reminder_policy(call, world, db):
    response = call(
        "PATCH",
        f"/api/v1/alliances/{world.alliance.id}/reminder-policy",
        world.alliance_admin,
        json={"lead_minutes": [60, 2880, 5], "quiet_hours_start": "21:30", "quiet_hours_end": "06:45"},
    )
    assert response.status_code == 200
    assert response.json == {"lead_minutes": [2880, 60, 5], "quiet_hours_start": "21:30", "quiet_hours_end": "06:45"}
    db.session.expire_all()
    assert world.alliance.quiet_hours_start == dt.time(21, 30)
    assert world.alliance.reminder_lead_minutes == [2880, 60, 5]


@pytest.mark.parametrize(
    "body",
    [
        {"lead_minutes": []},
        {"lead_minutes": [60, 60]},
        {"lead_minutes": [4]},
        {"lead_minutes": [10081]},
        {"lead_minutes": [10, 20, 30, 40, 50, 60]},
        {"lead_minutes": ["60"]},
        {"quiet_hours_start": "24:00"},
        {"quiet_hours_end": "7:00"},
        {"quiet_hours_start": "07:00"},
        {},
        {"lead_minutes": [60], "colour": "red"},
    ],
)
def test_reminder_policy_is_validated(call, world, body):
    response = call("PATCH", f"/api/v1/alliances/{world.alliance.id}/reminder-policy", world.alliance_admin, json=body)
    assert response.status_code == 422
    assert response.json["code"] in {"validation_error", "quiet_hours_empty"}


@pytest.mark.parametrize(("who", "status"), [("region_admin", 403), ("school_admin", 403), ("guardian_a", 403)])
def test_only_the_alliance_admin_sets_the_policy(call, world, who, status):
    response = call(
        "PATCH",
        f"/api/v1/alliances/{world.alliance.id}/reminder-policy",
        getattr(world, who),
        json={"lead_minutes": [60]},
    )
    assert response.status_code == status


def test_policy_of_a_hidden_alliance_is_not_found(call, make, world):
    draft = make.alliance(region=world.other_county, status=AllianceStatus.SUBMITTED)
    make.db.session.commit()
    response = call(
        "PATCH", f"/api/v1/alliances/{draft.id}/reminder-policy", world.alliance_admin, json={"lead_minutes": [60]}
    )
    assert response.status_code == 404
    assert (
        call("PATCH", f"/api/v1/alliances/{world.alliance.id}/reminder-policy", json={"lead_minutes": [60]}).status_code
        == 401
    )
