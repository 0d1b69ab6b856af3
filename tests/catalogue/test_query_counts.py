"""The catalogue and its exports run the same number of SQL statements for 3 units as for 30 (no N+1)."""

import datetime as dt

import pytest

from jlt_family.core.extensions import db
from jlt_family.organizations.models import ResourceUnitKind
from jlt_family.venues.models import OfferingKind, OpeningRule
from tests.catalogue.conftest import add_offering, add_slot, catalogue_url
from tests.catalogue.test_export import export_url

KINDS = list(ResourceUnitKind)


def _add_units(make, world, start, stop):
    """Units with two offerings each (weekly rules, an open slot), every other one serving the alliance."""
    for n in range(start, stop):
        unit = make.resource_unit(
            region=world.county,
            name=f"单位{n:03d}",
            kind=KINDS[n % len(KINDS)],
            alliances=[world.alliance] if n % 2 else [],
            is_active=n % 7 != 3,
        )
        for title, kind in (("参观", OfferingKind.EXHIBITION), ("讲座", OfferingKind.LECTURE)):
            offering = add_offering(db, unit, f"{title}{n}", kind, green_quota=5 if n % 2 else 0, min_grade=1)
            offering.rules = [OpeningRule(weekday=n % 7, start_time=dt.time(9, 0))]
            add_slot(db, offering, dt.timedelta(days=1 + n % 5))
    db.session.commit()


def _statements(call, count_queries, path, user):
    call("GET", path, user)  # warm: the caller's token and scopes are not what is measured
    with count_queries() as counted:
        response = call("GET", path, user)
        assert response.status_code == 200
        response.get_data()  # a streamed body runs to its end inside the count
    return counted.n


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("guardian_a", lambda w: catalogue_url(w.county, page_size=100)),
        ("region_admin", lambda w: catalogue_url(w.county, page_size=100, grade=3, q="讲座")),
        ("alliance_admin", lambda w: catalogue_url(w.county, page_size=100, green_only="true")),
        ("region_admin", lambda w: export_url(w.county, format="csv")),
        ("region_admin", lambda w: export_url(w.county, format="xlsx", offering_kind="lecture")),
        ("alliance_admin", lambda w: export_url(w.county, format="csv")),
    ],
)
def test_statements_do_not_grow_with_the_units(call, make, world, count_queries, role, path):
    user = getattr(world, role)
    _add_units(make, world, 0, 3)
    few = _statements(call, count_queries, path(world), user)
    _add_units(make, world, 3, 30)
    many = _statements(call, count_queries, path(world), user)
    assert many == few
    assert few <= 16
