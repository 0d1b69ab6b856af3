"""调班: a school admin moves a student to another class of the same school; the class history comes back."""

from marshmallow import Schema, fields

from jlt_family.auth.context import current_actor
from jlt_family.core.audit import audit
from jlt_family.core.errors import NotFound
from jlt_family.core.extensions import db
from jlt_family.core.schemas import Id
from jlt_family.families.permissions import child_access, is_school_admin_of
from jlt_family.organizations import permissions, placements
from jlt_family.organizations.routes import blp
from jlt_family.organizations.students import Student


class StudentMoveSchema(Schema):
    class_id = Id(required=True, metadata={"description": "本校的目标班级"})


class PlacementSchema(Schema):
    class_id = fields.Integer()
    class_name = fields.String()
    school_year = fields.Integer()
    from_date = fields.Date()
    to_date = fields.Date(allow_none=True, metadata={"description": "不含当天；空表示仍在该班"})


class StudentPlacementsSchema(Schema):
    student_id = fields.Integer()
    class_id = fields.Integer(allow_none=True)
    placements = fields.List(fields.Nested(PlacementSchema))


def _out(student):
    return {
        "student_id": student.id,
        "class_id": student.class_id,
        "placements": [
            {
                "class_id": p.class_id,
                "class_name": p.school_class.name,
                "school_year": p.school_class.school_year,
                "from_date": p.from_date,
                "to_date": p.to_date,
            }
            for p in placements.history_of(student.id)
        ],
    }


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
    student = db.session.get(Student, student_id)
    if student is None or child_access(actor, student) is None:
        raise NotFound("未找到该学生", code="student_not_found")
    permissions.require(is_school_admin_of(actor, student.school_id), "只有学校管理员可以调班", "not_school_admin")
    old_class_id = placements.move_student(student, data["class_id"])
    audit(
        actor,
        "move_student_class",
        "student",
        student.id,
        school_id=student.school_id,
        from_class_id=old_class_id,
        to_class_id=student.class_id,
    )
    db.session.commit()
    return _out(student)
