"""The demo data: seeds an empty database, deterministically, and its accounts sign in."""

import pytest
import sqlalchemy as sa

from jlt_family.alliances.models import Alliance, AllianceStatus
from jlt_family.auth.models import User
from jlt_family.devtools.demo import DEMO_ACCOUNTS, database_is_empty, seed_demo
from jlt_family.families.models import BindingRequest, BindingStatus, CareEntrustment
from jlt_family.organizations.models import Region, SchoolClass
from jlt_family.organizations.students import Student
from tests.factories import dev_login_headers


def test_seed_fills_an_empty_database(db):
    assert database_is_empty()
    summary = seed_demo()
    db.session.commit()
    assert not database_is_empty()
    assert summary["students"] == db.session.scalar(sa.select(sa.func.count()).select_from(Student))
    assert summary["classes"] == db.session.scalar(sa.select(sa.func.count()).select_from(SchoolClass))
    assert set(summary["demo_accounts"]) == set(DEMO_ACCOUNTS)


def test_seed_is_deterministic(db):
    def snapshot():
        seed_demo()
        rows = db.session.execute(
            sa.select(Student.student_no, Student.name, Student.left_behind, Student.family_id.is_(None)).order_by(
                Student.student_no
            )
        ).all()
        db.session.rollback()
        return rows

    assert snapshot() == snapshot()


def test_region_chain_and_approved_alliance(seeded, db):
    county = db.session.scalar(sa.select(Region).where(Region.code == "152201"))
    assert (county.name, county.parent.code, county.parent.parent.code) == ("乌兰浩特市", "152200", "150000")
    alliance = db.session.scalar(sa.select(Alliance))
    assert alliance.status == AllianceStatus.APPROVED
    assert 1 <= len(alliance.centre_schools) <= 2
    assert any(s.kind.value == "kindergarten" for s in alliance.schools)
    assert {m.kind.value for m in alliance.members} == {"resource_unit", "community", "department"}
    assert all(m.duties and m.cooperation and m.responsible_person and m.contact_phone for m in alliance.members)


def test_classes_have_teachers_and_about_forty_students(seeded, db):
    for school_class in db.session.scalars(sa.select(SchoolClass)):
        size = db.session.scalar(sa.select(sa.func.count()).where(Student.class_id == school_class.id))
        assert school_class.school_year == 2026
        assert school_class.homeroom_teacher is not None
        assert 30 <= size <= 45
    assert db.session.scalar(sa.select(sa.func.count()).where(Student.left_behind.is_(True))) >= 3
    assert db.session.scalar(sa.select(sa.func.count()).where(Student.family_id.is_(None))) > 0


def test_pending_binding_and_care_entrustment(seeded, db):
    pending = db.session.scalars(sa.select(BindingRequest).where(BindingRequest.status == BindingStatus.PENDING)).all()
    assert len(pending) == 2 and all(r.student.family_id is None and r.active_key == 1 for r in pending)
    entrustment = db.session.scalar(sa.select(CareEntrustment))
    assert entrustment.student.left_behind
    assert entrustment.filed_by_id == db.session.scalar(sa.select(User.id).where(User.openid == "demo-parent-2"))


def test_demo_parent_signs_in_and_sees_a_family(seeded, client):
    response = client.get("/api/v1/me", headers=dev_login_headers(client, "demo-parent-1"))
    assert response.status_code == 200
    assert "guardian" in response.json["roles"]
    assert response.json["family_id"] is not None


@pytest.mark.parametrize(
    ("openid", "role"),
    [
        ("demo-parent-2", "guardian"),
        ("demo-teacher-1", "homeroom_teacher"),
        ("demo-teacher-2", "teacher"),
        ("demo-school-admin", "school_admin"),
        ("demo-venue-staff", "venue_staff"),
        ("demo-alliance-admin", "alliance_admin"),
        ("demo-region-admin", "region_admin"),
    ],
)
def test_every_demo_account_has_its_role(seeded, client, openid, role):
    roles = client.get("/api/v1/me", headers=dev_login_headers(client, openid)).json["roles"]
    assert role in roles


def test_subject_teacher_is_not_a_homeroom_teacher(seeded, client):
    me = client.get("/api/v1/me", headers=dev_login_headers(client, "demo-teacher-2")).json
    assert me["homeroom_class_ids"] == []
    assert "homeroom_teacher" not in me["roles"]


def test_demo_binding_requests_wait_for_the_homeroom_teacher_and_one_was_rejected(seeded, client):
    """What the screens show: the parents' own requests (one pending, one rejected with its reason), and the
    homeroom teacher's list of the class's pending requests, decidable there."""
    mine = client.get("/api/v1/binding-requests", headers=dev_login_headers(client, "demo-parent-4")).json["items"]
    assert sorted(r["status"] for r in mine) == ["pending", "rejected"]
    [rejected] = [r for r in mine if r["status"] == "rejected"]
    assert rejected["reason"] == "学生姓名与学号不符，请核对孩子的学号后重新申请"
    parent3 = client.get("/api/v1/binding-requests", headers=dev_login_headers(client, "demo-parent-3")).json
    assert [r["status"] for r in parent3["items"]] == ["pending"]
    teacher = dev_login_headers(client, "demo-teacher-1")
    class_id = parent3["items"][0]["school_class"]["id"]
    waiting = client.get(f"/api/v1/classes/{class_id}/binding-requests?status=pending", headers=teacher).json
    assert [r["guardian_name"] for r in waiting["items"]] == [parent3["items"][0]["guardian_name"]]
    approved = client.post(f"/api/v1/binding-requests/{waiting['items'][0]['id']}/approve", headers=teacher)
    assert (approved.status_code, approved.json["status"]) == (200, "approved")
