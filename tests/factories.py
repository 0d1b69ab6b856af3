"""One factory per model, each with sensible defaults; ``world()`` builds the permission-matrix cast."""

import datetime as dt
import itertools
from types import SimpleNamespace

from jlt_family.alliances.models import Alliance, AllianceMember, AllianceStatus, MemberKind
from jlt_family.auth.models import User
from jlt_family.auth.service import issue_session
from jlt_family.core.timeutil import shanghai_today, utcnow
from jlt_family.families.models import BindingRequest, CareEntrustment, Family, FamilyInvite, Guardian, GuardianRelation
from jlt_family.organizations.calendar import school_year_for
from jlt_family.organizations.models import (
    ROLE_SCOPE,
    Region,
    RegionLevel,
    ResourceUnit,
    ResourceUnitKind,
    School,
    SchoolClass,
    SchoolKind,
    StaffMembership,
    StaffRole,
)
from jlt_family.organizations.students import Student

_seq = itertools.count(1)


def _n():
    return next(_seq)


def current_school_year():
    """The school year of today in Shanghai by the process's clock (the real one, ``JLT_TEST_CLOCK``, or a test's
    own travel such as ``MID_TERM``): the classes and entrustments the factories make belong to it."""
    return school_year_for(shanghai_today())


class Factory:
    def __init__(self, db):
        self.db = db

    def _add(self, obj):
        self.db.session.add(obj)
        self.db.session.flush()
        return obj

    def region(self, **kw):
        n = _n()
        kw.setdefault("code", f"{150000 + n}")
        kw.setdefault("name", f"测试区{n}")
        kw.setdefault("level", RegionLevel.COUNTY)
        return self._add(Region(**kw))

    def alliance(self, region=None, **kw):
        kw.setdefault("name", f"测试教联体{_n()}")
        kw.setdefault("status", AllianceStatus.APPROVED)
        return self._add(Alliance(region=region or self.region(), **kw))

    def school(self, alliance=None, region=None, **kw):
        region = region or (alliance.region if alliance else self.region())
        kw.setdefault("name", f"测试小学{_n()}")
        kw.setdefault("kind", SchoolKind.PRIMARY)
        return self._add(School(region=region, alliance=alliance, **kw))

    def school_class(self, school=None, homeroom=None, **kw):
        n = _n()
        kw.setdefault("school_year", current_school_year().start_year)
        kw.setdefault("grade", 3)
        kw.setdefault("name", f"三年级{n}班")
        kw.setdefault("invite_code", f"C{n:07d}")
        return self._add(SchoolClass(school=school or self.school(), homeroom_teacher=homeroom, **kw))

    def user(self, **kw):
        n = _n()
        kw.setdefault("openid", f"openid-{n}")
        kw.setdefault("nickname", f"用户{n}")
        return self._add(User(**kw))

    def grant(self, user, role, scope):
        role = StaffRole(role)
        column = ROLE_SCOPE[role]
        return self._add(StaffMembership(user=user, role=role, scope_key=scope.id, **{column: scope.id}))

    def teacher(self, school, **kw):
        user = self.user(**kw)
        self.grant(user, StaffRole.TEACHER, school)
        return user

    def family(self, **kw):
        kw.setdefault("home_address", f"测试路{_n()}号")
        return self._add(Family(**kw))

    def guardian(self, family=None, user=None, relation=GuardianRelation.MOTHER, **kw):
        kw.setdefault("name", f"家长{_n()}")
        return self._add(Guardian(family=family or self.family(), user=user or self.user(), relation=relation, **kw))

    def student(self, school_class=None, family=None, **kw):
        school_class = school_class or self.school_class()
        n = _n()
        kw.setdefault("student_no", f"S{n:08d}")
        kw.setdefault("name", f"王小{n}")
        return self._add(Student(school_id=school_class.school_id, class_id=school_class.id, family=family, **kw))

    def resource_unit(self, region=None, alliances=(), **kw):
        kw.setdefault("name", f"测试科技馆{_n()}")
        kw.setdefault("kind", ResourceUnitKind.SCIENCE_MUSEUM)
        unit = self._add(ResourceUnit(region=region or self.region(), **kw))
        for alliance in alliances:
            self._add(
                AllianceMember(
                    alliance=alliance,
                    kind=MemberKind.RESOURCE_UNIT,
                    resource_unit=unit,
                    name=unit.name,
                    duties="开放场馆",
                    responsible_person="李主任",
                )
            )
        return unit

    def binding_request(self, user, student, relation=GuardianRelation.MOTHER, **kw):
        kw.setdefault("guardian_name", user.nickname)
        return self._add(BindingRequest(user=user, student=student, class_id=student.class_id, relation=relation, **kw))

    def family_invite(self, family, created_by, **kw):
        kw.setdefault("code", f"FI{_n():08d}")
        kw.setdefault("expires_at", utcnow() + dt.timedelta(hours=72))
        return self._add(FamilyInvite(family_id=family.id, created_by_id=created_by.id, **kw))

    def care_entrustment(self, student, filed_by, **kw):
        kw.setdefault("caretaker_name", "张奶奶")
        kw.setdefault("caretaker_relation", "祖母")
        kw.setdefault("caretaker_phone", "13900000009")
        kw.setdefault("starts_on", current_school_year().starts_on)
        return self._add(CareEntrustment(student_id=student.id, filed_by_id=filed_by.id, **kw))

    def login(self, user):
        """Authorization headers for ``user`` (a real session token)."""
        token, _ = issue_session(user)
        self.db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    def world(self):
        """The cast of the permission matrix, committed.

        county → alliance → school (class_a: homeroom teacher_a, subject teacher_b; class_b: homeroom
        teacher_b; class_c: homeroom teacher_c, who has nothing to do with class_a or class_b); child_a in
        class_a of family_a (guardian_a); child_b in class_b of family_b (guardian_b); other_school in the same
        county with its admin; a venue with its staff; an alliance admin; the county's region admin; another
        county with its own region admin; a stranger with no role. ``w.make`` is this factory.
        """
        w = SimpleNamespace(make=self)
        w.city = self.region(level=RegionLevel.CITY, name="测试市")
        w.county = self.region(parent=w.city, name="测试县")
        w.other_county = self.region(parent=w.city, name="另一县")
        w.alliance = self.alliance(region=w.county)
        w.school = self.school(alliance=w.alliance, is_alliance_centre=True)
        w.other_school = self.school(alliance=w.alliance)
        w.teacher_a = self.teacher(w.school, nickname="甲老师")
        w.teacher_b = self.teacher(w.school, nickname="乙老师")
        w.class_a = self.school_class(school=w.school, homeroom=w.teacher_a)
        w.class_b = self.school_class(school=w.school, homeroom=w.teacher_b)
        w.teacher_c = self.teacher(w.school, nickname="丙老师")
        w.class_c = self.school_class(school=w.school, homeroom=w.teacher_c, grade=5)
        from jlt_family.organizations.models import ClassTeacher

        self._add(ClassTeacher(school_class=w.class_a, user=w.teacher_b, subject="数学"))
        w.family_a = self.family(home_address="幸福路1号")
        w.guardian_a = self.user(nickname="甲家长", phone="13800000001")
        self.guardian(family=w.family_a, user=w.guardian_a, is_primary=True)
        w.child_a = self.student(w.class_a, w.family_a, name="张小明", left_behind=True)
        w.family_b = self.family(home_address="和平路2号")
        w.guardian_b = self.user(nickname="乙家长", phone="13800000002")
        self.guardian(family=w.family_b, user=w.guardian_b, relation=GuardianRelation.FATHER, is_primary=True)
        w.child_b = self.student(w.class_b, w.family_b, name="李小红")
        w.school_admin = self.user(nickname="校长")
        self.grant(w.school_admin, StaffRole.SCHOOL_ADMIN, w.school)
        w.other_school_admin = self.user(nickname="别校校长")
        self.grant(w.other_school_admin, StaffRole.SCHOOL_ADMIN, w.other_school)
        w.venue = self.resource_unit(region=w.county, alliances=[w.alliance])
        w.venue_staff = self.user(nickname="场馆员")
        self.grant(w.venue_staff, StaffRole.VENUE_STAFF, w.venue)
        w.alliance_admin = self.user(nickname="教联体管理员")
        self.grant(w.alliance_admin, StaffRole.ALLIANCE_ADMIN, w.alliance)
        w.region_admin = self.user(nickname="教育局")
        self.grant(w.region_admin, StaffRole.REGION_ADMIN, w.county)
        w.other_region_admin = self.user(nickname="别县教育局")
        self.grant(w.other_region_admin, StaffRole.REGION_ADMIN, w.other_county)
        w.stranger = self.user(nickname="路人")
        self.db.session.commit()
        return w


def dev_login_headers(client, openid):
    """The Authorization header of a development sign-in as ``openid`` (a demo account, say)."""
    response = client.post("/api/v1/auth/dev-login", json={"openid": openid})
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}
