"""Demo data for development (filled in by the seed task)."""

import sqlalchemy as sa

from jlt_family.core.extensions import db


def database_is_empty():
    from jlt_family.organizations.models import Region

    return db.session.scalar(sa.select(sa.func.count()).select_from(Region)) == 0


def seed_demo():
    return {}
