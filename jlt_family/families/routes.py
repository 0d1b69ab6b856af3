"""Family, children, binding requests, family invites and care entrustments."""

from flask import current_app

from jlt_family.auth.context import current_actor
from jlt_family.core import ratelimit
from jlt_family.core.audit import audit_read
from jlt_family.core.errors import NotFound, PermissionDenied
from jlt_family.core.extensions import db
from jlt_family.core.idempotency import idempotent
from jlt_family.core.pagination import paginate, present_page
from jlt_family.core.routing import Blueprint
from jlt_family.core.schemas import PageArgsSchema, page_of
from jlt_family.families import bindings, entrustments, permissions, presenters, schemas, service
from jlt_family.families.models import BindingRequest, CareEntrustment, FamilyInvite
from jlt_family.families.permissions import ChildAccess
from jlt_family.organizations.models import SchoolClass
from jlt_family.organizations.students import Student

blp = Blueprint("families", __name__, url_prefix="/api/v1", description="家庭与子女 (families and children)")


def _get(model, object_id):
    obj = db.session.get(model, object_id)
    if obj is None:
        raise NotFound()
    return obj


# ---- family -----------------------------------------------------------------------------------------------------


@blp.route("/family", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.FamilySchema)
@blp.errors(404)
def get_family():
    """我的家庭: guardians (phones masked but mine), children with their flags, home address."""
    actor = current_actor()
    return presenters.family_view(service.family_of(actor), actor.user_id)


@blp.route("/family", methods=["PATCH"])
@blp.login_required
@blp.arguments(schemas.FamilyUpdateSchema)
@blp.response(200, schemas.FamilySchema)
@blp.errors(400, 404, 422)
def update_family(data):
    """修改家庭住址 (any guardian of the family)."""
    actor = current_actor()
    family = service.update_family(service.family_of(actor), home_address=data["home_address"])
    db.session.commit()
    return presenters.family_view(family, actor.user_id)


@blp.route("/family/guardians/me", methods=["DELETE"])
@blp.login_required
@blp.response(204)
@blp.errors(404, 409)
def leave_family():
    """退出家庭: refused (409 last_guardian) for the only guardian of a family with children."""
    actor = current_actor()
    service.family_of(actor)
    service.leave_family(actor.guardian)
    db.session.commit()


# ---- family invites ---------------------------------------------------------------------------------------------


@blp.route("/family/invites", methods=["POST"])
@blp.login_required
@idempotent
@blp.response(201, schemas.FamilyInviteSchema)
@blp.errors(400, 404, 409)
def create_invite():
    """生成家庭邀请码: a single-use code for another guardian, valid FAMILY_INVITE_TTL_HOURS."""
    actor = current_actor()
    family = service.family_of(actor)
    invite = service.create_family_invite(actor.guardian, current_app.config["FAMILY_INVITE_TTL_HOURS"])
    db.session.commit()
    return presenters.invite_view(invite, _guardian_names(family))


@blp.route("/family/invites", methods=["GET"])
@blp.login_required
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, page_of(schemas.FamilyInviteSchema))
@blp.errors(404, 422)
def list_invites(args):
    """有效的家庭邀请码 (unused, not revoked, not expired)."""
    family = service.family_of(current_actor())
    names = _guardian_names(family)
    result = paginate(service.open_invites(family.id), args["page"], args["page_size"])
    return present_page(result, lambda invite: presenters.invite_view(invite, names))


@blp.route("/family/invites/<id:invite_id>", methods=["DELETE"])
@blp.login_required
@blp.response(204)
@blp.errors(404, 409)
def revoke_invite(invite_id):
    """撤销家庭邀请码."""
    family = service.family_of(current_actor())
    invite = _get(FamilyInvite, invite_id)
    if invite.family_id != family.id:
        raise NotFound()
    service.revoke_family_invite(invite)
    db.session.commit()


@blp.route("/family/invites/redeem", methods=["POST"])
@blp.login_required
@ratelimit.per_user("family_invite_redeem", "FAMILY_GUESS_ATTEMPTS_PER_HOUR", 3600)
@idempotent
@blp.arguments(schemas.FamilyInviteRedeemSchema)
@blp.response(201, schemas.FamilySchema)
@blp.errors(400, 404, 409, 422, 429)
def redeem_invite(data):
    """使用家庭邀请码加入家庭 (for a user who is not yet a guardian of any family)."""
    actor = current_actor()
    guardian = service.redeem_family_invite(actor, code=data["code"], relation=data["relation"], name=data["name"])
    db.session.commit()
    return presenters.family_view(guardian.family, actor.user_id)


def _guardian_names(family):
    return {guardian.user_id: guardian.name for guardian in family.guardians}


# ---- binding requests -------------------------------------------------------------------------------------------


@blp.route("/binding-requests", methods=["POST"])
@blp.login_required
@ratelimit.per_user("binding_request", "FAMILY_GUESS_ATTEMPTS_PER_HOUR", 3600)
@idempotent
@blp.arguments(schemas.BindingRequestCreateSchema)
@blp.response(201, schemas.BindingRequestSchema)
@blp.errors(400, 404, 409, 422, 429)
def create_binding_request(data):
    """申请绑定孩子: class invite code + the child's name and student number as on the roster."""
    request_ = bindings.create_binding_request(
        current_actor(),
        invite_code=data["invite_code"],
        student_name=data["student_name"],
        student_no=data["student_no"],
        relation=data["relation"],
        guardian_name=data["guardian_name"],
    )
    db.session.commit()
    return presenters.binding_request_view(request_)


@blp.route("/binding-requests", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.BindingRequestQuerySchema, location="query")
@blp.response(200, page_of(schemas.BindingRequestSchema))
@blp.errors(422)
def list_my_binding_requests(args):
    """我的绑定申请, newest first."""
    stmt = bindings.my_binding_requests(current_actor().user_id, args.get("status"))
    return present_page(paginate(stmt, args["page"], args["page_size"]), presenters.binding_request_view)


@blp.route("/binding-requests/<id:request_id>", methods=["DELETE"])
@blp.login_required
@blp.response(200, schemas.BindingRequestSchema)
@blp.errors(404, 409)
def cancel_binding_request(request_id):
    """撤回我的绑定申请 (while pending)."""
    actor = current_actor()
    request_ = _get(BindingRequest, request_id)
    if request_.user_id != actor.user_id:
        raise NotFound()
    bindings.cancel_binding_request(request_, actor.user_id)
    db.session.commit()
    return presenters.binding_request_view(request_)


@blp.route("/classes/<id:class_id>/binding-requests", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.BindingRequestQuerySchema, location="query")
@blp.response(200, page_of(schemas.BindingRequestSchema))
@blp.errors(404, 422)
def list_class_binding_requests(args, class_id):
    """班级的绑定申请 (班主任 of the class or a school admin); ?status=pending for the ones to decide."""
    school_class = _get(SchoolClass, class_id)
    if not permissions.leads_class(current_actor(), school_class):
        raise NotFound()
    stmt = bindings.class_binding_requests(class_id, args.get("status"))
    result = paginate(stmt, args["page"], args["page_size"])
    return present_page(result, lambda request_: presenters.binding_request_view(request_, for_staff=True))


def _decidable_request(request_id):
    """A request the caller may decide; the requester gets 403 (even a teacher of the class: another leader of
    the class decides, so nobody binds a child to themselves), anyone else 404."""
    actor = current_actor()
    request_ = _get(BindingRequest, request_id)
    if request_.user_id == actor.user_id:
        raise PermissionDenied("不能审核自己的绑定申请，请由班主任或学校管理员审核", code="own_request")
    if permissions.leads_class(actor, request_.school_class):
        return actor, request_
    raise NotFound()


@blp.route("/binding-requests/<id:request_id>/approve", methods=["POST"])
@blp.login_required
@blp.response(200, schemas.BindingRequestSchema)
@blp.errors(403, 404, 409)
def approve_binding_request(request_id):
    """同意绑定: the child joins the requester's family (created if they have none)."""
    actor, request_ = _decidable_request(request_id)
    bindings.approve_binding_request(request_, actor.user_id)
    db.session.commit()
    return presenters.binding_request_view(request_, for_staff=True)


@blp.route("/binding-requests/<id:request_id>/reject", methods=["POST"])
@blp.login_required
@blp.arguments(schemas.BindingRejectSchema)
@blp.response(200, schemas.BindingRequestSchema)
@blp.errors(400, 403, 404, 409, 422)
def reject_binding_request(data, request_id):
    """驳回绑定申请, with a reason the parent sees."""
    actor, request_ = _decidable_request(request_id)
    bindings.reject_binding_request(request_, actor.user_id, data["reason"])
    db.session.commit()
    return presenters.binding_request_view(request_, for_staff=True)


# ---- children ---------------------------------------------------------------------------------------------------


def _child_in_scope(student_id):
    """The child and the caller's access to it; 404 when the child is out of the caller's scope."""
    actor = current_actor()
    student = _get(Student, student_id)
    access = permissions.child_access(actor, student)
    if access is None:
        raise NotFound()
    return actor, student, access


def _refuse(access):
    """The caller sees the child (403) or does not (404) but may not do this."""
    if access is None:
        raise NotFound()
    raise PermissionDenied()


@blp.route("/children/<id:student_id>", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.ChildDetailSchema)
@blp.errors(404)
def get_child(student_id):
    """孩子详情, as much as the caller may see (staff reads of sensitive data are audit-logged)."""
    actor, student, access = _child_in_scope(student_id)
    if access == ChildAccess.LEADER:
        audit_read(actor, "read_student_sensitive", "student", student.id, 1, school_id=student.school_id)
    return presenters.child_view(student, access, actor.user_id)


@blp.route("/children/<id:student_id>/flags", methods=["PATCH"])
@blp.login_required
@blp.arguments(schemas.ChildFlagsUpdateSchema)
@blp.response(200, schemas.ChildFlagsSchema)
@blp.errors(400, 403, 404, 422)
def update_child_flags(data, student_id):
    """修改留守/流动/困境/残疾标记 (班主任 or school admin; audit-logged with old and new values)."""
    actor, student, access = _child_in_scope(student_id)
    if not permissions.leads_student(actor, student):
        _refuse(access)
    service.update_child_flags(actor, student, data)
    db.session.commit()
    return presenters.flags_view(student)


# ---- care entrustment (委托照护) ---------------------------------------------------------------------------------


def _guardian_of_child(student_id):
    """The caller and the child, if the caller is one of the child's guardians (else 404 or 403)."""
    actor, student, access = _child_in_scope(student_id)
    if access != ChildAccess.GUARDIAN:
        _refuse(access)
    return actor, student


@blp.route("/children/<id:student_id>/care-entrustments", methods=["POST"])
@blp.login_required
@idempotent
@blp.arguments(schemas.CareEntrustmentCreateSchema)
@blp.response(201, schemas.CareEntrustmentSchema)
@blp.errors(400, 403, 404, 409, 422)
def file_care_entrustment(data, student_id):
    """提交委托照护信息 (a guardian of the child): caretaker, relation, phone and period."""
    actor, student = _guardian_of_child(student_id)
    entrustment = entrustments.file_care_entrustment(
        actor,
        student,
        caretaker_name=data["caretaker_name"],
        caretaker_relation=data["caretaker_relation"],
        caretaker_phone=data["caretaker_phone"],
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        note=data["note"],
    )
    db.session.commit()
    return presenters.entrustment_view(entrustment, reveal_phone=True)


@blp.route("/children/<id:student_id>/care-entrustments", methods=["GET"])
@blp.login_required
@blp.arguments(schemas.CareEntrustmentQuerySchema, location="query")
@blp.response(200, page_of(schemas.CareEntrustmentSchema))
@blp.errors(403, 404, 422)
def list_care_entrustments(args, student_id):
    """孩子的委托照护记录 (guardians; 班主任 and school admins, audit-logged)."""
    actor, student, access = _child_in_scope(student_id)
    if access not in (ChildAccess.GUARDIAN, ChildAccess.LEADER):
        _refuse(access)
    result = paginate(
        entrustments.care_entrustments_of(student.id, args.get("status")), args["page"], args["page_size"]
    )
    if access == ChildAccess.LEADER:
        audit_read(
            actor, "read_care_entrustments", "student", student.id, result, school_id=student.school_id, query=args
        )
    return present_page(result, lambda entrustment: presenters.entrustment_view(entrustment, reveal_phone=True))


def _entrustment_in_scope(entrustment_id):
    entrustment = _get(CareEntrustment, entrustment_id)
    actor, student, access = _child_in_scope(entrustment.student_id)
    return actor, entrustment, student, access


@blp.route("/care-entrustments/<id:entrustment_id>/acknowledge", methods=["POST"])
@blp.login_required
@blp.response(200, schemas.CareEntrustmentSchema)
@blp.errors(403, 404, 409)
def acknowledge_care_entrustment(entrustment_id):
    """确认收到委托照护信息 (班主任 or school admin)."""
    actor, entrustment, student, access = _entrustment_in_scope(entrustment_id)
    if not permissions.leads_student(actor, student):
        _refuse(access)
    entrustments.acknowledge_care_entrustment(actor, entrustment)
    db.session.commit()
    return presenters.entrustment_view(entrustment, reveal_phone=True)


@blp.route("/care-entrustments/<id:entrustment_id>/withdraw", methods=["POST"])
@blp.login_required
@blp.response(200, schemas.CareEntrustmentSchema)
@blp.errors(403, 404, 409)
def withdraw_care_entrustment(entrustment_id):
    """撤回委托照护信息 (a guardian of the child)."""
    actor, entrustment, student, access = _entrustment_in_scope(entrustment_id)
    if access != ChildAccess.GUARDIAN:
        _refuse(access)
    entrustments.withdraw_care_entrustment(entrustment, actor.user_id)
    db.session.commit()
    return presenters.entrustment_view(entrustment, reveal_phone=True)
