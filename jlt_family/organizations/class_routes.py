"""Classes (班级): teachers, invite codes, the class list, and the roster import. Views registered on ``blp``."""

from jlt_family.auth.context import current_actor
from jlt_family.core.extensions import db
from jlt_family.core.idempotency import idempotent
from jlt_family.core.pagination import paginate
from jlt_family.core.schemas import PageArgsSchema, page_of
from jlt_family.organizations import class_schemas, classes, permissions, roster, views
from jlt_family.organizations.blueprint import blp

_ONLY_SCHOOL_ADMIN = "只有学校管理员可以执行此操作"

# The description of POST /schools/{id}/roster-import in the API documentation.
ROSTER_IMPORT_DOC = """\
Header row, any order: required 学年 (2026 or 2026-2027), 年级 (一年级…九年级, 初一…高三, 小班/中班/大班, 1–12),
班级, 学号, 姓名; optional 性别 (男/女), 出生日期 (2019-03-05), 留守儿童, 流动儿童, 困境儿童, 残疾儿童 (是/否,
1/0; a missing column leaves the flag unchanged). CSV in UTF-8 (with or without BOM) or GBK. Missing classes are
created with an invite code. A 学号 already in the school updates that student and moves them to the row's
class (refused for a bound student under another name). Bad rows answer 422 ``roster_invalid`` with
``errors.rows`` = [{row, column, reason}]. ``dry_run=true`` validates and counts without writing.
At most 5000 rows and 2 MB (413 ``roster_file_too_large``)."""


@blp.route("/schools/<id:school_id>/classes", methods=["GET"])
@blp.login_required
@blp.arguments(class_schemas.ClassArgsSchema, location="query")
@blp.response(200, page_of(class_schemas.ClassSchema))
@blp.errors(404, 422)
def list_classes(args, school_id):
    """班级列表 of a school: every class for its admins and those above; a teacher sees the classes they teach."""
    actor = current_actor()
    school = permissions.school_staff_area_or_404(actor, school_id)
    stmt = classes.school_classes(actor, school, school_year=args.get("school_year"), grade=args.get("grade"))
    page = paginate(stmt, args["page"], args["page_size"])
    return {**page, "items": views.class_views(page["items"], actor)}


@blp.route("/classes/<id:class_id>", methods=["GET"])
@blp.login_required
@blp.response(200, class_schemas.ClassSchema)
@blp.errors(404)
def get_class(class_id):
    """班级详情: its teachers, school admins and administrators above; the invite code only for 班主任/学校管理员."""
    actor = current_actor()
    return views.class_view(permissions.class_or_404(actor, class_id), actor)


@blp.route("/classes/<id:class_id>/invite-code", methods=["POST"])
@blp.login_required
@blp.response(200, class_schemas.ClassSchema)
@blp.errors(403, 404)
def regenerate_invite_code(class_id):
    """重新生成班级邀请码 (班主任 or school admin): the old code stops working."""
    actor = current_actor()
    school_class = permissions.class_or_404(actor, class_id)
    permissions.require(permissions.sees_invite_code(actor, school_class), "只有班主任或学校管理员可以更换邀请码")
    classes.regenerate_invite_code(school_class)
    db.session.commit()
    return views.class_view(school_class, actor)


@blp.route("/classes/<id:class_id>/homeroom-teacher", methods=["PUT"])
@blp.login_required
@blp.arguments(class_schemas.HomeroomTeacherSchema)
@blp.response(200, class_schemas.ClassSchema)
@blp.errors(403, 404, 422)
def set_homeroom_teacher(data, class_id):
    """指定班主任 (school admin): an active teacher of the school, or null to clear."""
    actor = current_actor()
    school_class = permissions.class_or_404(actor, class_id)
    permissions.require(permissions.manages_class(actor, school_class), _ONLY_SCHOOL_ADMIN)
    classes.set_homeroom_teacher(school_class, user_id=data["user_id"])
    db.session.commit()
    return views.class_view(school_class, actor)


@blp.route("/classes/<id:class_id>/teachers", methods=["POST"])
@blp.login_required
@idempotent
@blp.arguments(class_schemas.ClassTeacherCreateSchema)
@blp.response(201, class_schemas.ClassSchema)
@blp.errors(403, 404, 409, 422)
def add_class_teacher(data, class_id):
    """添加科任教师 (school admin): an active teacher of the school."""
    actor = current_actor()
    school_class = permissions.class_or_404(actor, class_id)
    permissions.require(permissions.manages_class(actor, school_class), _ONLY_SCHOOL_ADMIN)
    classes.add_subject_teacher(school_class, user_id=data["user_id"], subject=data["subject"])
    db.session.commit()
    return views.class_view(school_class, actor)


@blp.route("/classes/<id:class_id>/teachers/<id:user_id>", methods=["DELETE"])
@blp.login_required
@blp.response(204)
@blp.errors(403, 404)
def remove_class_teacher(class_id, user_id):
    """移除科任教师 (school admin)."""
    actor = current_actor()
    school_class = permissions.class_or_404(actor, class_id)
    permissions.require(permissions.manages_class(actor, school_class), _ONLY_SCHOOL_ADMIN)
    classes.remove_subject_teacher(school_class, user_id)
    db.session.commit()


@blp.route("/classes/<id:class_id>/students", methods=["GET"])
@blp.login_required
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, page_of(class_schemas.RosterEntrySchema))
@blp.errors(403, 404, 422)
def list_class_students(args, class_id):
    """班级花名册 (teachers of the class, school admins); sensitive flags only for 班主任/学校管理员, audit-logged."""
    actor = current_actor()
    school_class = permissions.class_or_404(actor, class_id)
    permissions.require(permissions.can_read_roster(actor, school_class), "只有本班教师和学校管理员可以查看花名册")
    page = classes.read_class_roster(actor, school_class, page=args["page"], page_size=args["page_size"])
    shows_flags = permissions.sees_sensitive_flags(actor, school_class)
    return {**page, "items": views.roster_entries(page["items"], shows_flags=shows_flags)}


@blp.route("/schools/<id:school_id>/roster-import", methods=["POST"])
@blp.login_required
@blp.arguments(class_schemas.RosterImportFormSchema, location="multipart")
@blp.response(200, class_schemas.RosterImportResultSchema)
@blp.errors(403, 404, 413, 422)
@blp.doc(description=ROSTER_IMPORT_DOC)
def import_roster(form, school_id):
    """导入花名册 (school admin): CSV or XLSX; every row valid or nothing written."""
    actor = current_actor()
    school = permissions.school_staff_area_or_404(actor, school_id)
    permissions.require(school.id in actor.admin_school_ids, "只有学校管理员可以导入花名册")
    summary = roster.import_upload(school, form["file"].stream, actor=actor, dry_run=form["dry_run"])
    db.session.commit()
    return summary
