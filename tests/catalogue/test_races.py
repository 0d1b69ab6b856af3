"""Races on MariaDB and on the SQLite file: concurrent creations or renames to one name leave one unit of that name,
the others 409."""

from collections import Counter

import sqlalchemy as sa

from jlt_family.organizations.models import ResourceUnit
from tests.catalogue.conftest import API
from tests.races import race


def _count(db, name):
    return db.session.scalar(sa.select(sa.func.count()).select_from(ResourceUnit).where(ResourceUnit.name == name))


def test_concurrent_creations_of_one_name_make_one_unit(app, db, make, world):
    headers = make.login(world.region_admin)
    body = {"name": "同名竞争科技馆", "kind": "science_museum"}
    results = race(app, [(headers, "POST", f"{API}/regions/{world.county.id}/resource-units", body)] * 12)
    assert Counter(results) == {(201, None): 1, (409, "resource_unit_name_taken"): 11}, results
    assert _count(db, "同名竞争科技馆") == 1


def test_concurrent_renames_to_one_name_leave_one_unit_of_it(app, db, make, world):
    units = [make.resource_unit(region=world.county, name=f"待改名{n}") for n in range(10)]
    db.session.commit()
    headers = make.login(world.region_admin)
    calls = [(headers, "PATCH", f"{API}/resource-units/{unit.id}", {"name": "新名字图书馆"}) for unit in units]
    results = race(app, calls)
    assert Counter(results) == {(200, None): 1, (409, "resource_unit_name_taken"): 9}, results
    assert _count(db, "新名字图书馆") == 1


def test_concurrent_deactivations_deactivate_once(app, db, make, world):
    """Of a bureau's racing 停用 clicks one deactivates the unit (one audit entry); the others answer 409."""
    from jlt_family.core.models import AuditLog

    unit = make.resource_unit(region=world.county, name="竞争停用科技馆")
    db.session.commit()
    headers = make.login(world.region_admin)
    calls = [(headers, "POST", f"{API}/resource-units/{unit.id}/deactivate", {"reason": "闭馆整修"})] * 20
    results = race(app, calls)
    assert Counter(results) == {(200, None): 1, (409, "resource_unit_already_inactive"): 19}, results
    entries = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditLog)
        .where(AuditLog.action == "deactivate_resource_unit", AuditLog.subject_id == unit.id)
    )
    assert entries == 1
