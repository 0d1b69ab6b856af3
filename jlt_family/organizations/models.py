"""Regions, schools, classes, resource units and staff memberships (the alliances are in ``alliances.models``)."""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jlt_family.core.db_types import StrEnum, UTCDateTime, str_enum
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import utcnow
from jlt_family.organizations.calendar import CalendarSettings, settings_for


class RegionLevel(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"


class Region(db.Model):
    """行政区划 (省/市/区县旗): an administrative area with its 行政区划代码 and parent.

    A region may set its own school calendar; a region without one inherits its parent's, and the default is
    a school year from 1 September with the spring term from 1 February.
    """

    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    level: Mapped[RegionLevel] = mapped_column(str_enum(RegionLevel))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("region.id"), index=True)
    # School calendar as (month, day) of the school year's start and of the spring term's start.
    school_year_start_month: Mapped[int | None] = mapped_column(sa.SmallInteger)
    school_year_start_day: Mapped[int | None] = mapped_column(sa.SmallInteger)
    spring_term_start_month: Mapped[int | None] = mapped_column(sa.SmallInteger)
    spring_term_start_day: Mapped[int | None] = mapped_column(sa.SmallInteger)

    parent: Mapped["Region | None"] = relationship(remote_side="Region.id")

    __table_args__ = (
        sa.CheckConstraint(
            "school_year_start_month IS NULL OR (school_year_start_month BETWEEN 1 AND 12)", name="year_month"
        ),
        sa.CheckConstraint(
            "spring_term_start_month IS NULL OR (spring_term_start_month BETWEEN 1 AND 12)", name="spring_month"
        ),
    )

    @property
    def calendar(self) -> CalendarSettings:
        """The school calendar the region uses: its own (month, day) pairs or those it inherits."""
        return settings_for(self)


class SchoolKind(StrEnum):
    KINDERGARTEN = "kindergarten"  # 幼儿园
    PRIMARY = "primary"  # 小学
    JUNIOR = "junior"  # 初中
    SENIOR = "senior"  # 高中
    NINE_YEAR = "nine_year"  # 九年一贯制
    VOCATIONAL = "vocational"  # 中职
    SPECIAL = "special"  # 特殊教育学校


class School(db.Model):
    """学校 / 幼儿园 / 中职: a member school; belongs to one region and at most one alliance."""

    __tablename__ = "school"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[SchoolKind] = mapped_column(str_enum(SchoolKind))
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("region.id"), index=True)
    alliance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("alliance.id"), index=True)
    is_alliance_centre: Mapped[bool] = mapped_column(default=False)
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    region: Mapped[Region] = relationship()
    alliance: Mapped["Alliance | None"] = relationship(back_populates="schools")  # noqa: F821

    __table_args__ = (sa.UniqueConstraint("region_id", "name"),)


class SchoolClass(db.Model):
    """班级: a class of a school for one school year (start year, e.g. 2026 for 2026–2027), with one 班主任.

    ``grade``: 1–12 for 一年级 … 高三; -3, -2, -1 for 幼儿园 小班, 中班, 大班.
    ``invite_code``: what the homeroom teacher gives parents to bind their children.
    """

    __tablename__ = "school_class"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)
    school_year: Mapped[int] = mapped_column(sa.SmallInteger)
    grade: Mapped[int] = mapped_column(sa.SmallInteger)
    name: Mapped[str] = mapped_column(sa.String(40))
    homeroom_teacher_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    invite_code: Mapped[str] = mapped_column(sa.String(12), unique=True)

    school: Mapped[School] = relationship()
    homeroom_teacher: Mapped["User | None"] = relationship()  # noqa: F821
    subject_teachers: Mapped[list["ClassTeacher"]] = relationship(
        back_populates="school_class", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("school_id", "school_year", "name"),
        sa.CheckConstraint("grade BETWEEN -3 AND 12 AND grade <> 0", name="grade_range"),
        sa.CheckConstraint("school_year BETWEEN 2000 AND 2100", name="school_year_range"),
    )


class ClassTeacher(db.Model):
    """科任教师: a subject teacher assigned to a class."""

    __tablename__ = "class_teacher"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(sa.ForeignKey("school_class.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    subject: Mapped[str] = mapped_column(sa.String(20), default="")

    school_class: Mapped[SchoolClass] = relationship(back_populates="subject_teachers")
    user: Mapped["User"] = relationship()  # noqa: F821

    __table_args__ = (sa.UniqueConstraint("class_id", "user_id"),)


class ResourceUnitKind(StrEnum):
    PATRIOTIC_BASE = "patriotic_base"  # 爱国主义教育基地
    SPORTS_VENUE = "sports_venue"  # 体育场馆
    MUSEUM = "museum"  # 博物馆
    SCIENCE_MUSEUM = "science_museum"  # 科技馆
    SCIENCE_BASE = "science_base"  # 科普基地
    ART_GALLERY = "art_gallery"  # 美术馆
    LIBRARY = "library"  # 图书馆
    PERFORMING_ARTS = "performing_arts"  # 文艺院团
    YOUTH_PALACE = "youth_palace"  # 少年宫
    CHILDREN_CENTRE = "children_centre"  # 儿童活动中心
    FIRE_STATION = "fire_station"  # 消防救援站
    MEDICAL = "medical"  # 医疗卫生机构
    UNIVERSITY = "university"  # 高校
    ENTERPRISE = "enterprise"  # 企业
    SCHOOL = "school"  # 学校（周末和节假日开放场地）
    COMMUNITY = "community"  # 社区家长学校 / 家庭教育指导服务站


RESOURCE_UNIT_KIND_LABELS = {
    ResourceUnitKind.PATRIOTIC_BASE: "爱国主义教育基地",
    ResourceUnitKind.SPORTS_VENUE: "体育场馆",
    ResourceUnitKind.MUSEUM: "博物馆",
    ResourceUnitKind.SCIENCE_MUSEUM: "科技馆",
    ResourceUnitKind.SCIENCE_BASE: "科普基地",
    ResourceUnitKind.ART_GALLERY: "美术馆",
    ResourceUnitKind.LIBRARY: "图书馆",
    ResourceUnitKind.PERFORMING_ARTS: "文艺院团",
    ResourceUnitKind.YOUTH_PALACE: "少年宫",
    ResourceUnitKind.CHILDREN_CENTRE: "儿童活动中心",
    ResourceUnitKind.FIRE_STATION: "消防救援站",
    ResourceUnitKind.MEDICAL: "医疗卫生机构",
    ResourceUnitKind.UNIVERSITY: "高校",
    ResourceUnitKind.ENTERPRISE: "企业",
    ResourceUnitKind.SCHOOL: "学校开放场地",
    ResourceUnitKind.COMMUNITY: "社区家长学校",
}


class ResourceUnit(db.Model):
    """社会资源单位: a venue or organisation that opens to students; the alliances it serves are its memberships."""

    __tablename__ = "resource_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[ResourceUnitKind] = mapped_column(str_enum(ResourceUnitKind))
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("region.id"), index=True)
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school.id"))
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    opening_info: Mapped[str] = mapped_column(sa.Text, default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    contact_person: Mapped[str] = mapped_column(sa.String(40), default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(20), default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    region: Mapped[Region] = relationship()
    memberships: Mapped[list["AllianceMember"]] = relationship(viewonly=True)  # noqa: F821

    __table_args__ = (sa.UniqueConstraint("region_id", "name"),)


class StaffRole(StrEnum):
    TEACHER = "teacher"  # 教师 (of a school)
    SCHOOL_ADMIN = "school_admin"  # 学校管理员 / 学校领导 (of a school)
    VENUE_STAFF = "venue_staff"  # 场馆工作人员 (of a resource unit)
    ALLIANCE_ADMIN = "alliance_admin"  # 教联体管理员 (of an alliance)
    REGION_ADMIN = "region_admin"  # 教育局管理员 (of a region and the regions under it)


ROLE_SCOPE = {
    StaffRole.TEACHER: "school_id",
    StaffRole.SCHOOL_ADMIN: "school_id",
    StaffRole.VENUE_STAFF: "resource_unit_id",
    StaffRole.ALLIANCE_ADMIN: "alliance_id",
    StaffRole.REGION_ADMIN: "region_id",
}


class StaffMembership(db.Model):
    """岗位授权: a staff role a user holds in one scope, granted by an admin or through an invite code.

    ``active_key`` is 1 while the grant is active and NULL once revoked, so the unique key allows one active
    grant per user, role and scope while keeping revoked ones as history (MySQL has no partial index).
    """

    __tablename__ = "staff_membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    role: Mapped[StaffRole] = mapped_column(str_enum(StaffRole))
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school.id"), index=True)
    resource_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("resource_unit.id"), index=True)
    alliance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("alliance.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("region.id"), index=True)
    scope_key: Mapped[int] = mapped_column(sa.BigInteger)  # the scope's id, whichever column holds it
    display_name: Mapped[str] = mapped_column(sa.String(40), default="")
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    granted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    active_key: Mapped[int | None] = mapped_column(sa.SmallInteger, default=1)

    user: Mapped["User"] = relationship(foreign_keys=[user_id])  # noqa: F821
    school: Mapped[School | None] = relationship()
    resource_unit: Mapped[ResourceUnit | None] = relationship()
    alliance: Mapped["Alliance | None"] = relationship()  # noqa: F821
    region: Mapped[Region | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("user_id", "role", "scope_key", "active_key", name="uq_staff_membership_active"),
        sa.CheckConstraint(
            "(CASE WHEN school_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN resource_unit_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN alliance_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN region_id IS NULL THEN 0 ELSE 1 END)"
            " = 1",
            name="one_scope",
        ),
    )

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class StaffInvite(db.Model):
    """教师邀请码: an admin's code that grants a staff role in their scope to whoever redeems it."""

    __tablename__ = "staff_invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    role: Mapped[StaffRole] = mapped_column(str_enum(StaffRole))
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school.id"))
    resource_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("resource_unit.id"))
    alliance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("alliance.id"))
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("region.id"))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    max_uses: Mapped[int] = mapped_column(sa.Integer, default=1)
    used_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    school: Mapped[School | None] = relationship()
    resource_unit: Mapped[ResourceUnit | None] = relationship()
    alliance: Mapped["Alliance | None"] = relationship()  # noqa: F821
    region: Mapped[Region | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("used_count >= 0 AND used_count <= max_uses", name="uses_within_max"),
        sa.CheckConstraint("max_uses BETWEEN 1 AND 500", name="max_uses_range"),
    )
