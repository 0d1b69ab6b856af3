"""Schemas of classes (班级), their teachers, the class list and the roster import.

A class and a roster entry are dumped from their views (``organizations.views``): what they show depends on
the caller.
"""

from __future__ import annotations

from typing import Any

from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields
from werkzeug.datastructures import FileStorage

from jlt_family.core.schemas import Id, PageArgsSchema, SmallInt, text
from jlt_family.organizations.grades import grade_label
from jlt_family.organizations.schemas import Derived, UserBriefSchema

# Classes -----------------------------------------------------------------------------------------------------


class SubjectTeacherSchema(Schema):
    """科任教师 (a ``ClassTeacher``)."""

    user_id = fields.Integer()
    nickname = fields.String(attribute="user.nickname")
    subject = fields.String()


class ClassSchema(Schema):
    """班级 (a ``ClassView``): ``invite_code`` is present only for its 班主任 and the school's admins."""

    id = fields.Integer(attribute="school_class.id")
    school_id = fields.Integer(attribute="school_class.school_id")
    school_year = fields.Integer(
        attribute="school_class.school_year", metadata={"description": "学年开始的年份，2026 即 2026–2027学年"}
    )
    grade = fields.Integer(attribute="school_class.grade")
    grade_label = Derived(lambda view: grade_label(view.school_class.grade))
    name = fields.String(attribute="school_class.name")
    homeroom_teacher = fields.Nested(UserBriefSchema, attribute="school_class.homeroom_teacher", allow_none=True)
    subject_teachers = fields.List(fields.Nested(SubjectTeacherSchema))
    student_count = fields.Integer()
    invite_code = fields.String(metadata={"description": "班级邀请码（仅班主任和学校管理员可见）"})


class ClassArgsSchema(PageArgsSchema):
    school_year = SmallInt(min=2000, max=2100, strict=False)
    grade = SmallInt(min=-3, max=12, strict=False)


class HomeroomTeacherSchema(Schema):
    user_id = Id(required=True, allow_none=True, metadata={"description": "本校在岗教师的用户编号；null 取消班主任"})


class ClassTeacherCreateSchema(Schema):
    user_id = Id(required=True)
    subject = text(20, load_default="", metadata={"example": "数学"})


class StudentFlagsSchema(Schema):
    """敏感标记 (left-behind, migrant, in difficulty, disabled)."""

    left_behind = fields.Boolean()
    migrant = fields.Boolean()
    in_difficulty = fields.Boolean()
    disabled = fields.Boolean()


class RosterEntrySchema(Schema):
    """花名册条目 (a ``RosterEntryView``): ``flags`` only for the 班主任 and school admins (such reads are audited)."""

    id = fields.Integer(attribute="student.id")
    name = fields.String(attribute="student.name")
    student_no = fields.String(attribute="student.student_no")
    gender = fields.String(attribute="student.gender", allow_none=True, metadata={"enum": ["male", "female", None]})
    bound = fields.Boolean(metadata={"description": "是否已有家长绑定"})
    flags = fields.Nested(StudentFlagsSchema)


# Roster import -----------------------------------------------------------------------------------------------


class FileUpload(Upload):
    """An uploaded file (a multipart part with a filename), not a plain form value."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> FileStorage:
        if not isinstance(value, FileStorage):
            raise ValidationError("请以文件形式上传")
        return value


class RosterImportFormSchema(Schema):
    file = FileUpload(required=True, metadata={"description": "CSV（UTF-8/GBK）或 XLSX 花名册，列见接口说明"})
    dry_run = fields.Boolean(load_default=False, metadata={"description": "只校验不写入"})


class RosterImportResultSchema(Schema):
    dry_run = fields.Boolean()
    rows = fields.Integer()
    classes_created = fields.Integer()
    students_created = fields.Integer()
    students_updated = fields.Integer()
    students_unchanged = fields.Integer()
    ignored_columns = fields.List(fields.String(), metadata={"description": "未识别而被忽略的列"})
