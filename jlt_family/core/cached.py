"""``cached_property`` without the lock Python 3.11's ``functools.cached_property`` takes.

On Python 3.11 ``functools.cached_property`` computes under one lock per property, shared by every instance: the
first use of ``actor.family_id`` in one request waits while another request computes its own. When the one
computing waits for the database (on SQLite: for the write lock that the waiting request holds), the two never
finish. Python 3.12 dropped the lock (bpo-43468). An ``Actor`` belongs to one request and one thread, so there is
nothing for a lock to guard: the value is computed once per instance and kept in its ``__dict__``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class cached_property:  # noqa: N801 (a drop-in for functools.cached_property)
    def __init__(self, func: Callable[[Any], Any]) -> None:
        self.func = func
        self.attrname = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.attrname = name

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__[self.attrname] = self.func(instance)
        return value
