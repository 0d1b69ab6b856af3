import pytest

from jlt_family.alliances.models import AllianceStatus
from jlt_family.organizations.models import ResourceUnitKind


@pytest.fixture
def hidden_school(make, world):
    """A school of a draft alliance in the other county, with its own admin and a guardian of a pupil."""
    school = make.school(alliance=make.alliance(region=world.other_county, status=AllianceStatus.DRAFT))
    admin = make.user()
    make.grant(admin, "school_admin", school)
    parent = make.user()
    family = make.family()
    make.guardian(family=family, user=parent)
    make.student(make.school_class(school=school), family)
    make.db.session.commit()
    return school, admin, parent


def _ids(response):
    assert response.status_code == 200, response.json
    return {item["id"] for item in response.json["items"]}


def test_schools_of_approved_alliances_are_listed(call, world, hidden_school):
    assert _ids(call("GET", "/api/v1/schools", world.stranger)) == {world.school.id, world.other_school.id}


def test_a_school_of_a_draft_alliance_is_seen_by_its_people(call, world, hidden_school):
    school, admin, parent = hidden_school
    assert school.id in _ids(call("GET", "/api/v1/schools", admin))
    assert school.id in _ids(call("GET", "/api/v1/schools", parent))
    assert school.id in _ids(call("GET", "/api/v1/schools", world.other_region_admin))
    assert call("GET", f"/api/v1/schools/{school.id}", parent).json["kind_label"] == "小学"
    assert call("GET", f"/api/v1/schools/{school.id}", world.guardian_a).status_code == 404
    assert call("GET", f"/api/v1/schools/{school.id}", world.region_admin).status_code == 404


def test_school_list_filters_and_paginates(call, world):
    response = call("GET", f"/api/v1/schools?alliance_id={world.alliance.id}&page_size=1&page=2", world.stranger)
    assert response.json["total"] == 2 and response.json["page"] == 2
    assert len(response.json["items"]) == 1
    assert _ids(call("GET", "/api/v1/schools?kind=kindergarten", world.stranger)) == set()
    assert call("GET", "/api/v1/schools?kind=castle", world.stranger).status_code == 422
    assert call("GET", "/api/v1/schools?page=0", world.stranger).status_code == 422
    assert call("GET", "/api/v1/schools?alliance_id=99999999999999999999", world.stranger).status_code == 422


def test_school_detail(call, world):
    body = call("GET", f"/api/v1/schools/{world.school.id}", world.guardian_b).json
    assert body["alliance"] == {"id": world.alliance.id, "name": world.alliance.name}
    assert body["is_alliance_centre"] is True
    assert body["region"]["id"] == world.county.id
    assert call("GET", "/api/v1/schools/424242", world.guardian_b).json["code"] == "school_not_found"
    assert call("GET", f"/api/v1/schools/{world.school.id}").status_code == 401


@pytest.fixture
def units(make, world):
    world.venue.contact_phone = "13700001111"
    museum = make.resource_unit(region=world.other_county, kind=ResourceUnitKind.MUSEUM, contact_phone="13700002222")
    closed = make.resource_unit(region=world.county, is_active=False)
    make.db.session.commit()
    return museum, closed


def test_resource_units_filter_by_region_kind_and_alliance(call, world, units):
    museum, closed = units
    assert _ids(call("GET", "/api/v1/resource-units", world.guardian_a)) == {world.venue.id, museum.id}
    assert _ids(call("GET", f"/api/v1/resource-units?region_id={world.city.id}", world.guardian_a)) == {
        world.venue.id,
        museum.id,
    }
    assert _ids(call("GET", f"/api/v1/resource-units?region_id={world.county.id}", world.guardian_a)) == {
        world.venue.id
    }
    assert _ids(call("GET", "/api/v1/resource-units?kind=museum", world.guardian_a)) == {museum.id}
    assert _ids(call("GET", f"/api/v1/resource-units?alliance_id={world.alliance.id}", world.guardian_a)) == {
        world.venue.id
    }


def test_inactive_units_only_for_their_staff_and_administrators(call, world, units):
    _, closed = units
    assert call("GET", f"/api/v1/resource-units/{closed.id}", world.guardian_a).status_code == 404
    assert closed.id in _ids(call("GET", "/api/v1/resource-units", world.region_admin))
    assert call("GET", f"/api/v1/resource-units/{closed.id}", world.region_admin).json["is_active"] is False


def test_resource_unit_detail_has_chinese_kind_and_masked_phone(call, world, units):
    body = call("GET", f"/api/v1/resource-units/{world.venue.id}", world.guardian_a).json
    assert body["kind"] == "science_museum" and body["kind_label"] == "科技馆"
    assert body["contact_phone"] == "137****1111"
    assert body["alliances"] == [{"id": world.alliance.id, "name": world.alliance.name}]
    assert call("GET", f"/api/v1/resource-units/{world.venue.id}", world.venue_staff).json["contact_phone"] == (
        "13700001111"
    )
    assert call("GET", f"/api/v1/resource-units/{world.venue.id}", world.alliance_admin).json["contact_phone"] == (
        "13700001111"
    )
    assert call("GET", "/api/v1/resource-units/777777", world.guardian_a).json["code"] == "resource_unit_not_found"
    assert call("GET", "/api/v1/resource-units").status_code == 401
