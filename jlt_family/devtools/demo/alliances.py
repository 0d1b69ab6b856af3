"""教联体申报与审批演示数据: the history of the approved alliance, one waiting for the bureau, one returned.

On top of the base demo (乌兰浩特市, its approved 乌兰浩特市第一小学教联体 and the education bureau
``demo-region-admin``):

- the approved alliance gets its application (its schools) and its history: drafted by ``demo-school-admin``,
  submitted, returned once for a missing government department, completed, resubmitted and approved;
- 乌兰浩特市第二小学 and 第二中学 (``demo-school-admin-4``, ``-5``) have submitted 乌兰浩特市第二小学教联体 with
  第二幼儿园, 兴安盟图书馆, a community and the 妇联: it waits in ``demo-region-admin``'s queue;
- 乌兰浩特市第五小学 (``demo-school-admin-6``) had its alliance returned with comments to work on;
- 乌兰浩特市第六小学 (``demo-school-admin-7``) is in no alliance yet: sign in as it to draft one from scratch.

Deterministic (fixed times); adds rows and flushes.
"""

import datetime as dt

import sqlalchemy as sa

from jlt_family.alliances.models import (
    Alliance,
    AllianceAction,
    AllianceEvent,
    AllianceMember,
    AllianceSchool,
    AllianceStatus,
    MemberKind,
)
from jlt_family.auth.models import User
from jlt_family.core.extensions import db
from jlt_family.organizations.models import Region, ResourceUnit, School, SchoolKind, StaffMembership, StaffRole

ALLIANCE_DEMO_ACCOUNTS = {
    "demo-school-admin-4": "学校管理员：乌兰浩特市第二小学（已提交乌兰浩特市第二小学教联体，待教育局审批）",
    "demo-school-admin-5": "学校管理员：乌兰浩特市第二中学（第二小学教联体的另一所中心校）",
    "demo-school-admin-6": "学校管理员：乌兰浩特市第五小学（教联体申报被退回，待修改后重新提交）",
    "demo-school-admin-7": "学校管理员：乌兰浩特市第六小学（尚未加入教联体，可起草新的教联体）",
}

SCHOOLS = (
    # key, name, kind, address, admin openid, admin name, phone
    (
        "erxiao",
        "乌兰浩特市第二小学",
        SchoolKind.PRIMARY,
        "乌兰浩特市兴安街道兴安北大路21号",
        "demo-school-admin-4",
        "乌云",
        "13904821204",
    ),
    (
        "erzhong",
        "乌兰浩特市第二中学",
        SchoolKind.JUNIOR,
        "乌兰浩特市兴安街道胜利路5号",
        "demo-school-admin-5",
        "刘海波",
        "13904821205",
    ),
    ("eryou", "乌兰浩特市第二幼儿园", SchoolKind.KINDERGARTEN, "乌兰浩特市兴安街道光明路12号", None, None, None),
    (
        "wuxiao",
        "乌兰浩特市第五小学",
        SchoolKind.PRIMARY,
        "乌兰浩特市爱国街道新城路8号",
        "demo-school-admin-6",
        "张丽娜",
        "13904821206",
    ),
    (
        "liuxiao",
        "乌兰浩特市第六小学",
        SchoolKind.PRIMARY,
        "乌兰浩特市都林街道民主路17号",
        "demo-school-admin-7",
        "宝音",
        "13904821207",
    ),
)


def _at(month, day, hour=2):
    return dt.datetime(2026, month, day, hour, 0, tzinfo=dt.UTC)


class _Seeder:
    def __init__(self):
        self.county = db.session.scalar(sa.select(Region).where(Region.code == "152201"))
        self.bureau = _user("demo-region-admin")
        self.schools, self.admins = {}, {}
        self.events = 0

    def run(self):
        first = db.session.scalar(sa.select(Alliance).where(Alliance.name == "乌兰浩特市第一小学教联体"))
        drafter = _user("demo-school-admin")
        if self.county is None or self.bureau is None or first is None or drafter is None:
            return {}
        self.add_schools()
        self.history_of_the_approved(first, drafter)
        self.submitted_alliance()
        self.returned_alliance()
        db.session.flush()
        return {"alliance_events": self.events, "alliance_demo_accounts": sorted(ALLIANCE_DEMO_ACCOUNTS)}

    def add_schools(self):
        for key, name, kind, address, openid, admin_name, phone in SCHOOLS:
            school = School(name=name, kind=kind, region=self.county, address=address)
            db.session.add(school)
            self.schools[key] = school
            if openid:
                user = User(openid=openid, nickname=admin_name, phone=phone, phone_country_code="86")
                db.session.add(user)
                self.admins[key] = user
        db.session.flush()
        for key, user in self.admins.items():
            school = self.schools[key]
            db.session.add(
                StaffMembership(
                    user=user,
                    role=StaffRole.SCHOOL_ADMIN,
                    school_id=school.id,
                    scope_key=school.id,
                    display_name=user.nickname,
                )
            )

    def history_of_the_approved(self, alliance, drafter):
        """Its application rows and the way it went: drafted, returned once, completed, approved."""
        for school in alliance.schools:
            db.session.add(
                AllianceSchool(
                    alliance=alliance, school=school, is_centre=school.is_alliance_centre, added_at=_at(5, 20)
                )
            )
        department = next((m for m in alliance.members if m.kind == MemberKind.DEPARTMENT), None)
        returned = "请补充政府部门成员单位（如民政局），写明其在困境儿童关爱中的职责与联系人。"
        approved = "同意组建。请每学年至少召开一次有家长、社区和资源单位代表参加的协调会。"
        self._event(
            alliance,
            drafter,
            AllianceAction.CREATED,
            _at(5, 20),
            to_status="draft",
            name=alliance.name,
            schools=[s.id for s in alliance.schools],
        )
        self._event(alliance, drafter, AllianceAction.SUBMITTED, _at(6, 10), "draft", "submitted")
        self._event(alliance, self.bureau, AllianceAction.RETURNED, _at(6, 18), "submitted", "returned", returned)
        if department is not None:
            self._event(
                alliance,
                drafter,
                AllianceAction.MEMBER_ADDED,
                _at(6, 20),
                member_id=department.id,
                member=department.name,
                kind=department.kind.value,
            )
        self._event(alliance, drafter, AllianceAction.SUBMITTED, _at(6, 22), "returned", "submitted")
        self._event(alliance, self.bureau, AllianceAction.APPROVED, _at(6, 30), "submitted", "approved", approved)
        alliance.drafted_by, alliance.created_at, alliance.updated_at = drafter, _at(5, 20), _at(6, 22)
        alliance.submitted_at, alliance.submitted_by = _at(6, 22), drafter
        alliance.reviewed_at, alliance.reviewed_by, alliance.review_comment = _at(6, 30), self.bureau, approved

    def submitted_alliance(self):
        drafter = self.admins["erxiao"]
        library = db.session.scalar(sa.select(ResourceUnit).where(ResourceUnit.name == "兴安盟图书馆"))
        alliance = self._alliance(
            "乌兰浩特市第二小学教联体",
            AllianceStatus.SUBMITTED,
            drafter,
            "以第二小学、第二中学为圆心，联合兴安街道社区、妇联和兴安盟图书馆，开展亲子阅读与家长夜校。",
            [("erxiao", True), ("erzhong", True), ("eryou", False)],
            [
                (
                    MemberKind.RESOURCE_UNIT,
                    library,
                    "兴安盟图书馆",
                    "开设亲子阅读课堂，为学生办理集体借阅证",
                    "每月一次亲子阅读会，寒暑假开放少儿阅览区",
                    "赵淑芬",
                    "0482-8266404",
                ),
                (
                    MemberKind.COMMUNITY,
                    None,
                    "兴安街道团结社区",
                    "依托社区家长学校开展家庭教育指导",
                    "社区网格员参与家访，每月一次周末家长课堂",
                    "杨春燕",
                    "0482-8216688",
                ),
                (
                    MemberKind.DEPARTMENT,
                    None,
                    "乌兰浩特市妇女联合会",
                    "组织家庭教育讲师团进校园，指导家长学校",
                    "每学期两次家庭教育讲座，联合评选最美家庭",
                    "何秀英",
                    "0482-8228899",
                ),
            ],
        )
        self._event(alliance, drafter, AllianceAction.CREATED, _at(11, 2), to_status="draft", name=alliance.name)
        self._event(
            alliance,
            self.admins["erzhong"],
            AllianceAction.MEMBER_ADDED,
            _at(11, 5),
            member=alliance.members[1].name,
            kind="community",
        )
        self._event(alliance, drafter, AllianceAction.SUBMITTED, _at(11, 20), "draft", "submitted")
        alliance.updated_at = alliance.submitted_at = _at(11, 20)
        alliance.submitted_by = drafter

    def returned_alliance(self):
        drafter = self.admins["wuxiao"]
        comment = "成员单位只有一个社区：请补充社会资源单位和政府部门，并写明各成员单位的职责、合作方式和联系人。"
        alliance = self._alliance(
            "乌兰浩特市第五小学教联体",
            AllianceStatus.RETURNED,
            drafter,
            "以第五小学为圆心，联合新城社区开展课后服务。",
            [("wuxiao", True)],
            [
                (
                    MemberKind.COMMUNITY,
                    None,
                    "爱国街道新城社区",
                    "提供课后托管场地",
                    "工作日放学后开放活动室",
                    "孙立军",
                    "0482-8231122",
                )
            ],
        )
        self._event(alliance, drafter, AllianceAction.CREATED, _at(11, 8), to_status="draft", name=alliance.name)
        self._event(alliance, drafter, AllianceAction.SUBMITTED, _at(11, 12), "draft", "submitted")
        self._event(alliance, self.bureau, AllianceAction.RETURNED, _at(11, 16), "submitted", "returned", comment)
        alliance.updated_at = alliance.submitted_at = _at(11, 12)
        alliance.submitted_by = drafter
        alliance.reviewed_at, alliance.reviewed_by, alliance.review_comment = _at(11, 16), self.bureau, comment

    def _alliance(self, name, status, drafter, description, schools, members):
        alliance = Alliance(
            name=name,
            region=self.county,
            status=status,
            description=description,
            drafted_by=drafter,
            created_at=_at(11, 2),
        )
        alliance.proposed_schools = [
            AllianceSchool(school=self.schools[key], is_centre=centre, added_at=_at(11, 2)) for key, centre in schools
        ]
        alliance.members = [
            AllianceMember(
                kind=kind,
                resource_unit=unit,
                name=member_name,
                duties=duties,
                cooperation=cooperation,
                responsible_person=person,
                contact_phone=phone,
            )
            for kind, unit, member_name, duties, cooperation, person, phone in members
        ]
        db.session.add(alliance)
        db.session.flush()
        return alliance

    def _event(self, alliance, user, action, at, from_status=None, to_status=None, comment="", **detail):
        self.events += 1
        db.session.add(
            AllianceEvent(
                alliance_id=alliance.id,
                actor_user_id=user.id,
                action=action,
                from_status=from_status,
                to_status=to_status,
                comment=comment,
                detail=detail,
                created_at=at,
            )
        )


def _user(openid):
    return db.session.scalar(sa.select(User).where(User.openid == openid))


def seed():
    """Add the alliance demo (flushes, never commits); returns counts."""
    return _Seeder().run()
