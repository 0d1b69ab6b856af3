"""What one caller sees of an offering or a slot: the model object with the caller's green-channel eligibility.

The schemas dump these as they dump the models: every attribute a view does not define is the object's own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection
from typing import Any

from jlt_family.core.errors import RuleViolation
from jlt_family.core.timeutil import utcnow
from jlt_family.venues.models import Booking, Offering, Slot, SlotStatus
from jlt_family.venues.service import check_bookable


class OfferingView:
    """开放项目 as one caller sees it: green-eligible when the caller's family's alliances include one of the
    unit's (``green_alliances``; none for staff answers)."""

    def __init__(self, offering: Offering, green_alliances: Collection[int] = frozenset()) -> None:
        self.offering = offering
        self.green_alliances = frozenset(green_alliances)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.offering, name)

    @property
    def green_eligible(self) -> bool:
        return any(m.alliance_id in self.green_alliances for m in self.offering.resource_unit.memberships)


class SlotView:
    """场次 as one caller sees it: places left per channel, and whether it is bookable and green-eligible now
    (``green``: the caller's family may use the green channel at the slot's unit)."""

    def __init__(self, slot: Slot, green: bool = False, now: dt.datetime | None = None) -> None:
        self.slot = slot
        self.green = green
        self.now = now

    def __getattr__(self, name: str) -> Any:
        return getattr(self.slot, name)

    @property
    def green_left(self) -> int:
        return max(self.slot.green_left, 0)

    @property
    def general_left(self) -> int:
        return max(self.slot.general_left, 0)

    @property
    def green_released(self) -> bool:
        return self.slot.green_released_at is not None

    @property
    def green_eligible(self) -> bool:
        return self.green and self.slot.status == SlotStatus.OPEN

    @property
    def bookable(self) -> bool:
        try:
            check_bookable(self.slot, self.now or utcnow())
        except RuleViolation:
            return False
        return True


@dataclasses.dataclass
class SlotCancellation:
    """场次取消的结果: the closed slot and the bookings cancelled with it."""

    slot: SlotView
    cancelled: list[Booking]

    @property
    def cancelled_booking_ids(self) -> list[int]:
        return [booking.id for booking in self.cancelled]
