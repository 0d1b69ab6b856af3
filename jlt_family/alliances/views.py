"""What one caller sees of an alliance: the view the alliance schema dumps (member phones in full only for the
alliance's own staff, the application block only for those who take part in it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jlt_family.alliances.models import Alliance, AllianceMember, AllianceStatus
from jlt_family.alliances.presenters import application_out
from jlt_family.core.masking import mask_phone
from jlt_family.organizations import permissions
from jlt_family.organizations.models import School

if TYPE_CHECKING:
    from jlt_family.auth.context import Actor


@dataclass(frozen=True)
class MemberView:
    """教联体成员单位 with its contact phone as the caller may see it."""

    member: AllianceMember
    contact_phone: str | None


@dataclass(frozen=True)
class AllianceView:
    """教联体 as one caller sees it: member phones in full or masked; the application block or ``None``."""

    alliance: Alliance
    members: list[MemberView]
    application: dict[str, Any] | None

    @property
    def _established(self) -> bool:
        return self.alliance.status in (AllianceStatus.APPROVED, AllianceStatus.SUSPENDED)

    @property
    def centre_schools(self) -> list[School]:
        """The centre schools that joined once approved; before that, those of the application."""
        if self._established:
            return self.alliance.centre_schools
        return [row.school for row in self.alliance.proposed_schools if row.is_centre]

    @property
    def schools(self) -> list[School]:
        """The schools that joined once approved; before that, those of the application."""
        if self._established:
            return self.alliance.schools
        return [row.school for row in self.alliance.proposed_schools]


def alliance_view(alliance: Alliance, actor: Actor) -> AllianceView:
    """The alliance as ``actor`` sees it."""
    shows_phones = permissions.is_alliance_staff(actor, alliance)
    members = [
        MemberView(member, member.contact_phone if shows_phones else mask_phone(member.contact_phone))
        for member in alliance.members
    ]
    return AllianceView(alliance, members, application_out(alliance, actor))
