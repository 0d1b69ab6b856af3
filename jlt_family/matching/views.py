"""What each caller sees of needs and matches: the small objects the output schemas dump.

The school side and the administrators see the whole need with its match, the bookings' status (and their code
once confirmed, for the door) and the draft course. The matched unit's staff see the need and their own bookings
as venue staff see any booking (group, party size, code), nothing of the proposals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from jlt_family.matching.models import TOPIC_OFFERING_KINDS, TOPIC_UNIT_KINDS, Need, NeedMatch, NeedTopic
from jlt_family.organizations.grades import grade_label
from jlt_family.organizations.models import RESOURCE_UNIT_KIND_LABELS
from jlt_family.venues.models import OFFERING_KIND_LABELS, Booking, BookingStatus

_CODE_SHOWN = (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN)


class _Wrapper:
    """Attributes the view does not define are read from the wrapped model object."""

    _wrapped: str

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(getattr(self, self._wrapped), name)


@dataclass(frozen=True)
class KindLabel:
    kind: str
    label: str


@dataclass(frozen=True)
class TopicView:
    """需求主题 with the unit and offering kinds it is matched with."""

    topic: NeedTopic
    unit_kinds: list[KindLabel]
    offering_kinds: list[KindLabel]


def topics() -> list[TopicView]:
    return [
        TopicView(
            topic,
            [KindLabel(k.value, RESOURCE_UNIT_KIND_LABELS[k]) for k in TOPIC_UNIT_KINDS[topic]],
            [KindLabel(k.value, OFFERING_KIND_LABELS[k]) for k in TOPIC_OFFERING_KINDS[topic]],
        )
        for topic in NeedTopic
    ]


@dataclass
class BookingLine(_Wrapper):
    """A group booking of a match; its code only for the venue's staff or once confirmed."""

    booking: Booking
    staff_view: bool
    _wrapped = "booking"

    @property
    def group(self) -> str:
        school_class = self.booking.school_class
        assert school_class is not None  # a match books for a class
        return f"{school_class.school.name} {grade_label(school_class.grade)} {school_class.name}"

    @property
    def code(self) -> str | None:
        booking = self.booking
        return booking.code if self.staff_view or booking.status in _CODE_SHOWN else None


@dataclass
class MatchView(_Wrapper):
    match: NeedMatch
    staff_view: bool
    _wrapped = "match"

    @property
    def accepted_by(self) -> str:
        return self.match.accepted_by.nickname if self.match.accepted_by else ""

    @property
    def reasons(self) -> list[str]:
        return list(self.match.reasons or [])

    @property
    def limits(self) -> list[str]:
        return list(self.match.limits or [])

    @property
    def bookings(self) -> list[BookingLine]:
        return [BookingLine(link.booking, self.staff_view) for link in self.match.bookings]

    @property
    def feedback(self) -> NeedMatch | None:
        """The school's rating (rating, comment, rated_at), once given."""
        return self.match if self.match.rating is not None else None


@dataclass
class NeedView(_Wrapper):
    """A need with its standing match (or, once closed, the rated one).

    ``unit_ids``: the caller sees the need as staff of these units only: the latest match with one of them (a need
    matched again elsewhere keeps showing them their own, never the other unit's bookings).
    """

    need: Need
    staff_view: bool = False
    unit_ids: Iterable[int] | None = None
    _wrapped = "need"

    @property
    def grades_label(self) -> str:
        low, high = self.need.grade_min, self.need.grade_max
        return grade_label(low) if low == high else f"{grade_label(low)}至{grade_label(high)}"

    @property
    def posted_by(self) -> str:
        return self.need.posted_by.nickname if self.need.posted_by else ""

    @property
    def match(self) -> MatchView | None:
        need = self.need
        if self.unit_ids is not None:
            ids = set(self.unit_ids)
            standing = next((m for m in reversed(need.matches) if m.resource_unit_id in ids), None)
        else:
            standing = need.match or next((m for m in reversed(need.matches) if m.rating is not None), None)
        return MatchView(standing, self.staff_view) if standing is not None else None
