"""Managing resource units: the bureau creates, edits, deactivates and reactivates; the unit's venue staff edit its
public profile; names are unique per region (409); every change is in the audit log."""

import sqlalchemy as sa

from jlt_family.core.extensions import db
from jlt_family.core.models import AuditLog
from jlt_family.organizations.models import ResourceUnit
from tests.catalogue.conftest import API

NEW_UNIT = {
    "name": "乌兰浩特市青少年宫",
    "kind": "youth_palace",
    "address": "乌兰浩特市兴安南大路66号",
    "opening_info": "周末 8:30–17:00",
    "description": "舞蹈、书法、科技社团",
    "contact_person": "白老师",
    "contact_phone": "0482 8211234",
}


def _audit(unit_id):
    return db.session.scalars(
        sa.select(AuditLog)
        .where(AuditLog.subject_type == "resource_unit", AuditLog.subject_id == unit_id)
        .order_by(AuditLog.id)
    ).all()


def test_the_bureau_creates_a_unit_in_its_county(call, world):
    response = call("POST", f"{API}/regions/{world.county.id}/resource-units", world.region_admin, json=NEW_UNIT)
    assert response.status_code == 201, response.get_json()
    body = response.json
    assert body["kind_label"] == "少年宫" and body["region"]["id"] == world.county.id and body["is_active"] is True
    assert body["contact_phone"] == "04828211234"  # spaces dropped
    assert body["updated_at"].endswith("+08:00")
    [entry] = _audit(body["id"])
    assert entry.action == "create_resource_unit" and entry.actor_user_id == world.region_admin.id
    assert entry.detail["changes"]["name"] == [None, "乌兰浩特市青少年宫"]
    assert entry.detail["changes"]["kind"] == [None, "youth_palace"]


def test_a_unit_name_is_unique_in_its_region(call, world):
    url = f"{API}/regions/{world.county.id}/resource-units"
    assert call("POST", url, world.region_admin, json=NEW_UNIT).status_code == 201
    response = call("POST", url, world.region_admin, json={**NEW_UNIT, "name": "  乌兰浩特市青少年宫 "})
    assert response.status_code == 409
    assert response.json["code"] == "resource_unit_name_taken" and response.json["errors"]["json"]["name"]
    other = call(
        "POST", f"{API}/regions/{world.other_county.id}/resource-units", world.other_region_admin, json=NEW_UNIT
    )
    assert other.status_code == 201  # another county may have a unit of the same name
    renamed = call(
        "PATCH", f"{API}/resource-units/{world.venue.id}", world.region_admin, json={"name": "乌兰浩特市青少年宫"}
    )
    assert renamed.status_code == 409 and renamed.json["code"] == "resource_unit_name_taken"
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(ResourceUnit).where(ResourceUnit.name == "乌兰浩特市青少年宫")
        )
        == 2
    )


def test_units_are_created_in_a_county_the_caller_administers(call, world):
    response = call("POST", f"{API}/regions/{world.county.id}/resource-units", world.other_region_admin, json=NEW_UNIT)
    assert response.status_code == 403 and response.json["code"] == "permission_denied"
    city_admin = world.make.user()
    world.make.grant(city_admin, "region_admin", world.city)
    db.session.commit()
    response = call("POST", f"{API}/regions/{world.city.id}/resource-units", city_admin, json=NEW_UNIT)
    assert response.status_code == 422 and response.json["code"] == "region_not_a_county"
    assert call("POST", f"{API}/regions/{world.county.id}/resource-units", city_admin, json=NEW_UNIT).status_code == 201
    missing = call("POST", f"{API}/regions/999999/resource-units", world.region_admin, json=NEW_UNIT)
    assert missing.status_code == 404 and missing.json["code"] == "region_not_found"


def test_bad_unit_input_is_refused_in_chinese(call, world):
    url = f"{API}/regions/{world.county.id}/resource-units"
    for body, field in (
        ({**NEW_UNIT, "kind": "castle"}, "kind"),
        ({**NEW_UNIT, "name": "  "}, "name"),
        ({**NEW_UNIT, "contact_phone": "12345"}, "contact_phone"),
        ({**NEW_UNIT, "name": "长" * 101}, "name"),
        ({"kind": "library"}, "name"),
        ({**NEW_UNIT, "is_active": False}, "is_active"),
    ):
        response = call("POST", url, world.region_admin, json=body)
        assert response.status_code == 422, body
        assert field in response.json["errors"]["json"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ResourceUnit)) == 1  # only the world's venue


def test_venue_staff_edit_the_public_profile_only(call, world):
    url = f"{API}/resource-units/{world.venue.id}"
    response = call("PATCH", url, world.venue_staff, json={"opening_info": "周二至周日 9:00–16:30", "address": "新址"})
    assert response.status_code == 200
    assert response.json["opening_info"] == "周二至周日 9:00–16:30" and response.json["address"] == "新址"
    refused = call("PATCH", url, world.venue_staff, json={"name": "改个名字", "opening_info": "不该保存"})
    assert refused.status_code == 403 and refused.json["code"] == "profile_fields_only"
    assert set(refused.json["errors"]["json"]) == {"name"}
    db.session.expire_all()
    unit = db.session.get(ResourceUnit, world.venue.id)
    assert (unit.name, unit.opening_info) == (world.venue.name, "周二至周日 9:00–16:30")
    [entry] = _audit(world.venue.id)
    assert entry.action == "update_resource_unit" and entry.actor_user_id == world.venue_staff.id
    assert entry.detail["changes"] == {"address": ["", "新址"], "opening_info": ["", "周二至周日 9:00–16:30"]}


def test_an_edit_that_changes_nothing_writes_nothing(call, world):
    url = f"{API}/resource-units/{world.venue.id}"
    assert call("PATCH", url, world.region_admin, json={"name": world.venue.name}).status_code == 200
    assert _audit(world.venue.id) == []


def test_the_bureau_edits_every_field(call, world):
    response = call(
        "PATCH",
        f"{API}/resource-units/{world.venue.id}",
        world.region_admin,
        json={"name": "兴安盟科普基地", "kind": "science_base"},
    )
    assert response.status_code == 200 and response.json["kind_label"] == "科普基地"
    assert _audit(world.venue.id)[0].detail["changes"]["kind"] == ["science_museum", "science_base"]


def test_others_may_not_edit(call, world):
    for user in (world.alliance_admin, world.teacher_a, world.guardian_a, world.other_region_admin):
        response = call("PATCH", f"{API}/resource-units/{world.venue.id}", user, json={"opening_info": "x"})
        assert response.status_code == 403, user.nickname


def test_deactivate_and_reactivate(call, world):
    url = f"{API}/resource-units/{world.venue.id}"
    response = call("POST", f"{url}/deactivate", world.region_admin, json={"reason": "场馆改造"})
    assert response.status_code == 200 and response.json["is_active"] is False
    again = call("POST", f"{url}/deactivate", world.region_admin, json={"reason": "场馆改造"})
    assert again.status_code == 409 and again.json["code"] == "resource_unit_already_inactive"
    assert call("GET", url, world.guardian_a).status_code == 404  # an inactive unit is hidden from parents
    assert call("PATCH", url, world.teacher_a, json={"opening_info": "x"}).status_code == 404
    assert call("PATCH", url, world.venue_staff, json={"opening_info": "改造中"}).status_code == 200
    assert call("POST", f"{url}/reactivate", world.region_admin).status_code == 200
    again = call("POST", f"{url}/reactivate", world.region_admin)
    assert again.status_code == 409 and again.json["code"] == "resource_unit_already_active"
    actions = [(e.action, e.detail.get("reason")) for e in _audit(world.venue.id)]
    assert actions == [
        ("deactivate_resource_unit", "场馆改造"),
        ("update_resource_unit", None),
        ("reactivate_resource_unit", None),
    ]
    missing_reason = call("POST", f"{url}/deactivate", world.region_admin, json={})
    assert missing_reason.status_code == 422


def test_the_change_history_newest_first(call, world):
    url = f"{API}/resource-units/{world.venue.id}"
    call("PATCH", url, world.venue_staff, json={"opening_info": "周末开放"})
    call("POST", f"{url}/deactivate", world.region_admin, json={"reason": "场馆改造"})
    response = call("GET", f"{url}/changes", world.venue_staff)
    assert response.status_code == 200 and response.json["total"] == 2
    latest, first = response.json["items"]
    assert (latest["action"], latest["action_label"], latest["reason"]) == ("deactivate", "停用", "场馆改造")
    assert latest["actor"]["nickname"] == world.region_admin.nickname
    assert first["changes"] == {"opening_info": ["", "周末开放"]}
    assert call("GET", f"{url}/changes", world.alliance_admin).status_code == 404


def test_a_retried_creation_with_its_idempotency_key_makes_one_unit(call, world):
    url = f"{API}/regions/{world.county.id}/resource-units"
    headers = {"Idempotency-Key": "create-unit-0001"}
    first = call("POST", url, world.region_admin, json=NEW_UNIT, headers=headers)
    again = call("POST", url, world.region_admin, json=NEW_UNIT, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true" and again.json["id"] == first.json["id"]
    assert len(_audit(first.json["id"])) == 1


def test_nulls_and_wrong_types_are_refused_not_crashed(call, world):
    url = f"{API}/resource-units/{world.venue.id}"
    for body in ({"name": None}, {"kind": None}, {"opening_info": None}, {"address": 5}, [1, 2], "text"):
        response = call("PATCH", url, world.region_admin, json=body)
        assert response.status_code == 422, body
        assert response.json["code"] == "validation_error"
