"""演示数据: realistic, deterministic demo data for development and for trying the API by hand.

One county of 兴安盟 (内蒙古自治区) with an approved 教联体 around two adjacent centre schools, member schools (a
幼儿园 among them), member units (科技馆, 博物馆, 体育场馆, 图书馆, 消防救援站, a 社区 and a 政府部门), classes of the
2026 school year with their teachers, about 40 students per class, families with guardians, pending binding
requests and a care entrustment. Every demo account signs in with the development sign-in, e.g.
``POST /api/v1/auth/dev-login {"openid": "demo-parent-1"}``.

The functions add rows and flush; the caller commits (``python app.py`` and ``flask --app app seed-demo`` do).
"""

import datetime as dt
import random

import sqlalchemy as sa

from jlt_family.alliances.models import Alliance, AllianceMember, AllianceStatus, MemberKind
from jlt_family.auth.models import User
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import utcnow
from jlt_family.families.models import (
    BindingRequest,
    BindingStatus,
    CareEntrustment,
    Family,
    Guardian,
    GuardianRelation,
)
from jlt_family.organizations.models import (
    ROLE_SCOPE,
    ClassTeacher,
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
from jlt_family.organizations.students import Gender, Student

SEED = 20260901
SCHOOL_YEAR = 2026
BOUND_SHARE = 0.7  # share of the other students whose family already uses the mini-program

# The accounts a person trying the demo signs in as (openid → who it is).
DEMO_ACCOUNTS = {
    "demo-parent-1": "家长：母亲，两个孩子（一小三年级(1)班、一幼大一班）",
    "demo-parent-2": "家长：父亲，在外务工；孩子是留守儿童，已提交委托照护",
    "demo-parent-3": "新家长：绑定申请待班主任审核（三年级(1)班）",
    "demo-parent-4": "新家长：绑定申请待班主任审核（三年级(2)班）",
    "demo-teacher-1": "班主任：一小三年级(1)班",
    "demo-teacher-2": "科任教师（数学）：一小三年级(1)班、(2)班",
    "demo-school-admin": "学校管理员：乌兰浩特市第一小学",
    "demo-venue-staff": "场馆工作人员：兴安盟科技馆",
    "demo-alliance-admin": "教联体管理员：乌兰浩特市第一小学教联体",
    "demo-region-admin": "教育局管理员：乌兰浩特市",
}

REGIONS = (
    # key, 行政区划代码, name, level, parent key
    ("province", "150000", "内蒙古自治区", RegionLevel.PROVINCE, None),
    ("city", "152200", "兴安盟", RegionLevel.CITY, "province"),
    ("county", "152201", "乌兰浩特市", RegionLevel.COUNTY, "city"),
    ("other_county", "152221", "科尔沁右翼前旗", RegionLevel.COUNTY, "city"),
)

SCHOOLS = (
    # key, name, kind, region key, in the alliance, centre, address
    ("yixiao", "乌兰浩特市第一小学", SchoolKind.PRIMARY, "county", True, True, "乌兰浩特市和平街道兴安南大路16号"),
    ("sizhong", "乌兰浩特市第四中学", SchoolKind.JUNIOR, "county", True, True, "乌兰浩特市和平街道罕山路9号"),
    ("qixiao", "乌兰浩特市第七小学", SchoolKind.PRIMARY, "county", True, False, "乌兰浩特市都林街道都林路32号"),
    ("yiyou", "乌兰浩特市第一幼儿园", SchoolKind.KINDERGARTEN, "county", True, False, "乌兰浩特市兴安街道五一北路7号"),
    ("kyq", "科尔沁右翼前旗第一小学", SchoolKind.PRIMARY, "other_county", False, False, "科尔沁右翼前旗大坝沟镇"),
)

UNITS = (
    # key, name, kind, address, opening info, contact person, phone, duties, cooperation
    (
        "science",
        "兴安盟科技馆",
        ResourceUnitKind.SCIENCE_MUSEUM,
        "乌兰浩特市兴安盟行政中心东侧",
        "周二至周日 9:00–16:30 开放，周一闭馆；学生团体提前三天预约",
        "孙晓峰",
        "0482-8266101",
        "开设科普课堂，为学生团体预留参观名额（绿色通道）",
        "学校组织团体参观与家长带孩子预约参观，每学期联合举办一次科技节",
    ),
    (
        "museum",
        "兴安盟博物馆",
        ResourceUnitKind.MUSEUM,
        "乌兰浩特市成吉思汗公园南侧",
        "周二至周日 9:00–17:00，免费参观，需实名预约",
        "包玉兰",
        "0482-8266202",
        "提供红色文化与地方历史研学课程，培训小讲解员",
        "研学课程进校园，寒暑假开设亲子研学日",
    ),
    (
        "sports",
        "乌兰浩特市全民健身中心",
        ResourceUnitKind.SPORTS_VENUE,
        "乌兰浩特市五一南大街88号",
        "每日 8:00–21:00；周末上午为中小学生免费时段",
        "刘建军",
        "0482-8266303",
        "为学校体育教学和课后锻炼提供场地，周末向学生免费开放",
        "学校课后服务借用场地，家长周末预约亲子运动时段",
    ),
    (
        "library",
        "兴安盟图书馆",
        ResourceUnitKind.LIBRARY,
        "乌兰浩特市兴安北大路2号",
        "周二至周日 9:00–20:00，少儿阅览区周末开放",
        "赵淑芬",
        "0482-8266404",
        "开展亲子阅读活动，为学校送书进校园",
        "每月一次亲子阅读会，学校班级集体办理借阅证",
    ),
    (
        "fire",
        "乌兰浩特市消防救援大队和平路消防救援站",
        ResourceUnitKind.FIRE_STATION,
        "乌兰浩特市和平路118号",
        "每月第一个周六 9:00–11:00 开放日，学校团体可另约",
        "周志强",
        "0482-8266119",
        "开展消防安全检查及消防安全宣传教育，配合学校开展应急疏散演练",
        "每学期一次消防演练指导，开放日接待学生和家长",
    ),
)

OTHER_MEMBERS = (
    # kind, name, duties, cooperation, responsible person, phone
    (
        MemberKind.COMMUNITY,
        "和平街道兴安社区",
        "依托社区家长学校开展家庭教育指导，关爱留守儿童和困境儿童",
        "社区网格员与班主任联合家访，每月一次家长课堂",
        "陈秀梅",
        "0482-8213355",
    ),
    (
        MemberKind.DEPARTMENT,
        "乌兰浩特市民政局",
        "统筹留守儿童、困境儿童关爱保护，落实监护责任",
        "每学期与学校核对困境儿童名单，联合开展帮扶",
        "何振华",
        "0482-8227766",
    ),
)

STAFF = (
    # openid, name, phone
    ("demo-teacher-1", "王丽华", "13904821101"),
    ("demo-teacher-2", "张志刚", "13904821102"),
    ("demo-teacher-3", "刘晓燕", "13904821103"),
    ("demo-teacher-4", "包金花", "13904821104"),
    ("demo-teacher-5", "赵海涛", "13904821105"),
    ("demo-teacher-6", "孙婷婷", "13904821106"),
    ("demo-teacher-7", "李静", "13904821107"),
    ("demo-teacher-8", "杨宏伟", "13904821108"),
    ("demo-teacher-9", "韩雪梅", "13904821109"),
    ("demo-school-admin", "高建国", "13904821201"),
    ("demo-school-admin-2", "白玉珍", "13904821202"),
    ("demo-school-admin-3", "吴春霞", "13904821203"),
    ("demo-venue-staff", "孙晓峰", "13904821301"),
    ("demo-alliance-admin", "郭文斌", "13904821401"),
    ("demo-region-admin", "马志远", "13904821501"),
)

GRANTS = (
    # openid, role, scope kind, scope key
    ("demo-teacher-1", StaffRole.TEACHER, "school", "yixiao"),
    ("demo-teacher-2", StaffRole.TEACHER, "school", "yixiao"),
    ("demo-teacher-3", StaffRole.TEACHER, "school", "yixiao"),
    ("demo-teacher-4", StaffRole.TEACHER, "school", "yixiao"),
    ("demo-teacher-7", StaffRole.TEACHER, "school", "yixiao"),
    ("demo-teacher-8", StaffRole.TEACHER, "school", "yixiao"),
    ("demo-teacher-5", StaffRole.TEACHER, "school", "sizhong"),
    ("demo-teacher-9", StaffRole.TEACHER, "school", "sizhong"),
    ("demo-teacher-6", StaffRole.TEACHER, "school", "yiyou"),
    ("demo-school-admin", StaffRole.SCHOOL_ADMIN, "school", "yixiao"),
    ("demo-school-admin-2", StaffRole.SCHOOL_ADMIN, "school", "sizhong"),
    ("demo-school-admin-3", StaffRole.SCHOOL_ADMIN, "school", "yiyou"),
    ("demo-venue-staff", StaffRole.VENUE_STAFF, "unit", "science"),
    ("demo-alliance-admin", StaffRole.ALLIANCE_ADMIN, "alliance", "alliance"),
    ("demo-region-admin", StaffRole.REGION_ADMIN, "region", "county"),
)

CLASSES = (
    # key, school key, grade, name, invite code, homeroom openid, (subject, teacher openid)..., size
    (
        "3-1",
        "yixiao",
        3,
        "三年级(1)班",
        "YX3A1K7M",
        "demo-teacher-1",
        (("数学", "demo-teacher-2"), ("英语", "demo-teacher-7")),
        40,
    ),
    (
        "3-2",
        "yixiao",
        3,
        "三年级(2)班",
        "YX3B2Q4N",
        "demo-teacher-3",
        (("数学", "demo-teacher-2"), ("英语", "demo-teacher-7")),
        40,
    ),
    (
        "5-1",
        "yixiao",
        5,
        "五年级(1)班",
        "YX5A1R8T",
        "demo-teacher-4",
        (("数学", "demo-teacher-8"), ("英语", "demo-teacher-7")),
        41,
    ),
    ("7-3", "sizhong", 7, "七年级(3)班", "SZ7C3W2P", "demo-teacher-5", (("数学", "demo-teacher-9"),), 42),
    ("k-1", "yiyou", -1, "大班(1)班", "YY0A1H5D", "demo-teacher-6", (), 30),
)

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴"
    "夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段钱汤尹黎易常武乔贺赖龚文包鲍佟"
)
CHILD_GIVEN = {
    Gender.MALE: (
        "子轩",
        "浩宇",
        "宇轩",
        "浩然",
        "俊杰",
        "博文",
        "泽宇",
        "睿哲",
        "明辰",
        "嘉豪",
        "一鸣",
        "思远",
        "天佑",
        "皓轩",
        "锦程",
        "瑞霖",
        "梓豪",
        "子墨",
        "宇航",
        "晨阳",
        "铭泽",
        "昊然",
        "致远",
        "文博",
        "家乐",
        "明轩",
        "俊熙",
        "煜",
        "阳",
        "磊",
        "鑫",
        "凯",
    ),
    Gender.FEMALE: (
        "欣怡",
        "梓涵",
        "雨萱",
        "诗琪",
        "思彤",
        "佳怡",
        "若汐",
        "可馨",
        "紫萱",
        "梦瑶",
        "语嫣",
        "雅静",
        "心怡",
        "嘉欣",
        "芷若",
        "晓彤",
        "一诺",
        "雨桐",
        "依依",
        "静怡",
        "诗涵",
        "梓萱",
        "欣妍",
        "婉清",
        "悦",
        "萌",
        "琳",
        "妍",
    ),
}
MONGOLIAN_GIVEN = {
    Gender.MALE: ("巴特尔", "额尔敦", "那日苏", "阿拉坦", "苏和", "布和", "朝鲁", "乌力吉", "特木尔", "孟和"),
    Gender.FEMALE: ("其其格", "乌日娜", "苏日娜", "萨仁", "斯琴", "娜仁", "高娃", "塔娜", "乌兰", "托娅"),
}
MONGOLIAN_SURNAMES = "包白韩"
ADULT_GIVEN = {
    Gender.MALE: ("伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "建华", "志强", "海军", "永刚", "晓东", "国庆"),
    Gender.FEMALE: ("娜", "敏", "静", "丽", "艳", "婷", "霞", "芳", "秀英", "丽娟", "晓红", "春燕", "海燕", "玉兰"),
}
ELDER_GIVEN = {
    Gender.MALE: ("福贵", "宝山", "德明", "长林", "振国", "玉林", "占山"),
    Gender.FEMALE: ("桂兰", "秀兰", "淑珍", "玉梅", "凤英", "桂芝", "素芬"),
}
STREETS = (
    ("和平街道", ("兴安社区", "和平社区", "铁西社区")),
    ("兴安街道", ("团结社区", "五一社区")),
    ("都林街道", ("都林社区", "民主社区")),
    ("爱国街道", ("爱国社区", "新城社区")),
)


class _DemoSeeder:
    """Builds the demo world in a fixed order from one seeded random generator."""

    def __init__(self):
        self.rng = random.Random(SEED)
        self.regions, self.schools, self.units, self.users, self.classes = {}, {}, {}, {}, {}
        self.students = {}  # class key → students in roster order
        self.counts = dict.fromkeys(("families", "guardians", "binding_requests", "care_entrustments"), 0)

    def run(self):
        self.add_regions()
        self.add_alliance()
        self.add_schools()
        self.add_units_and_members()
        self.add_staff()
        db.session.flush()  # scope ids for the grants
        self.add_grants()
        self.add_classes()
        self.add_students()
        self.add_demo_families()
        self.add_other_families()
        self.add_pending_bindings()
        db.session.flush()  # the filing parent's id
        self.add_care_entrustment()
        db.session.flush()
        return self.summary()

    # Organisations

    def add_regions(self):
        for key, code, name, level, parent in REGIONS:
            self.regions[key] = self._add(Region(code=code, name=name, level=level, parent=self.regions.get(parent)))

    def add_alliance(self):
        self.alliance = self._add(
            Alliance(
                name="乌兰浩特市第一小学教联体",
                region=self.regions["county"],
                status=AllianceStatus.APPROVED,
                description="以乌兰浩特市第一小学和第四中学为圆心，联合社区、政府部门与社会资源单位，开展家校社协同育人。",
                approved_at=dt.datetime(2026, 6, 30, 2, 0, tzinfo=dt.UTC),
            )
        )

    def add_schools(self):
        for key, name, kind, region, member, centre, address in SCHOOLS:
            self.schools[key] = self._add(
                School(
                    name=name,
                    kind=kind,
                    region=self.regions[region],
                    alliance=self.alliance if member else None,
                    is_alliance_centre=centre,
                    address=address,
                )
            )

    def add_units_and_members(self):
        county = self.regions["county"]
        for key, name, kind, address, opening, person, phone, duties, cooperation in UNITS:
            unit = self._add(
                ResourceUnit(
                    name=name,
                    kind=kind,
                    region=county,
                    address=address,
                    opening_info=opening,
                    description=duties,
                    contact_person=person,
                    contact_phone=phone,
                )
            )
            self.units[key] = unit
            self._add(
                AllianceMember(
                    alliance=self.alliance,
                    kind=MemberKind.RESOURCE_UNIT,
                    resource_unit=unit,
                    name=name,
                    duties=duties,
                    cooperation=cooperation,
                    responsible_person=person,
                    contact_phone=phone,
                )
            )
        for kind, name, duties, cooperation, person, phone in OTHER_MEMBERS:
            self._add(
                AllianceMember(
                    alliance=self.alliance,
                    kind=kind,
                    name=name,
                    duties=duties,
                    cooperation=cooperation,
                    responsible_person=person,
                    contact_phone=phone,
                )
            )

    # People

    def add_staff(self):
        for openid, name, phone in STAFF:
            self._user(openid, name, phone)

    def add_grants(self):
        scopes = {
            "school": self.schools,
            "unit": self.units,
            "region": self.regions,
            "alliance": {"alliance": self.alliance},
        }
        names = {openid: name for openid, name, _ in STAFF}
        for openid, role, scope_kind, scope_key in GRANTS:
            scope = scopes[scope_kind][scope_key]
            self._add(
                StaffMembership(
                    user=self.users[openid],
                    role=role,
                    scope_key=scope.id,
                    display_name=names[openid],
                    **{ROLE_SCOPE[role]: scope.id},
                )
            )

    def add_classes(self):
        for key, school, grade, name, code, homeroom, subjects, _size in CLASSES:
            school_class = self._add(
                SchoolClass(
                    school=self.schools[school],
                    school_year=SCHOOL_YEAR,
                    grade=grade,
                    name=name,
                    invite_code=code,
                    homeroom_teacher=self.users[homeroom],
                )
            )
            for subject, openid in subjects:
                self._add(ClassTeacher(school_class=school_class, user=self.users[openid], subject=subject))
            self.classes[key] = school_class

    def add_students(self):
        for key, _school, grade, _name, _code, _homeroom, _subjects, size in CLASSES:
            school_class = self.classes[key]
            roster = []
            for seat in range(1, size + 1):
                gender = self.rng.choice((Gender.MALE, Gender.FEMALE))
                roster.append(
                    self._add(
                        Student(
                            school=school_class.school,
                            school_class=school_class,
                            student_no=_student_no(grade, key, seat),
                            name=self._child_name(gender),
                            gender=gender,
                            birth_date=self._birth_date(grade),
                        )
                    )
                )
            self._flag_some(roster)
            self.students[key] = roster

    def _flag_some(self, roster):
        """A few children per class carry a sensitive flag (never the first three: the demo families' seats)."""
        picks = self.rng.sample(roster[3:], 7)
        for child in picks[:3]:
            child.left_behind = True
        for child in picks[3:5]:
            child.migrant = True
        picks[5].in_difficulty = True
        picks[6].disabled = True

    def add_demo_families(self):
        """The families the demo accounts belong to."""
        first, second = self.students["3-1"][0], self.students["k-1"][0]
        second.name = first.name[0] + second.name[1:]  # siblings share the father's surname
        family = self._family([first, second])
        self._guardian(
            family, self._user("demo-parent-1", "李娜", "13904822001"), GuardianRelation.MOTHER, primary=True
        )
        father = self._user("demo-father-1", first.name[0] + "建华", "13904822002")
        self._guardian(family, father, GuardianRelation.FATHER)

        child = self.students["3-1"][1]
        child.left_behind = True
        family = self._family([child])
        parent = self._user("demo-parent-2", child.name[0] + "永刚", "13904822003")
        self._guardian(family, parent, GuardianRelation.FATHER, primary=True)

    def add_care_entrustment(self):
        """demo-parent-2 works away from home and has told the school who looks after the child (002 §7)."""
        self._add(
            CareEntrustment(
                student=self.students["3-1"][1],
                filed_by_id=self.users["demo-parent-2"].id,
                caretaker_name="周桂兰",
                caretaker_relation="祖母",
                caretaker_phone="13904822004",
                starts_on=dt.date(2026, 9, 1),
                ends_on=dt.date(2027, 7, 15),
                note="父母在呼和浩特务工，孩子由奶奶照看，平日放学由奶奶接送。",
            )
        )
        self.counts["care_entrustments"] += 1

    def add_other_families(self):
        """About 70% of the other children are already bound; the rest wait for their parents to sign up.

        The first three seats of every class are left to the demo families and the pending binding requests.
        """
        number = 0
        for key, *_rest in CLASSES:
            for child in self.students[key][3:]:
                if self.rng.random() < BOUND_SHARE:
                    number += 1
                    self._generated_family(child, number)

    def _generated_family(self, child, number):
        family = self._family([child])
        if child.left_behind:
            relation = self.rng.choice((GuardianRelation.PATERNAL_GRANDPARENT, GuardianRelation.MATERNAL_GRANDPARENT))
            gender = self.rng.choice((Gender.MALE, Gender.FEMALE))
        else:
            relation = self.rng.choice((GuardianRelation.MOTHER, GuardianRelation.MOTHER, GuardianRelation.FATHER))
            gender = Gender.FEMALE if relation == GuardianRelation.MOTHER else Gender.MALE
        shares_surname = relation == GuardianRelation.FATHER or (
            relation == GuardianRelation.PATERNAL_GRANDPARENT and gender == Gender.MALE
        )
        name = self._adult_name(gender, child.name[0] if shares_surname else None, elder=child.left_behind)
        user = self._user(f"demo-guardian-{number:03d}", name, self._phone())
        self._guardian(family, user, relation, primary=True)
        if relation == GuardianRelation.MOTHER and self.rng.random() < 0.4:
            father = self._user(
                f"demo-guardian-{number:03d}b", self._adult_name(Gender.MALE, child.name[0]), self._phone()
            )
            self._guardian(family, father, GuardianRelation.FATHER)
        if self.rng.random() < 0.05:
            self._guardian(
                family,
                self._user(f"demo-guardian-{number:03d}c", self._adult_name(Gender.FEMALE), self._phone()),
                GuardianRelation.OTHER,
            )

    def add_pending_bindings(self):
        """New parents who asked to bind their child; the homeroom teacher has not decided yet. demo-parent-4 had
        first asked for another child of the class by mistake: that request was rejected, with the reason."""
        for openid, key, relation in (
            ("demo-parent-3", "3-1", GuardianRelation.MOTHER),
            ("demo-parent-4", "3-2", GuardianRelation.PATERNAL_GRANDPARENT),
        ):
            unbound = [c for c in self.students[key][2:] if c.family is None]
            child = unbound[0]
            elder = relation == GuardianRelation.PATERNAL_GRANDPARENT
            gender = Gender.FEMALE if relation == GuardianRelation.MOTHER else Gender.MALE
            name = self._adult_name(gender, None if gender == Gender.FEMALE else child.name[0], elder=elder)
            user = self._user(openid, name, self._phone())
            if openid == "demo-parent-4":
                self._rejected_binding(user, unbound[1], relation, name)
            self._add(
                BindingRequest(
                    user=user, student=child, school_class=child.school_class, relation=relation, guardian_name=name
                )
            )
            self.counts["binding_requests"] += 1

    def _rejected_binding(self, user, child, relation, name):
        now = utcnow()
        teacher = child.school_class.homeroom_teacher
        self._add(
            BindingRequest(
                user=user,
                student=child,
                school_class=child.school_class,
                relation=relation,
                guardian_name=name,
                status=BindingStatus.REJECTED,
                active_key=None,
                created_at=now - dt.timedelta(days=2),
                decided_at=now - dt.timedelta(days=1),
                decided_by_id=teacher.id if teacher else None,
                reason="学生姓名与学号不符，请核对孩子的学号后重新申请",
            )
        )
        self.counts["binding_requests"] += 1

    # Helpers

    def _add(self, obj):
        db.session.add(obj)
        return obj

    def _user(self, openid, name, phone):
        user = self._add(User(openid=openid, nickname=name, phone=phone, phone_country_code="86"))
        self.users[openid] = user
        return user

    def _family(self, children):
        family = self._add(Family(home_address=self._address()))
        for child in children:
            child.family = family
        self.counts["families"] += 1
        return family

    def _guardian(self, family, user, relation, *, primary=False):
        self.counts["guardians"] += 1
        return self._add(Guardian(family=family, user=user, relation=relation, name=user.nickname, is_primary=primary))

    def _child_name(self, gender):
        if self.rng.random() < 0.1:
            return self.rng.choice(MONGOLIAN_SURNAMES) + self.rng.choice(MONGOLIAN_GIVEN[gender])
        return self.rng.choice(SURNAMES) + self.rng.choice(CHILD_GIVEN[gender])

    def _adult_name(self, gender, surname=None, *, elder=False):
        given = ELDER_GIVEN if elder else ADULT_GIVEN
        return (surname or self.rng.choice(SURNAMES)) + self.rng.choice(given[gender])

    def _birth_date(self, grade):
        """Born in the school year that puts the child in ``grade`` (大班 = the year before 一年级)."""
        first_year = SCHOOL_YEAR - 6 - (grade if grade > 0 else grade + 1)
        start = dt.date(first_year, 9, 1)
        return start + dt.timedelta(days=self.rng.randrange(365))

    def _phone(self):
        return self.rng.choice(("139", "138", "152", "158", "187", "136")) + f"{self.rng.randrange(10**8):08d}"

    def _address(self):
        street, communities = self.rng.choice(STREETS)
        community = self.rng.choice(communities)
        building, unit, floor, door = (
            self.rng.randint(1, 28),
            self.rng.randint(1, 4),
            self.rng.randint(1, 6),
            self.rng.randint(1, 2),
        )
        return f"乌兰浩特市{street}{community}{building}号楼{unit}单元{floor}0{door}室"

    def summary(self):
        return {
            "regions": len(self.regions),
            "alliances": 1,
            "schools": len(self.schools),
            "resource_units": len(self.units),
            "alliance_members": len(UNITS) + len(OTHER_MEMBERS),
            "classes": len(self.classes),
            "students": sum(len(roster) for roster in self.students.values()),
            **self.counts,
            "users": len(self.users),
            "demo_accounts": sorted(DEMO_ACCOUNTS),
        }


def _student_no(grade, class_key, seat):
    """学号: school year, grade (幼儿园 as 0), class and seat, e.g. 2026030101."""
    class_no = int(class_key.split("-")[1])
    return f"{SCHOOL_YEAR}{max(grade, 0):02d}{class_no:02d}{seat:02d}"


def database_is_empty():
    """No region yet: nothing has been set up (the demo is only seeded then)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Region)) == 0


# Domains that add their own demo data on top of the organisations and families (each a ``seed()`` returning
# a summary dict, querying what it needs); a domain without a demo module adds nothing.
DOMAIN_DEMO_MODULES = (
    "jlt_family.devtools.demo.courses",
    "jlt_family.devtools.demo.visits",
    "jlt_family.devtools.demo.venues",
    "jlt_family.devtools.demo.reminders",
    "jlt_family.devtools.demo.matching",
    "jlt_family.devtools.demo.catalogue",
    "jlt_family.devtools.demo.alliances",
    "jlt_family.devtools.demo.reports",
    "jlt_family.devtools.demo.dashboard",
)


def seed_demo():
    """Fill an empty database with the demo world; flushes, the caller commits. Returns what was added."""
    import importlib
    import importlib.util

    summary = _DemoSeeder().run()
    for name in DOMAIN_DEMO_MODULES:
        if importlib.util.find_spec(name) is not None:
            db.session.flush()
            summary.update(importlib.import_module(name).seed())
    return summary
