"""Students (学生): the children on a school's roster, in their current class."""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jlt_family.core.db_types import StrEnum, UTCDateTime, str_enum
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import utcnow


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"


class Student(db.Model):
    """学生 / 子女: a child on a school's roster (preschoolers included), in their current class.

    The flags left_behind (留守儿童), migrant (流动儿童), in_difficulty (困境儿童) and disabled (残疾儿童) are
    sensitive: only the child's guardians, homeroom teacher and school leaders see them.
    """

    __tablename__ = "student"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id"), index=True)
    class_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school_class.id"), index=True)
    family_id: Mapped[int | None] = mapped_column(sa.ForeignKey("family.id"), index=True)
    student_no: Mapped[str] = mapped_column(sa.String(32))
    name: Mapped[str] = mapped_column(sa.String(40))
    gender: Mapped[Gender | None] = mapped_column(str_enum(Gender))
    birth_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    left_behind: Mapped[bool] = mapped_column(default=False)
    migrant: Mapped[bool] = mapped_column(default=False)
    in_difficulty: Mapped[bool] = mapped_column(default=False)
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    school: Mapped["School"] = relationship()  # noqa: F821
    school_class: Mapped["SchoolClass | None"] = relationship()  # noqa: F821
    family: Mapped["Family | None"] = relationship(back_populates="children")  # noqa: F821

    __table_args__ = (sa.UniqueConstraint("school_id", "student_no"),)

    @property
    def is_flagged(self):
        return self.left_behind or self.migrant or self.in_difficulty or self.disabled
