"""The demo's organisations and families: regions, the alliance, schools, units, staff, classes, students,
families, bindings and a care entrustment (deterministic: one seeded random generator)."""

import datetime as dt
import random

from jlt_family.alliances.models import Alliance, AllianceMember, AllianceStatus, MemberKind
from jlt_family.auth.models import User
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import utcnow
from jlt_family.devtools.demo.world import (
    ADULT_GIVEN,
    BOUND_SHARE,
    CHILD_GIVEN,
    CLASSES,
    DEMO_ACCOUNTS,
    ELDER_GIVEN,
    GRANTS,
    MONGOLIAN_GIVEN,
    MONGOLIAN_SURNAMES,
    OTHER_MEMBERS,
    REGIONS,
    SCHOOL_YEAR,
    SCHOOLS,
    SEED,
    STAFF,
    STREETS,
    SURNAMES,
    UNITS,
    _student_no,
)
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
    ResourceUnit,
    School,
    SchoolClass,
    StaffMembership,
)
from jlt_family.organizations.students import Gender, Student


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
