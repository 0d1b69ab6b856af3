"""调班: a school admin moves a student to another class of the same school; the class history comes back."""

from marshmallow import Schema, fields

from jlt_family.auth.context import Actor, current_actor
from jlt_family.core.errors import NotFound
from jlt_family.core.extensions import db
from jlt_family.core.schemas import Id
from jlt_family.families.permissions import child_access, is_school_admin_of
from jlt_family.organizations import permissions, placements
from jlt_family.organizations.blueprint import blp
from jlt_family.organizations.students import Student


class StudentMoveSchema(Schema):
    class_id = Id(required=True, metadata={"description": "本校的目标班级"})


class PlacementSchema(Schema):
    """分班记录 (a ``StudentClassPlacement``)."""

    class_id = fields.Integer()
    class_name = fields.String(attribute="school_class.name")
    school_year = fields.Integer(attribute="school_class.school_year")
    from_date = fields.Date()
    to_date = fields.Date(allow_none=True, metadata={"description": "不含当天；空表示仍在该班"})


class StudentPlacementsSchema(Schema):
    """A student's current class and class history (a ``PlacementHistory``)."""

    student_id = fields.Integer(attribute="student.id")
    class_id = fields.Integer(attribute="student.class_id", allow_none=True)
    placements = fields.List(fields.Nested(PlacementSchema))


def _student_or_404(actor: Actor, student_id: int) -> Student:
    """A student the caller may see (its guardians, teachers, school admins); 404 for everyone else."""
    student = db.session.get(Student, student_id)
    if student is None or child_access(actor, student) is None:
        raise NotFound("未找到该学生", code="student_not_found")
    return student


@blp.route("/students/<id:student_id>/move", methods=["POST"])
@blp.login_required
@blp.arguments(StudentMoveSchema)
@blp.response(200, StudentPlacementsSchema)
@blp.errors(403, 404, 409, 422)
def move_student(data, student_id):
    """调班 (school admin): move a student to another class of the same school from today on; the class history
    (分班记录) is kept, so reports count the student where they were. Those who see the child but are not its
    school's admin (its teachers, its guardians) get 403."""
    actor = current_actor()
    student = _student_or_404(actor, student_id)
    permissions.require(is_school_admin_of(actor, student.school_id), "只有学校管理员可以调班", "not_school_admin")
    placements.transfer_student(actor, student, class_id=data["class_id"])
    db.session.commit()
    return placements.PlacementHistory(student, placements.history_of(student.id))
