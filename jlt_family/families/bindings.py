"""绑定申请: a guardian asks to bind a child of a class's roster; the homeroom teacher approves or rejects it."""

import re

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from jlt_family.auth.context import Actor
from jlt_family.core.codes import normalise_code
from jlt_family.core.errors import Conflict, NotFound
from jlt_family.core.extensions import db
from jlt_family.core.sql import update_rows
from jlt_family.core.timeutil import utcnow
from jlt_family.families.models import (
    BINDING_LIFECYCLE,
    BindingRequest,
    BindingStatus,
    Family,
    Guardian,
    GuardianRelation,
)
from jlt_family.organizations.models import SchoolClass
from jlt_family.organizations.students import Student


class StudentNotMatched(NotFound):
    """One answer for every wrong combination of class, name and student number: it does not say which."""

    code = "student_not_matched"
    message = "未找到匹配的学生，请核对班级邀请码、孩子姓名和学号"


class ChildAlreadyBound(Conflict):
    code = "child_already_bound"
    message = "该孩子已绑定其他家庭，请联系该家庭的监护人发送家庭邀请码"


class AlreadyDecided(Conflict):
    code = "already_decided"
    message = "该申请已处理，不能重复操作"


def _normalise_name(name):
    return re.sub(r"\s+", "", name)


def find_rostered_student(invite_code: str, student_name: str, student_no: str) -> Student:
    """The student currently in the class of ``invite_code`` with this name and number, or 404 (one answer)."""
    code = normalise_code(invite_code)
    school_class = db.session.scalar(sa.select(SchoolClass).where(SchoolClass.invite_code == code))
    if school_class is None:
        raise StudentNotMatched()
    student = db.session.scalar(
        sa.select(Student).where(Student.class_id == school_class.id, Student.student_no == student_no)
    )
    if student is None or _normalise_name(student.name) != _normalise_name(student_name):
        raise StudentNotMatched()
    return student


def create_binding_request(
    actor: Actor,
    *,
    invite_code: str,
    student_name: str,
    student_no: str,
    relation: GuardianRelation,
    guardian_name: str,
) -> BindingRequest:
    """绑定孩子: ask the 班主任 to bind a rostered child to the caller's family (one pending per child)."""
    student = find_rostered_student(invite_code, student_name, student_no)
    if student.family_id is not None and student.family_id == actor.family_id:
        raise Conflict("该孩子已在您的家庭中", code="child_already_in_family")
    if student.family_id is not None:
        raise ChildAlreadyBound()
    request_ = BindingRequest(
        user_id=actor.user_id,
        student=student,
        class_id=student.class_id,
        relation=relation,
        guardian_name=guardian_name,
    )
    try:
        with db.session.begin_nested():
            db.session.add(request_)
            db.session.flush()
    except IntegrityError:
        raise Conflict("您已提交过该孩子的绑定申请，请等待班主任审核", code="binding_request_pending")
    BINDING_LIFECYCLE.created(request_, actor_id=actor.user_id)
    return request_


def my_binding_requests(user_id: int, status: BindingStatus | None = None) -> sa.Select:
    stmt = sa.select(BindingRequest).where(BindingRequest.user_id == user_id)
    return _newest_first(stmt, status)


def class_binding_requests(class_id: int, status: BindingStatus | None = None) -> sa.Select:
    stmt = sa.select(BindingRequest).where(BindingRequest.class_id == class_id)
    return _newest_first(stmt, status)


def _newest_first(stmt, status):
    if status is not None:
        stmt = stmt.where(BindingRequest.status == status)
    # What the list shows of each request is loaded with it, not one query per row.
    return stmt.options(
        selectinload(BindingRequest.student),
        selectinload(BindingRequest.user),
        selectinload(BindingRequest.school_class).selectinload(SchoolClass.school),
    ).order_by(BindingRequest.created_at.desc(), BindingRequest.id.desc())


def _decide(request_: BindingRequest, status: BindingStatus, decider_id: int, reason: str = "") -> None:
    """Move a pending request to ``status`` (``BINDING_LIFECYCLE``): exactly one of racing decisions wins, the
    others get 409; the change is written to the request's history."""
    values = {"active_key": None, "decided_at": utcnow(), "decided_by_id": decider_id, "reason": reason}
    if not BINDING_LIFECYCLE.move(request_, status, actor_id=decider_id, reason=reason or None, values=values):
        raise AlreadyDecided()
    db.session.expire(request_)


def cancel_binding_request(request_: BindingRequest, user_id: int) -> BindingRequest:
    """撤回申请 while it is pending."""
    _decide(request_, BindingStatus.CANCELLED, user_id)
    return request_


def reject_binding_request(request_: BindingRequest, decider_id: int, reason: str) -> BindingRequest:
    _decide(request_, BindingStatus.REJECTED, decider_id, reason)
    return request_


def approve_binding_request(request_: BindingRequest, decider_id: int) -> BindingRequest:
    """同意绑定: the requester's family (created if they have none) gets the child, unless another family has it."""
    _decide(request_, BindingStatus.APPROVED, decider_id)
    student = request_.student
    if student.class_id != request_.class_id:
        raise Conflict("该学生已不在此班级，请让家长重新申请", code="student_left_class")
    guardian = _guardian_for_requester(request_)
    _bind_student(student, guardian.family_id)
    return request_


def _guardian_for_requester(request_):
    guardian = db.session.scalar(sa.select(Guardian).where(Guardian.user_id == request_.user_id))
    if guardian is not None:
        return guardian
    family = Family(home_address="")
    guardian = Guardian(
        family=family,
        user_id=request_.user_id,
        relation=request_.relation,
        name=request_.guardian_name,
        is_primary=True,
    )
    try:
        with db.session.begin_nested():
            db.session.add_all([family, guardian])
            db.session.flush()
    except IntegrityError:
        raise Conflict("该家长的家庭信息刚刚发生变化，请重试", code="concurrent_update")
    return guardian


def _bind_student(student, family_id):
    """Link the child to the family with one conditional UPDATE: the first family wins."""
    bound = update_rows(
        sa.update(Student).where(Student.id == student.id, Student.family_id.is_(None)).values(family_id=family_id)
    )
    if not bound:
        current = db.session.scalar(sa.select(Student.family_id).where(Student.id == student.id).with_for_update())
        if current != family_id:
            raise ChildAlreadyBound("该孩子已绑定其他家庭，请驳回此申请；家长可请该家庭的监护人发送家庭邀请码")
    db.session.expire(student)
