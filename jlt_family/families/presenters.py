"""What each caller sees of families, children and requests: plain dicts for the output schemas.

Phones are masked except the caller's own; the caretaker's phone of a care entrustment is the exception the
brief allows (the child's guardians, 班主任 and school leaders need to reach the caretaker).
"""

from jlt_family.core.masking import mask_phone
from jlt_family.families.models import RELATION_LABELS
from jlt_family.families.permissions import ChildAccess
from jlt_family.families.schemas import FLAG_NAMES


def _value(enum_member):
    return enum_member.value if enum_member is not None else None


def school_brief(school):
    return {"id": school.id, "name": school.name}


def class_brief(school_class):
    if school_class is None:
        return None
    return {
        "id": school_class.id,
        "name": school_class.name,
        "grade": school_class.grade,
        "school_year": school_class.school_year,
    }


def guardian_view(guardian, viewer_user_id):
    is_me = guardian.user_id == viewer_user_id
    phone = guardian.user.phone
    return {
        "id": guardian.id,
        "relation": guardian.relation.value,
        "relation_label": RELATION_LABELS[guardian.relation],
        "name": guardian.name,
        "phone": phone if is_me else mask_phone(phone),
        "is_primary": guardian.is_primary,
        "is_me": is_me,
        "joined_at": guardian.joined_at,
    }


def flags_view(student):
    return {"id": student.id, **{name: getattr(student, name) for name in FLAG_NAMES}}


def _child_basic(student):
    return {
        "id": student.id,
        "name": student.name,
        "student_no": student.student_no,
        "school": school_brief(student.school),
        "school_class": class_brief(student.school_class),
    }


def family_child_view(student):
    """A child as its own guardians see it in the family view."""
    return {
        **_child_basic(student),
        **flags_view(student),
        "gender": _value(student.gender),
        "birth_date": student.birth_date,
    }


def family_view(family, viewer_user_id):
    return {
        "id": family.id,
        "home_address": family.home_address,
        "created_at": family.created_at,
        "guardians": [guardian_view(g, viewer_user_id) for g in family.guardians],
        "children": [family_child_view(s) for s in family.children],
    }


def child_view(student, access, viewer_user_id):
    """A child as the caller may see it (``access`` from ``permissions.child_access``)."""
    if access == ChildAccess.BASIC:
        return {"access": access.value, **_child_basic(student)}
    family = student.family
    return {
        "access": access.value,
        **family_child_view(student),
        "home_address": family.home_address if family is not None else "",
        "guardians": [guardian_view(g, viewer_user_id) for g in family.guardians] if family is not None else [],
    }


def binding_request_view(request_, *, for_staff=False):
    student = request_.student
    view = {
        "id": request_.id,
        "status": request_.status.value,
        "relation": request_.relation.value,
        "relation_label": RELATION_LABELS[request_.relation],
        "guardian_name": request_.guardian_name,
        "student": {"id": student.id, "name": student.name, "student_no": student.student_no},
        "school": school_brief(request_.school_class.school),
        "school_class": class_brief(request_.school_class),
        "reason": request_.reason,
        "created_at": request_.created_at,
        "decided_at": request_.decided_at,
    }
    if for_staff:
        view["requester_phone"] = mask_phone(request_.user.phone)
        view["child_bound"] = student.family_id is not None
    return view


def invite_view(invite, guardian_names):
    return {
        "id": invite.id,
        "code": invite.code,
        "created_by_name": guardian_names.get(invite.created_by_id, ""),
        "created_at": invite.created_at,
        "expires_at": invite.expires_at,
    }


def entrustment_view(entrustment, *, reveal_phone):
    phone = entrustment.caretaker_phone
    return {
        "id": entrustment.id,
        "student_id": entrustment.student_id,
        "caretaker_name": entrustment.caretaker_name,
        "caretaker_relation": entrustment.caretaker_relation,
        "caretaker_phone": phone if reveal_phone else mask_phone(phone),
        "starts_on": entrustment.starts_on,
        "ends_on": entrustment.ends_on,
        "note": entrustment.note,
        "status": entrustment.status.value,
        "created_at": entrustment.created_at,
        "acknowledged_at": entrustment.acknowledged_at,
    }
