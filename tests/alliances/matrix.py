"""Permission-matrix rows of forming and approving an alliance (see tests/test_permission_matrix.py).

A draft or submitted alliance is seen by its drafters (the world's ``school_admin``, given a free school of the
county as centre school here) and the county's education bureau; everyone else gets 404. The drafter edits and
submits (the bureau may see it but not edit: 403); the bureau decides (the drafter: 403). The approved world
alliance is public, so suspending it or reading its history is 403 for those who may not.
"""

from jlt_family.alliances.models import Alliance, AllianceMember, AllianceSchool, AllianceStatus, MemberKind
from jlt_family.core.extensions import db
from jlt_family.organizations.models import StaffRole
from tests.matrix_support import expect

API = "/api/v1"


def _free_school(w):
    """A school of the world's county outside any alliance, administered by the world's school_admin."""
    school = w.make.school(region=w.county)
    w.make.grant(w.school_admin, StaffRole.SCHOOL_ADMIN, school)
    db.session.commit()
    return school


def _alliance(w, status):
    if getattr(w, "matrix_alliance", None) is None:
        centre, member = _free_school(w), w.make.school(region=w.county)
        alliance = Alliance(
            name="矩阵教联体", region_id=w.county.id, status=status, description="简介", drafted_by_id=w.school_admin.id
        )
        alliance.proposed_schools = [
            AllianceSchool(school_id=centre.id, is_centre=True),
            AllianceSchool(school_id=member.id, is_centre=False),
        ]
        alliance.members = [
            AllianceMember(
                kind=MemberKind.COMMUNITY,
                name="矩阵社区",
                duties="职责",
                cooperation="方式",
                responsible_person="负责人",
                contact_phone="13900000000",
            )
        ]
        db.session.add(alliance)
        db.session.commit()
        w.matrix_alliance, w.matrix_member_school = alliance, member
    return w.matrix_alliance


def _draft(w):
    return _alliance(w, AllianceStatus.DRAFT).id


def _submitted(w):
    return _alliance(w, AllianceStatus.SUBMITTED).id


def _suspended(w):
    return _alliance(w, AllianceStatus.SUSPENDED).id


def _member(w):
    return _alliance(w, AllianceStatus.DRAFT).members[0].id


def _member_school(w):
    _alliance(w, AllianceStatus.DRAFT)
    return w.matrix_member_school.id


def _create_body(w):
    return {"name": "新教联体", "centre_school_ids": [_free_school(w).id]}


_MEMBER = {
    "kind": "department",
    "name": "测试县民政局",
    "duties": "关爱困境儿童",
    "cooperation": "每学期联合走访",
    "responsible_person": "何局长",
    "contact_phone": "0482-8227766",
}

_DRAFTER = expect(404, school_admin=200, region_admin=403)
_REVIEWER = expect(404, school_admin=403, region_admin=200)

ENDPOINTS = [
    ("alliance_create", "POST", lambda w: f"{API}/alliances", _create_body, expect(403, school_admin=201)),
    ("alliance_update", "PATCH", lambda w: f"{API}/alliances/{_draft(w)}", lambda w: {"name": "改名教联体"}, _DRAFTER),
    (
        "alliance_add_school",
        "POST",
        lambda w: f"{API}/alliances/{_draft(w)}/member-schools",
        lambda w: {"school_id": w.make.school(region=w.county).id},
        expect(404, school_admin=201, region_admin=403),
    ),
    (
        "alliance_change_school",
        "PATCH",
        lambda w: f"{API}/alliances/{_draft(w)}/member-schools/{_member_school(w)}",
        lambda w: {"is_centre": True},
        _DRAFTER,
    ),
    (
        "alliance_remove_school",
        "DELETE",
        lambda w: f"{API}/alliances/{_draft(w)}/member-schools/{_member_school(w)}",
        None,
        expect(404, school_admin=204, region_admin=403),
    ),
    (
        "alliance_add_member",
        "POST",
        lambda w: f"{API}/alliances/{_draft(w)}/members",
        lambda w: _MEMBER,
        expect(404, school_admin=201, region_admin=403),
    ),
    (
        "alliance_change_member",
        "PATCH",
        lambda w: f"{API}/alliances/{_draft(w)}/members/{_member(w)}",
        lambda w: {"duties": "新的职责"},
        _DRAFTER,
    ),
    (
        "alliance_remove_member",
        "DELETE",
        lambda w: f"{API}/alliances/{_draft(w)}/members/{_member(w)}",
        None,
        expect(404, school_admin=204, region_admin=403),
    ),
    ("alliance_submit", "POST", lambda w: f"{API}/alliances/{_draft(w)}/submit", None, _DRAFTER),
    ("alliance_approve", "POST", lambda w: f"{API}/alliances/{_submitted(w)}/approve", lambda w: {}, _REVIEWER),
    (
        "alliance_return",
        "POST",
        lambda w: f"{API}/alliances/{_submitted(w)}/return",
        lambda w: {"comment": "请补充成员单位"},
        _REVIEWER,
    ),
    (
        "alliance_suspend",
        "POST",
        lambda w: f"{API}/alliances/{w.alliance.id}/suspend",
        lambda w: {"reason": "整改"},
        expect(403, region_admin=200),
    ),
    ("alliance_reinstate", "POST", lambda w: f"{API}/alliances/{_suspended(w)}/reinstate", lambda w: {}, _REVIEWER),
    (
        "alliance_history",
        "GET",
        lambda w: f"{API}/alliances/{w.alliance.id}/history",
        None,
        expect(403, school_admin=200, alliance_admin=200, region_admin=200),
    ),
]
