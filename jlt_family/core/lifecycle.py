"""状态机: an aggregate's states, the transitions it allows, and the history row every change writes.

Each aggregate with a life cycle (a booking, an enrolment, a visit, a binding, ...) declares one ``Lifecycle``
beside its model: the table of allowed transitions. Services and jobs change a state only through
``Lifecycle.move``, which

- refuses a transition the table does not list (``False``, the caller answers 409 in its own words);
- changes the row with a conditional UPDATE (``WHERE id = :id AND status = :seen``), so that of two racing
  requests exactly one wins, on MariaDB and on SQLite alike;
- writes one ``StateChange`` row (who, when, from, to, why) in the same transaction.

The history of one aggregate is read with ``history``; its output schema is ``StateChangeSchema`` in
``jlt_family.core.schemas``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from jlt_family.core.extensions import db
from jlt_family.core.models import StateChange
from jlt_family.core.sql import update_rows


@dataclass(frozen=True)
class Lifecycle:
    """生命周期: the states of one aggregate and its allowed transitions (``{from: {to, ...}}``)."""

    aggregate: str
    model: Any
    transitions: Mapping[enum.Enum, frozenset[enum.Enum]]
    column: str = "status"
    _sources: dict[enum.Enum, frozenset[enum.Enum]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        sources: dict[enum.Enum, set[enum.Enum]] = {}
        for source, targets in self.transitions.items():
            for target in targets:
                sources.setdefault(target, set()).add(source)
        object.__setattr__(self, "_sources", {target: frozenset(s) for target, s in sources.items()})

    def allows(self, source: enum.Enum, target: enum.Enum) -> bool:
        """Whether the table lists ``source`` → ``target``."""
        return target in self.transitions.get(source, frozenset())

    def sources(self, target: enum.Enum) -> frozenset[enum.Enum]:
        """Every state from which ``target`` may be reached."""
        return self._sources.get(target, frozenset())

    def move(
        self,
        obj: Any,
        target: enum.Enum,
        *,
        actor_id: int | None,
        reason: str | None = None,
        only_from: Iterable[enum.Enum] | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> bool:
        """Change ``obj`` to ``target`` if the table allows it from its state; whether this call made the change.

        ``only_from`` narrows the allowed sources (e.g. a cancellation by the family only while it holds places);
        ``values`` are other columns written by the same UPDATE. The UPDATE is conditional on the state the caller
        saw; when another transaction changed it first, the state is read again under a row lock and the move is
        tried once more from there (if still allowed), so a lost race answers ``False`` only when the new state
        really forbids the move. The changed attributes of ``obj`` are expired (read again on next access).
        """
        allowed = self.sources(target)
        if only_from is not None:
            allowed = allowed & frozenset(only_from)
        model, column = self.model, getattr(self.model, self.column)
        seen = getattr(obj, self.column)
        for attempt in range(2):
            if seen not in allowed:
                return False
            changed = update_rows(
                sa.update(model)
                .where(model.id == obj.id, column == seen)
                .values({self.column: target, **(values or {})})
            )
            if changed:
                self.record(obj.id, seen, target, actor_id=actor_id, reason=reason)
                db.session.expire(obj, [self.column, *(values or {})])
                return True
            if attempt == 0:
                seen = db.session.scalar(sa.select(column).where(model.id == obj.id).with_for_update())
        return False

    def record(
        self,
        aggregate_id: int,
        source: enum.Enum | None,
        target: enum.Enum,
        *,
        actor_id: int | None,
        reason: str | None = None,
    ) -> StateChange:
        """Write one history row; ``source`` is None for the creation of the aggregate in ``target``."""
        change = StateChange(
            aggregate=self.aggregate,
            aggregate_id=aggregate_id,
            from_state=None if source is None else _value(source),
            to_state=_value(target),
            actor_user_id=actor_id,
            reason=(reason or None) and reason[: StateChange.REASON_LENGTH],
        )
        db.session.add(change)
        return change

    def created(self, obj: Any, *, actor_id: int | None, reason: str | None = None) -> StateChange:
        """The history row of a new aggregate (flushed first, so that it has its id)."""
        if obj.id is None:
            db.session.flush()
        return self.record(obj.id, None, getattr(obj, self.column), actor_id=actor_id, reason=reason)

    def history(self, aggregate_id: int) -> list[StateChange]:
        """The changes of one aggregate, oldest first."""
        return list(
            db.session.scalars(
                sa.select(StateChange)
                .where(StateChange.aggregate == self.aggregate, StateChange.aggregate_id == aggregate_id)
                .order_by(StateChange.id)
            )
        )


def _value(state: enum.Enum | str) -> str:
    return state.value if isinstance(state, enum.Enum) else str(state)
