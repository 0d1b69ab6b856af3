"""Rules of families: binding children, family invites, leaving a family, the sensitive flags and care entrustment.

Services never commit (the route does) and never read the request. State changes that two requests could race
for are single conditional UPDATEs whose row count decides (a binding request is decided once, a child is bound
to one family, an invite is used once); a refusal re-reads the row with a locking read, which sees the latest
committed state even under MariaDB's REPEATABLE READ snapshot.
"""

import datetime as dt
from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from jlt_family.auth.context import Actor
from jlt_family.core.audit import audit
from jlt_family.core.codes import FAMILY_CODE_LENGTH, new_code, normalise_code
from jlt_family.core.errors import Conflict, NotFound
from jlt_family.core.extensions import db
from jlt_family.core.sql import update_rows
from jlt_family.core.timeutil import utcnow
from jlt_family.families.events import guardian_leaving
from jlt_family.families.models import (
    DEPARTED_GUARDIAN_NAME,
    Family,
    FamilyInvite,
    Guardian,
    GuardianRelation,
)
from jlt_family.families.schemas import FLAG_NAMES
from jlt_family.organizations.students import Student


class FamilyNotFound(NotFound):
    code = "family_not_found"
    message = "您还没有加入家庭，请先绑定孩子或使用家庭邀请码"


class AlreadyInFamily(Conflict):
    code = "already_in_family"
    message = "您已是一个家庭的监护人，不能再加入其他家庭"


# ---- family -----------------------------------------------------------------------------------------------------


def family_of(actor: Actor) -> Family:
    """The caller's family, or 404 ``family_not_found``."""
    if actor.guardian is None:
        raise FamilyNotFound()
    return actor.guardian.family


def update_family(family: Family, *, home_address: str) -> Family:
    family.home_address = home_address
    return family


def leave_family(guardian: Guardian, now: dt.datetime | None = None) -> None:
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


# ---- family invites ---------------------------------------------------------------------------------------------

MAX_OPEN_INVITES = 10


def open_invites(family_id: int | None, now: dt.datetime | None = None) -> sa.Select:
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


def create_family_invite(guardian: Guardian, ttl_hours: int) -> FamilyInvite:
    """家庭邀请码: a short random single-use code that lets a second guardian join."""
    now = utcnow()
    # The family row is locked first, so two requests at once cannot both pass the cap.
    db.session.execute(sa.select(Family.id).where(Family.id == guardian.family_id).with_for_update())
    count = (
        db.session.scalar(sa.select(sa.func.count()).select_from(open_invites(guardian.family_id, now).subquery())) or 0
    )
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


def revoke_family_invite(invite: FamilyInvite) -> None:
    """撤销邀请码 while unused."""
    revoked = update_rows(
        sa.update(FamilyInvite)
        .where(FamilyInvite.id == invite.id, FamilyInvite.used_by_id.is_(None), FamilyInvite.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    if not revoked:
        raise _invite_refusal(_reread_invite(invite), utcnow()) or Conflict(code="invite_not_open")


def redeem_family_invite(actor: Actor, *, code: str, relation: GuardianRelation, name: str) -> Guardian:
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


def update_child_flags(actor: Actor, student: Student, changes: Mapping[str, bool]) -> Student:
    """Set the sensitive flags; the audit log keeps the old and the new values."""
    old = {name: getattr(student, name) for name in FLAG_NAMES}
    for name, value in changes.items():
        setattr(student, name, value)
    new = {name: getattr(student, name) for name in FLAG_NAMES}
    audit(actor, "update_student_flags", "student", student.id, school_id=student.school_id, old=old, new=new)
    return student
