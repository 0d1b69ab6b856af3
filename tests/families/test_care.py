"""委托照护: a guardian files who cares for the child; the 班主任 acknowledges."""

import pytest

from jlt_family.core.models import AuditLog
from jlt_family.families.models import CareEntrustment, EntrustmentStatus
from tests.families.conftest import OUTSIDERS


def entrustment_body(**overrides):
    body = {
        "caretaker_name": "张奶奶",
        "caretaker_relation": "祖母",
        "caretaker_phone": "13712345678",
        "starts_on": "2026-09-01",
        "ends_on": "2027-01-31",
        "note": "父母在外务工",
    }
    body.update(overrides)
    return body


@pytest.fixture
def filed(api, world, db):
    response = api(world.guardian_a).post(f"/children/{world.child_a.id}/care-entrustments", json=entrustment_body())
    assert response.status_code == 201, response.json
    return db.session.get(CareEntrustment, response.json["id"])


def _url(world):
    return f"/children/{world.child_a.id}/care-entrustments"


def test_guardian_files_an_entrustment(api, world):
    response = api(world.guardian_a).post(_url(world), json=entrustment_body(caretaker_phone="137 1234 5678"))
    assert response.status_code == 201
    body = response.json
    assert body["status"] == "submitted"
    assert body["caretaker_phone"] == "13712345678"
    assert (body["starts_on"], body["ends_on"]) == ("2026-09-01", "2027-01-31")


def test_open_ended_period_and_landline(api, world):
    body = entrustment_body(caretaker_phone="0471-6123456", ends_on=None)
    response = api(world.guardian_a).post(_url(world), json=body)
    assert response.status_code == 201
    assert response.json["ends_on"] is None


def test_filing_is_idempotent(api, world, db):
    caller = api(world.guardian_a)
    headers = {"Idempotency-Key": "care-0000-0001"}
    first = caller.post(_url(world), json=entrustment_body(), headers=headers)
    again = caller.post(_url(world), json=entrustment_body(), headers=headers)
    assert again.json == first.json
    assert db.session.query(CareEntrustment).count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"caretaker_phone": "12345"}, "caretaker_phone"),
        ({"caretaker_phone": "23812345678"}, "caretaker_phone"),
        ({"caretaker_phone": 13712345678}, "caretaker_phone"),
        ({"ends_on": "2026-08-31"}, "ends_on"),
        ({"starts_on": "2026-13-01"}, "starts_on"),
        ({"starts_on": "1900-01-01"}, "starts_on"),
        ({"starts_on": "2026-09-01T08:00:00+08:00"}, "starts_on"),
        ({"caretaker_name": ""}, "caretaker_name"),
        ({"caretaker_relation": "很" * 21}, "caretaker_relation"),
        ({"note": "字" * 501}, "note"),
        ({"student_id": 5}, "student_id"),
    ],
)
def test_bad_entrustments_are_422(api, world, overrides, field):
    response = api(world.guardian_a).post(_url(world), json=entrustment_body(**overrides))
    assert response.status_code == 422
    assert field in response.json["errors"]["json"]


def test_phone_message_is_chinese(api, world):
    response = api(world.guardian_a).post(_url(world), json=entrustment_body(caretaker_phone="110"))
    assert response.json["errors"]["json"]["caretaker_phone"] == ["请填写 11 位手机号或带区号的固定电话"]


@pytest.mark.parametrize("role", ["teacher_a", "school_admin", "teacher_b"])
def test_staff_who_see_the_child_may_not_file(api, world, role):
    assert api(getattr(world, role)).post(_url(world), json=entrustment_body()).status_code == 403


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_may_not_file(api, world, role):
    assert api(getattr(world, role)).post(_url(world), json=entrustment_body()).status_code == 404


def test_guardian_lists_without_audit(api, world, filed, db):
    body = api(world.guardian_a).get(_url(world)).json
    assert [e["id"] for e in body["items"]] == [filed.id]
    assert body["items"][0]["caretaker_phone"] == "13712345678"
    assert db.session.query(AuditLog).count() == 0


@pytest.mark.parametrize("role", ["teacher_a", "school_admin"])
def test_leaders_list_with_full_caretaker_phone_audited(api, world, filed, db, role):
    body = api(getattr(world, role)).get(_url(world)).json
    assert body["items"][0]["caretaker_phone"] == "13712345678"
    [entry] = db.session.query(AuditLog).filter_by(action="read_care_entrustments").all()
    assert entry.subject_id == world.child_a.id


def test_subject_teacher_may_not_list(api, world, filed):
    assert api(world.teacher_b).get(_url(world)).status_code == 403


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_may_not_list(api, world, filed, role):
    assert api(getattr(world, role)).get(_url(world)).status_code == 404


@pytest.mark.parametrize("role", ["teacher_a", "school_admin"])
def test_leaders_acknowledge_once(api, world, filed, db, role):
    caller = api(getattr(world, role))
    response = caller.post(f"/care-entrustments/{filed.id}/acknowledge")
    assert response.status_code == 200
    assert response.json["status"] == "acknowledged"
    assert response.json["acknowledged_at"].endswith("+08:00")
    assert db.session.query(AuditLog).filter_by(action="acknowledge_care_entrustment").count() == 1
    again = caller.post(f"/care-entrustments/{filed.id}/acknowledge")
    assert again.status_code == 409
    assert again.json["code"] == "already_acknowledged"


@pytest.mark.parametrize("role", ["guardian_a", "teacher_b"])
def test_guardian_and_subject_teacher_may_not_acknowledge(api, world, filed, role):
    assert api(getattr(world, role)).post(f"/care-entrustments/{filed.id}/acknowledge").status_code == 403


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_may_not_acknowledge(api, world, filed, role):
    assert api(getattr(world, role)).post(f"/care-entrustments/{filed.id}/acknowledge").status_code == 404


def test_guardian_withdraws_and_it_can_no_longer_be_acknowledged(api, world, filed, db):
    response = api(world.guardian_a).post(f"/care-entrustments/{filed.id}/withdraw")
    assert response.status_code == 200
    assert response.json["status"] == "withdrawn"
    ack = api(world.teacher_a).post(f"/care-entrustments/{filed.id}/acknowledge")
    assert ack.status_code == 409
    assert ack.json["code"] == "entrustment_withdrawn"
    again = api(world.guardian_a).post(f"/care-entrustments/{filed.id}/withdraw")
    assert again.json["code"] == "already_withdrawn"


def test_an_acknowledged_entrustment_can_be_withdrawn(api, world, filed, db):
    api(world.teacher_a).post(f"/care-entrustments/{filed.id}/acknowledge")
    assert api(world.guardian_a).post(f"/care-entrustments/{filed.id}/withdraw").status_code == 200
    db.session.expire_all()
    assert db.session.get(CareEntrustment, filed.id).status == EntrustmentStatus.WITHDRAWN


@pytest.mark.parametrize("role", ["teacher_a", "school_admin", "teacher_b"])
def test_staff_may_not_withdraw(api, world, filed, role):
    assert api(getattr(world, role)).post(f"/care-entrustments/{filed.id}/withdraw").status_code == 403


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_may_not_withdraw(api, world, filed, role):
    assert api(getattr(world, role)).post(f"/care-entrustments/{filed.id}/withdraw").status_code == 404


def test_anonymous_gets_401_everywhere(api, world, filed):
    anonymous = api()
    assert anonymous.get(_url(world)).status_code == 401
    assert anonymous.post(_url(world), json=entrustment_body()).status_code == 401
    assert anonymous.post(f"/care-entrustments/{filed.id}/acknowledge").status_code == 401
    assert anonymous.post(f"/care-entrustments/{filed.id}/withdraw").status_code == 401


def test_status_filter(api, world, filed):
    assert api(world.guardian_a).get(_url(world) + "?status=acknowledged").json["total"] == 0
    assert api(world.guardian_a).get(_url(world) + "?status=submitted").json["total"] == 1
    assert api(world.guardian_a).get(_url(world) + "?page_size=1000").status_code == 422
