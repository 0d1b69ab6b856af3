"""对接建议: the resources that fit a need, ranked, each with why it fits and what limits it.

Computed on demand, never stored, in a fixed number of queries whatever the number of units:

- a venue need (科学教育, 安全教育 ...): the active offerings of active units whose kind serves the topic
  (``TOPIC_UNIT_KINDS``/``TOPIC_OFFERING_KINDS``), whose audience overlaps the need's grades, in the school's
  county or serving its alliance (one query); their open slots in the period with free places (one windowed
  query: the first few of each offering and the totals).
- a parent-education need (a course category): the community parent schools in the county or serving the
  alliance, the alliance itself and the county, each with the courses of that category it already ran
  (one query each for the units and the counts).

Ranked: units serving the school's alliance first (green channel), then the same county; then those that can
host the whole group, those whose audience covers every grade asked for, those with more open slots.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from jlt_family.alliances.models import AllianceMember, AllianceStatus
from jlt_family.core.extensions import db
from jlt_family.core.timeutil import SHANGHAI, utcnow
from jlt_family.courses.models import CATEGORY_LABELS, PROVIDER_LABELS, Course, ProviderKind
from jlt_family.matching.models import TOPIC_LABELS, TOPIC_OFFERING_KINDS, TOPIC_UNIT_KINDS, Need
from jlt_family.organizations.grades import grade_label
from jlt_family.organizations.models import RESOURCE_UNIT_KIND_LABELS, ResourceUnit, ResourceUnitKind
from jlt_family.venues import slots as slot_rules
from jlt_family.venues.models import OFFERING_KIND_LABELS, Offering, PriceKind, Slot, SlotStatus

SLOTS_SHOWN = 5  # open slots listed per offering (the totals count them all)


@dataclass
class Proposal:
    """One resource proposed for a need (a venue offering, or a course provider)."""

    kind: str  # "venue" | "course"
    key: str  # "offering:12", "community:5", "alliance:1", "region:3"
    label: str
    serves_alliance: bool
    same_county: bool
    unit: ResourceUnit | None = None
    offering: Offering | None = None
    provider_kind: ProviderKind | None = None
    provider: Any = None
    green: bool = False
    reasons: list = field(default_factory=list)
    limits: list = field(default_factory=list)
    slots: list = field(default_factory=list)
    open_slots: int = 0
    slots_needed: int = 1
    rank_key: tuple = ()
    rank: int = 0

    @property
    def provider_card(self) -> Proposal | None:
        """The proposal as its provider's card (kind, id, name) when it proposes a course provider."""
        return self if self.provider_kind is not None else None


def _grades(low, high):
    return grade_label(low) if low == high else f"{grade_label(low)}至{grade_label(high)}"


def _alliance_of(school):
    alliance = school.alliance
    return alliance if alliance is not None and alliance.status == AllianceStatus.APPROVED else None


def _serves(alliance):
    if alliance is None:
        return sa.false()
    return sa.exists().where(
        AllianceMember.resource_unit_id == ResourceUnit.id, AllianceMember.alliance_id == alliance.id
    )


def propose(need: Need, now: dt.datetime | None = None) -> list[Proposal]:
    """The ranked proposals for ``need`` (rank 1 first)."""
    now = now or utcnow()
    found = _course_proposals(need) if need.is_parent_education else _venue_proposals(need, now)
    found.sort(key=lambda p: p.rank_key)
    for rank, proposal in enumerate(found, start=1):
        proposal.rank = rank
    return found


def find(need: Need, key: str, now: dt.datetime | None = None) -> Proposal | None:
    """The proposal of ``need`` with ``key`` as it stands now, or None (it no longer fits)."""
    return next((p for p in propose(need, now) if p.key == key), None)


# ---- venues ---------------------------------------------------------------------------------------------------


def _period_bounds(need, now):
    start = dt.datetime.combine(need.starts_on, dt.time(0), tzinfo=SHANGHAI).astimezone(dt.UTC)
    end = dt.datetime.combine(need.ends_on + dt.timedelta(days=1), dt.time(0), tzinfo=SHANGHAI).astimezone(dt.UTC)
    return max(start, now), end


def _venue_candidates(need, school, alliance):
    serves = _serves(alliance).label("serves")
    return db.session.execute(
        sa.select(Offering, ResourceUnit, serves)
        .join(ResourceUnit, ResourceUnit.id == Offering.resource_unit_id)
        .where(
            Offering.is_active.is_(True),
            ResourceUnit.is_active.is_(True),
            ResourceUnit.kind.in_(TOPIC_UNIT_KINDS[need.topic]),
            Offering.kind.in_(TOPIC_OFFERING_KINDS[need.topic]),
            sa.or_(ResourceUnit.region_id == school.region_id, _serves(alliance)),
            sa.or_(Offering.min_grade.is_(None), Offering.min_grade <= need.grade_max),
            sa.or_(Offering.max_grade.is_(None), Offering.max_grade >= need.grade_min),
        )
        .order_by(Offering.id)
    ).all()


def _open_slots(need, offerings, green_ids, now):
    """Per offering: its first open slots in the period with free places, and totals (one windowed query)."""
    if not offerings:
        return {}
    lower, upper = _period_bounds(need, now)
    general_left = Slot.capacity - Slot.green_capacity - Slot.general_taken
    green_left = Slot.green_capacity - Slot.green_taken
    use_green = sa.and_(Slot.offering_id.in_(green_ids), green_left > general_left) if green_ids else sa.false()
    free = sa.case((use_green, green_left), else_=general_left)
    per_offering = Slot.offering_id
    inner = (
        sa.select(
            Slot.id,
            Slot.offering_id,
            Slot.starts_at,
            Slot.ends_at,
            free.label("free"),
            sa.case((use_green, 1), else_=0).label("green"),
            sa.func.row_number().over(order_by=(Slot.starts_at, Slot.id), partition_by=per_offering).label("rn"),
            sa.func.count().over(partition_by=per_offering).label("n_open"),
            sa.func.sum(sa.case((free >= need.headcount, 1), else_=0)).over(partition_by=per_offering).label("n_whole"),
            sa.func.sum(free).over(partition_by=per_offering).label("places"),
        )
        .where(
            Slot.offering_id.in_([o.id for o in offerings]),
            Slot.status == SlotStatus.OPEN,
            Slot.starts_at >= lower,
            Slot.starts_at < upper,
            free > 0,
        )
        .subquery()
    )
    found = {}
    for row in db.session.execute(
        sa.select(inner).where(inner.c.rn <= SLOTS_SHOWN).order_by(inner.c.offering_id, inner.c.rn)
    ):
        entry = found.setdefault(
            row.offering_id,
            {"n_open": row.n_open, "n_whole": int(row.n_whole or 0), "places": int(row.places or 0), "slots": []},
        )
        entry["slots"].append(
            {
                "id": row.id,
                "starts_at": row.starts_at,
                "ends_at": row.ends_at,
                "places_left": row.free,
                "channel": "green" if row.green else "general",
            }
        )
    return found


def group_places(offering: Offering, green: bool) -> int:
    """The most places one group can take in a slot: the larger of its pools (a group books on one channel)."""
    general = offering.capacity - offering.green_quota
    return max(general, offering.green_quota if green else 0)


def _venue_proposals(need, now):
    school = need.school
    alliance = _alliance_of(school)
    rows = _venue_candidates(need, school, alliance)
    green_ids = [o.id for o, _unit, serves in rows if serves and o.green_quota > 0]
    open_slots = _open_slots(need, [o for o, _u, _s in rows], green_ids, now)
    horizon_end = now + dt.timedelta(days=slot_rules.horizon_days())
    topic = TOPIC_LABELS[need.topic]
    proposals = []
    for offering, unit, serves in rows:
        green = bool(serves) and offering.green_quota > 0
        same_county = unit.region_id == school.region_id
        stats = open_slots.get(offering.id, {"n_open": 0, "n_whole": 0, "places": 0, "slots": []})
        per_slot = group_places(offering, green)
        needed = max(1, math.ceil(need.headcount / per_slot))
        reasons, limits = [], []
        if serves:
            reasons.append(f"服务本校所在的{alliance.name}" + ("，可走绿色通道" if green else ""))
        if same_county:
            reasons.append(f"位于本县（{school.region.name}）")
        reasons.append(f"{RESOURCE_UNIT_KIND_LABELS[unit.kind]}的{OFFERING_KIND_LABELS[offering.kind]}，适合{topic}")
        covers = (offering.min_grade is None or offering.min_grade <= need.grade_min) and (
            offering.max_grade is None or offering.max_grade >= need.grade_max
        )
        if offering.min_grade is None and offering.max_grade is None:
            reasons.append("不限年级")
        elif covers:
            reasons.append(
                f"适合{_grades(offering.min_grade or -3, offering.max_grade or 12)}，"
                f"覆盖需求的{_grades(need.grade_min, need.grade_max)}"
            )
        else:
            limits.append(
                f"仅适合{_grades(offering.min_grade or -3, offering.max_grade or 12)}，"
                f"需求为{_grades(need.grade_min, need.grade_max)}"
            )
        if per_slot >= need.headcount:
            reasons.append(f"每场可接待团体 {per_slot} 人 ≥ {need.headcount} 人")
        else:
            limits.append(f"每场可接待团体 {per_slot} 人 < {need.headcount} 人，需分 {needed} 场")
        reasons.append("免费" if offering.price_kind == PriceKind.FREE or green else "学生优惠价")
        can_host = stats["n_whole"] > 0 or (stats["n_open"] >= needed and stats["places"] >= need.headcount)
        if stats["n_whole"]:
            reasons.append(
                f"期间有 {stats['n_open']} 个场次有空余名额，其中 {stats['n_whole']} 个可容纳全部 {need.headcount} 人"
            )
        elif can_host:
            reasons.append(f"期间有 {stats['n_open']} 个场次有空余名额，分 {needed} 场可容纳全部人数")
        elif stats["n_open"]:
            limits.append(f"期间只有 {stats['n_open']} 个场次共 {stats['places']} 个空余名额，不足 {need.headcount} 人")
        elif _period_bounds(need, now)[1] > horizon_end:
            limits.append(f"期间的场次尚未全部发布（场馆提前 {slot_rules.horizon_days()} 天发布场次）")
        else:
            limits.append("期间没有空余名额的场次")
        proposals.append(
            Proposal(
                kind="venue",
                key=f"offering:{offering.id}",
                label=f"{unit.name} · {offering.title}",
                serves_alliance=bool(serves),
                same_county=same_county,
                unit=unit,
                offering=offering,
                green=green,
                reasons=reasons,
                limits=limits,
                slots=stats["slots"],
                open_slots=stats["n_open"],
                slots_needed=needed,
                rank_key=(
                    not serves,
                    not same_county,
                    not can_host,
                    not stats["n_whole"],
                    not covers,
                    -stats["n_open"],
                    offering.id,
                ),
            )
        )
    return proposals


# ---- parent-education courses ---------------------------------------------------------------------------------


def _community_units(school, alliance):
    serves = _serves(alliance).label("serves")
    return db.session.execute(
        sa.select(ResourceUnit, serves)
        .where(
            ResourceUnit.is_active.is_(True),
            ResourceUnit.kind == ResourceUnitKind.COMMUNITY,
            sa.or_(ResourceUnit.region_id == school.region_id, _serves(alliance)),
        )
        .order_by(ResourceUnit.id)
    ).all()


def _courses_run(category, unit_ids, alliance, region_id):
    """``{(provider kind, id): courses of the category}`` for these providers (one grouped query)."""
    clauses = [Course.resource_unit_id.in_(unit_ids), Course.region_id == region_id]
    if alliance is not None:
        clauses.append(Course.alliance_id == alliance.id)
    rows = db.session.execute(
        sa.select(Course.provider_kind, Course.resource_unit_id, Course.alliance_id, Course.region_id, sa.func.count())
        .where(Course.category == category, sa.or_(*clauses))
        .group_by(Course.provider_kind, Course.resource_unit_id, Course.alliance_id, Course.region_id)
    ).all()
    counts = {}
    for kind, unit_id, alliance_id, region_id_, n in rows:
        provider_id = {
            ProviderKind.COMMUNITY: unit_id,
            ProviderKind.ALLIANCE: alliance_id,
            ProviderKind.REGION: region_id_,
        }.get(kind)
        if provider_id is not None:
            counts[(kind, provider_id)] = n
    return counts


def _course_proposals(need):
    school = need.school
    alliance = _alliance_of(school)
    units = _community_units(school, alliance)
    region = school.region
    counts = _courses_run(need.course_category, [u.id for u, _ in units], alliance, region.id)
    category = CATEGORY_LABELS[need.course_category]
    candidates = [
        (ProviderKind.COMMUNITY, unit, bool(serves), unit.region_id == school.region_id) for unit, serves in units
    ]
    if alliance is not None:
        candidates.append((ProviderKind.ALLIANCE, alliance, True, alliance.region_id == school.region_id))
    candidates.append((ProviderKind.REGION, region, False, True))
    proposals = []
    for order, (kind, provider, serves, same_county) in enumerate(candidates):
        reasons, limits = [f"{PROVIDER_LABELS[kind]}可举办家长学校课程"], []
        if kind == ProviderKind.COMMUNITY and serves:
            reasons.append(f"服务本校所在的{alliance.name}")
        if kind == ProviderKind.ALLIANCE:
            reasons.append("本校所在的教联体")
        if same_county:
            reasons.append(f"位于本县（{region.name}）")
        ran = counts.get((kind, provider.id), 0)
        if ran:
            reasons.append(f"已开设 {ran} 门「{category}」课程")
        else:
            limits.append(f"尚未开设过「{category}」课程")
        reasons.append(f"面向{_grades(need.grade_min, need.grade_max)}学生家长，约 {need.headcount} 人")
        kind_rank = {ProviderKind.COMMUNITY: 0 if serves else 2, ProviderKind.ALLIANCE: 1, ProviderKind.REGION: 3}[kind]
        proposals.append(
            Proposal(
                kind="course",
                key=f"{kind.value}:{provider.id}",
                label=provider.name,
                serves_alliance=serves,
                same_county=same_county,
                unit=provider if kind == ProviderKind.COMMUNITY else None,
                provider_kind=kind,
                provider=provider,
                reasons=reasons,
                limits=limits,
                rank_key=(kind_rank, not ran, order),
            )
        )
    return proposals
