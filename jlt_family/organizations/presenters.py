"""What a caller sees of the organisation model: the output dictionaries the schemas dump, masked per caller."""

import sqlalchemy as sa

from jlt_family.core.extensions import db
from jlt_family.core.masking import mask_phone
from jlt_family.organizations import calendar, permissions
from jlt_family.organizations.grades import grade_label
from jlt_family.organizations.models import RESOURCE_UNIT_KIND_LABELS, RegionLevel, SchoolKind, StaffRole

REGION_LEVEL_LABELS = {RegionLevel.PROVINCE: "省", RegionLevel.CITY: "市", RegionLevel.COUNTY: "区/县/旗县"}
SCHOOL_KIND_LABELS = {
    SchoolKind.KINDERGARTEN: "幼儿园",
    SchoolKind.PRIMARY: "小学",
    SchoolKind.JUNIOR: "初中",
    SchoolKind.SENIOR: "高中",
    SchoolKind.NINE_YEAR: "九年一贯制学校",
    SchoolKind.VOCATIONAL: "中职学校",
    SchoolKind.SPECIAL: "特殊教育学校",
}
ROLE_LABELS = {
    StaffRole.TEACHER: "教师",
    StaffRole.SCHOOL_ADMIN: "学校管理员",
    StaffRole.VENUE_STAFF: "场馆工作人员",
    StaffRole.ALLIANCE_ADMIN: "教联体管理员",
    StaffRole.REGION_ADMIN: "教育局管理员",
}


def _brief(obj):
    return {"id": obj.id, "name": obj.name} if obj is not None else None


def region_brief(region):
    return {"id": region.id, "code": region.code, "name": region.name}


def region_out(region):
    settings = calendar.settings_for(region)
    return {
        **region_brief(region),
        "level": region.level.value,
        "level_label": REGION_LEVEL_LABELS[region.level],
        "parent_id": region.parent_id,
        "calendar": {
            "school_year_start": "{:02d}-{:02d}".format(*settings.school_year_start),
            "spring_term_start": "{:02d}-{:02d}".format(*settings.spring_term_start),
        },
    }


def school_out(school):
    return {
        "id": school.id,
        "name": school.name,
        "kind": school.kind.value,
        "kind_label": SCHOOL_KIND_LABELS[school.kind],
        "region": region_brief(school.region),
        "alliance": _brief(school.alliance),
        "is_alliance_centre": school.is_alliance_centre,
        "address": school.address,
    }


def _span(item):
    return {"label": item.label, "starts_on": item.starts_on, "ends_on": item.ends_on}


def calendar_out(day, region):
    year = calendar.school_year_for(day, region)
    terms = calendar.terms_of(year, region)
    return {
        "date": day,
        "school_year": {"start_year": year.start_year, **_span(year)},
        "terms": [{"name": term.name, **_span(term)} for term in terms],
        "current_term": calendar.term_for(day, region).name,
    }


def student_counts(class_ids):
    from jlt_family.organizations.students import Student

    if not class_ids:
        return {}
    rows = db.session.execute(
        sa.select(Student.class_id, sa.func.count()).where(Student.class_id.in_(class_ids)).group_by(Student.class_id)
    )
    return dict(rows.all())


def class_out(school_class, actor, student_count=None):
    if student_count is None:
        student_count = student_counts([school_class.id]).get(school_class.id, 0)
    homeroom = school_class.homeroom_teacher
    out = {
        "id": school_class.id,
        "school_id": school_class.school_id,
        "school_year": school_class.school_year,
        "grade": school_class.grade,
        "grade_label": grade_label(school_class.grade),
        "name": school_class.name,
        "homeroom_teacher": {"id": homeroom.id, "nickname": homeroom.nickname} if homeroom else None,
        "subject_teachers": [
            {"user_id": t.user_id, "nickname": t.user.nickname, "subject": t.subject}
            for t in sorted(school_class.subject_teachers, key=lambda t: t.id or 0)
        ],
        "student_count": student_count,
    }
    if permissions.sees_invite_code(actor, school_class):
        out["invite_code"] = school_class.invite_code
    return out


def roster_entry_out(student, show_flags):
    out = {
        "id": student.id,
        "name": student.name,
        "student_no": student.student_no,
        "gender": student.gender.value if student.gender else None,
        "bound": student.family_id is not None,
    }
    if show_flags:
        out["flags"] = {
            flag: getattr(student, flag) for flag in ("left_behind", "migrant", "in_difficulty", "disabled")
        }
    return out


def unit_out(unit, actor):
    phone = unit.contact_phone if permissions.sees_unit_contact(actor, unit) else mask_phone(unit.contact_phone)
    alliances = [m.alliance for m in unit.memberships if permissions.can_view_alliance(actor, m.alliance)]
    return {
        "id": unit.id,
        "name": unit.name,
        "kind": unit.kind.value,
        "kind_label": RESOURCE_UNIT_KIND_LABELS[unit.kind],
        "region": region_brief(unit.region),
        "school_id": unit.school_id,
        "address": unit.address,
        "opening_info": unit.opening_info,
        "description": unit.description,
        "contact_person": unit.contact_person,
        "contact_phone": phone,
        "is_active": unit.is_active,
        "alliances": [_brief(a) for a in alliances],
    }


def _scope_fields(obj):
    scope = obj.school or obj.resource_unit or obj.alliance or obj.region
    return {
        "role": obj.role.value,
        "role_label": ROLE_LABELS[obj.role],
        "school_id": obj.school_id,
        "resource_unit_id": obj.resource_unit_id,
        "alliance_id": obj.alliance_id,
        "region_id": obj.region_id,
        "scope_name": scope.name if scope is not None else "",
    }


def membership_out(membership):
    return {
        "id": membership.id,
        "user": {"id": membership.user.id, "nickname": membership.user.nickname},
        "display_name": membership.display_name,
        **_scope_fields(membership),
        "granted_by_id": membership.granted_by_id,
        "granted_at": membership.granted_at,
        "revoked_at": membership.revoked_at,
        "revoked_by_id": membership.revoked_by_id,
        "is_active": membership.is_active,
    }


def invite_out(invite):
    from jlt_family.organizations.service import invite_status

    return {
        "id": invite.id,
        "code": invite.code,
        **_scope_fields(invite),
        "max_uses": invite.max_uses,
        "used_count": invite.used_count,
        "status": invite_status(invite),
        "created_at": invite.created_at,
        "expires_at": invite.expires_at,
        "revoked_at": invite.revoked_at,
    }
