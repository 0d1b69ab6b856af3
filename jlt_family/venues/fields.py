"""Fields of the venue schemas: a code's Chinese label, and what a booking shows to whom."""

from __future__ import annotations

from typing import Any

from marshmallow import fields

from jlt_family.core.masking import mask_name
from jlt_family.organizations.grades import grade_label
from jlt_family.venues.models import BookingStatus

CODE_SHOWN = (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN)  # the booker sees the code from confirmation on


def enum_field(enum_cls: type, description: str, **kwargs: Any) -> fields.Enum:
    """An enum given by its value, with its values described in the spec."""
    return fields.Enum(enum_cls, by_value=True, metadata={"description": description}, **kwargs)


class BookerCode(fields.String):
    """The booking code (or its QR payload) as the booker sees it: once confirmed or checked in, else None."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return super()._serialize(value, attr, obj, **kwargs) if obj.status in CODE_SHOWN else None


class PartyNames(fields.List):
    """The party's names masked (张*明): the children's, then the contact's (``attribute="children"``)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> list[str | None]:
        names = [mask_name(child.student.name) for child in value]
        if obj.contact_name:
            names.append(mask_name(obj.contact_name))
        return names


class GroupName(fields.String):
    """A class group as staff see it: school, grade and class (``attribute="school_class"``; None for a family)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else f"{value.school.name} {grade_label(value.grade)} {value.name}"


class InForce(fields.Boolean):
    """Whether a green-channel suspension is in force now."""

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = None) -> bool:
        return obj.is_in_force()
