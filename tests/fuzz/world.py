"""A seeded world for the fuzzer: ``make.world()`` plus one record of every kind an endpoint takes an id of.

The records come from the permission matrix itself: every row's path and body builder is run once against the
world (a course with sessions and enrolments, visits, venue offerings, slots and bookings, closures, suspensions,
inbox messages, invites, requests ...), so an endpoint added with its matrix row gets its records here too.
``ids_by_table`` then lists the ids that exist, for the fuzzer to aim its generated ids at.
"""

import sqlalchemy as sa

from jlt_family.core.extensions import db


def seeded_world(make):
    from tests.test_permission_matrix import ENDPOINTS

    w = make.world()
    for _name, _method, path, body, _expected in ENDPOINTS:
        path(w)
        if body:
            body(w)
        db.session.commit()
    return w


def ids_by_table():
    """``{table name: [ids]}`` of every table with an integer id (what exists after seeding)."""
    found = {}
    for name, table in db.metadata.tables.items():
        column = table.c.get("id")
        if column is None or not _is_integer(column):
            continue
        found[name] = list(db.session.scalars(sa.select(column).order_by(column)))
    return found


def _is_integer(column):
    try:
        return column.type.python_type is int
    except NotImplementedError:
        return False
