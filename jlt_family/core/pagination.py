"""Pagination with the metadata in the body: ``{"items", "page", "page_size", "total"}``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from jlt_family.core.extensions import db


def paginate(stmt: sa.Select[Any], page: int, page_size: int, *, scalars: bool = True) -> dict[str, Any]:
    """Run ``stmt`` for one page; ``total`` counts the whole (unordered) result."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    page_stmt = stmt.limit(page_size).offset((page - 1) * page_size)
    result = db.session.execute(page_stmt)
    items = result.scalars().all() if scalars else result.all()
    return {"items": items, "page": page, "page_size": page_size, "total": total}


def present_page(result: dict[str, Any], present: Callable[[Any], Any]) -> dict[str, Any]:
    """A page from ``paginate`` with each item turned into what the caller may see (a role-dependent view)."""
    return {**result, "items": [present(item) for item in result["items"]]}
