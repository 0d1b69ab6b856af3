"""Rules of families: binding children, family invites, leaving a family, the sensitive flags and care entrustment.

Services never commit (the route does) and never read the request. State changes that two requests could race
for are single conditional UPDATEs whose row count decides (a binding request is decided once, a child is bound
to one family, an invite is used once); a refusal re-reads the row with a locking read, which sees the latest
committed state even under MariaDB's REPEATABLE READ snapshot.
"""

import datetime as dt
import re

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from jlt_family.core.audit import audit
from jlt_family.core.codes import FAMILY_CODE_LENGTH, new_code, normalise_code
from jlt_family.core.errors import Conflict, NotFound
from jlt_family.core.extensions import db
from jlt_family.core.sql import update_rows
from jlt_family.core.timeutil import utcnow
from jlt_family.families.events import guardian_leaving
from jlt_family.families.models import (
    DEPARTED_GUARDIAN_NAME,
    BindingRequest,
    BindingStatus,
    CareEntrustment,
    EntrustmentStatus,
    Family,
    FamilyInvite,
    Guardian,
)
from jlt_family.families.schemas import FLAG_NAMES
from jlt_family.organizations.models import SchoolClass
from jlt_family.organizations.students import Student


class FamilyNotFound(NotFound):
    code = "family_not_found"
    message = "您还没有加入家庭，请先绑定孩子或使用家庭邀请码"


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


class AlreadyInFamily(Conflict):
    code = "already_in_family"
    message = "您已是一个家庭的监护人，不能再加入其他家庭"


# ---- family -----------------------------------------------------------------------------------------------------


def family_of(actor):
    """The caller's family, or 404 ``family_not_found``."""
    if actor.guardian is None:
        raise FamilyNotFound()
    return actor.guardian.family


def update_family(family, *, home_address):
    family.home_address = home_address
    return family


def leave_family(guardian, now=None):
    """退出家庭: refused (409) for the last guardian of a family that has children.

    The family row is locked first, so two guardians leaving at once cannot both pass the check. The guardian
    row stays for the history that points at it (enrolments, attendance, feedback), pseudonymised and unlinked
    from the user and the family (see ``Guardian``); what the user did (bookings, visit replies, consents,
    inbox) stays theirs. Places held in course sessions not yet started are given back (``guardian_leaving``).
    """
    now = now or utcnow()
    family_id = guardian.family_id
    db.session.scalar(sa.select(Family.id).where(Family.id == family_id).with_for_update())
    others = db.session.scalars(
        sa.select(Guardian)
        .where(Guardian.family_id == family_id, Guardian.id != guardian.id)
        .order_by(Guardian.id)
        .with_for_update()
    ).all()
    has_children = (
        db.session.scalar(sa.select(Student.id).where(Student.family_id == family_id).limit(1).with_for_update())
        is not None
    )
    if not others and has_children:
        raise Conflict("您是孩子唯一的监护人，请先邀请其他监护人加入家庭后再退出", code="last_guardian")
    user_id, was_primary = guardian.user_id, guardian.is_primary
    guardian_leaving.send(guardian, guardian_id=guardian.id, user_id=user_id, family_id=family_id, now=now)
    guardian.family = None
    guardian.user = None
    guardian.left_family_id = family_id
    guardian.left_at = now
    guardian.name = DEPARTED_GUARDIAN_NAME
    guardian.is_primary = False
    db.session.flush()
    if others and was_primary:
        others[0].is_primary = True
    if not others:
        _revoke_open_invites(family_id)


def _revoke_open_invites(family_id):
    update_rows(
        sa.update(FamilyInvite)
        .where(
            FamilyInvite.family_id == family_id, FamilyInvite.used_by_id.is_(None), FamilyInvite.revoked_at.is_(None)
        )
        .values(revoked_at=utcnow())
    )


# ---- binding requests -------------------------------------------------------------------------------------------


def _normalise_name(name):
    return re.sub(r"\s+", "", name)


def find_rostered_student(invite_code, student_name, student_no):
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


def create_binding_request(actor, *, invite_code, student_name, student_no, relation, guardian_name):
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
    return request_


def my_binding_requests(user_id, status=None):
    stmt = sa.select(BindingRequest).where(BindingRequest.user_id == user_id)
    return _newest_first(stmt, status)


def class_binding_requests(class_id, status=None):
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


def _decide(request_, status, decider_id, reason=""):
    """Move a pending request to ``status``: exactly one of racing decisions wins, the others get 409."""
    decided = update_rows(
        sa.update(BindingRequest)
        .where(BindingRequest.id == request_.id, BindingRequest.status == BindingStatus.PENDING)
        .values(status=status, active_key=None, decided_at=utcnow(), decided_by_id=decider_id, reason=reason)
    )
    if not decided:
        raise AlreadyDecided()
    db.session.expire(request_)


def cancel_binding_request(request_, user_id):
    """撤回申请 while it is pending."""
    _decide(request_, BindingStatus.CANCELLED, user_id)
    return request_


def reject_binding_request(request_, decider_id, reason):
    _decide(request_, BindingStatus.REJECTED, decider_id, reason)
    return request_


def approve_binding_request(request_, decider_id):
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


# ---- family invites ---------------------------------------------------------------------------------------------

MAX_OPEN_INVITES = 10


def open_invites(family_id, now=None):
    now = now or utcnow()
    return (
        sa.select(FamilyInvite)
        .where(
            FamilyInvite.family_id == family_id,
            FamilyInvite.used_by_id.is_(None),
            FamilyInvite.revoked_at.is_(None),
            FamilyInvite.expires_at > now,
        )
        .order_by(FamilyInvite.created_at.desc(), FamilyInvite.id.desc())
    )


def create_family_invite(guardian, ttl_hours):
    """家庭邀请码: a short random single-use code that lets a second guardian join."""
    now = utcnow()
    # The family row is locked first, so two requests at once cannot both pass the cap.
    db.session.execute(sa.select(Family.id).where(Family.id == guardian.family_id).with_for_update())
    count = db.session.scalar(sa.select(sa.func.count()).select_from(open_invites(guardian.family_id, now).subquery()))
    if count >= MAX_OPEN_INVITES:
        raise Conflict(f"有效邀请码已达 {MAX_OPEN_INVITES} 个，请先撤销不用的邀请码", code="too_many_invites")
    for _ in range(3):
        invite = FamilyInvite(
            code=new_code(FAMILY_CODE_LENGTH),
            family_id=guardian.family_id,
            created_by_id=guardian.user_id,
            created_at=now,
            expires_at=now + dt.timedelta(hours=ttl_hours),
        )
        try:
            with db.session.begin_nested():
                db.session.add(invite)
                db.session.flush()
            return invite
        except IntegrityError:
            continue
    raise Conflict("生成邀请码失败，请重试", code="invite_code_collision")


def _invite_refusal(invite, now):
    """Why an invite cannot be used (or revoked), as a stable error; None while it is open."""
    if invite.revoked_at is not None:
        return Conflict("该邀请码已被撤销", code="invite_revoked")
    if invite.used_by_id is not None:
        return Conflict("该邀请码已被使用", code="invite_used")
    if invite.expires_at <= now:
        return Conflict("该邀请码已过期，请让家人重新生成", code="invite_expired")
    return None


def _reread_invite(invite):
    """The invite as last committed (a locking read), for the reason of a refusal."""
    return db.session.scalars(
        sa.select(FamilyInvite)
        .where(FamilyInvite.id == invite.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def revoke_family_invite(invite):
    """撤销邀请码 while unused."""
    revoked = update_rows(
        sa.update(FamilyInvite)
        .where(FamilyInvite.id == invite.id, FamilyInvite.used_by_id.is_(None), FamilyInvite.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    if not revoked:
        raise _invite_refusal(_reread_invite(invite), utcnow()) or Conflict(code="invite_not_open")


def redeem_family_invite(actor, *, code, relation, name):
    """使用家庭邀请码: the caller (not yet a guardian) joins the inviting family; each code works once."""
    if actor.guardian is not None:
        raise AlreadyInFamily()
    now = utcnow()
    invite = db.session.scalar(sa.select(FamilyInvite).where(FamilyInvite.code == normalise_code(code)))
    if invite is None:
        raise NotFound("邀请码无效，请核对后重试", code="invite_not_found")
    refusal = _invite_refusal(invite, now)
    if refusal is not None:
        raise refusal
    claimed = update_rows(
        sa.update(FamilyInvite)
        .where(
            FamilyInvite.id == invite.id,
            FamilyInvite.used_by_id.is_(None),
            FamilyInvite.revoked_at.is_(None),
            FamilyInvite.expires_at > now,
        )
        .values(used_by_id=actor.user_id, used_at=now)
    )
    if not claimed:
        raise _invite_refusal(_reread_invite(invite), now) or Conflict("该邀请码已被使用", code="invite_used")
    guardian = Guardian(family_id=invite.family_id, user_id=actor.user_id, relation=relation, name=name)
    try:
        with db.session.begin_nested():
            db.session.add(guardian)
            db.session.flush()
    except IntegrityError:
        raise AlreadyInFamily()
    return guardian


# ---- children: sensitive reads and flags ------------------------------------------------------------------------


def update_child_flags(actor, student, changes):
    """Set the sensitive flags; the audit log keeps the old and the new values."""
    old = {name: getattr(student, name) for name in FLAG_NAMES}
    for name, value in changes.items():
        setattr(student, name, value)
    new = {name: getattr(student, name) for name in FLAG_NAMES}
    audit(actor, "update_student_flags", "student", student.id, school_id=student.school_id, old=old, new=new)
    return student


# ---- care entrustment (委托照护, 002 §7) -------------------------------------------------------------------------


def file_care_entrustment(actor, student, data):
    """A guardian tells the school in writing who cares for the child, and for when."""
    entrustment = CareEntrustment(student_id=student.id, filed_by_id=actor.user_id, **data)
    db.session.add(entrustment)
    db.session.flush()
    return entrustment


def care_entrustments_of(student_id, status=None):
    stmt = sa.select(CareEntrustment).where(CareEntrustment.student_id == student_id)
    if status is not None:
        stmt = stmt.where(CareEntrustment.status == status)
    return stmt.order_by(CareEntrustment.created_at.desc(), CareEntrustment.id.desc())


def _entrustment_refusal(entrustment):
    entrustment = db.session.scalars(
        sa.select(CareEntrustment)
        .where(CareEntrustment.id == entrustment.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if entrustment.status == EntrustmentStatus.WITHDRAWN:
        return Conflict("家长已撤回该委托照护信息", code="entrustment_withdrawn")
    return Conflict("该委托照护信息已确认", code="already_acknowledged")


def acknowledge_care_entrustment(actor, entrustment):
    """班主任 / 学校领导 confirm they have received the care arrangement."""
    now = utcnow()
    done = update_rows(
        sa.update(CareEntrustment)
        .where(CareEntrustment.id == entrustment.id, CareEntrustment.status == EntrustmentStatus.SUBMITTED)
        .values(status=EntrustmentStatus.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by_id=actor.user_id)
    )
    if not done:
        raise _entrustment_refusal(entrustment)
    db.session.expire(entrustment)
    audit(
        actor,
        "acknowledge_care_entrustment",
        "care_entrustment",
        entrustment.id,
        school_id=entrustment.student.school_id,
        student_id=entrustment.student_id,
    )
    return entrustment


def withdraw_care_entrustment(entrustment):
    """A guardian withdraws the arrangement (ended or filed by mistake)."""
    done = update_rows(
        sa.update(CareEntrustment)
        .where(CareEntrustment.id == entrustment.id, CareEntrustment.status != EntrustmentStatus.WITHDRAWN)
        .values(status=EntrustmentStatus.WITHDRAWN)
    )
    if not done:
        raise Conflict("该委托照护信息已撤回", code="already_withdrawn")
    db.session.expire(entrustment)
    return entrustment
