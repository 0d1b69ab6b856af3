"""Fixtures of the catalogue tests: the world's county filled with units of several kinds and their offerings."""

import datetime as dt
from types import SimpleNamespace

import pytest

from jlt_family.alliances.models import AllianceStatus
from jlt_family.core.timeutil import utcnow
from jlt_family.organizations.models import ResourceUnitKind
from jlt_family.venues.models import Offering, OfferingKind, OpeningRule, PriceKind, Slot, SlotStatus

API = "/api/v1"


def catalogue_url(region, **params):
    query = "&".join(f"{name}={value}" for name, value in params.items())
    return f"{API}/regions/{region.id}/catalogue" + (f"?{query}" if query else "")


def add_offering(db, unit, title, kind=OfferingKind.EXHIBITION, **kw):
    values = {"duration_minutes": 90, "capacity": 40, "green_quota": 0, "price_kind": PriceKind.FREE}
    offering = Offering(resource_unit_id=unit.id, title=title, kind=kind, **{**values, **kw})
    db.session.add(offering)
    db.session.flush()
    return offering


def add_slot(db, offering, starts_in, **kw):
    start = (utcnow() + starts_in).replace(microsecond=0)
    values = {
        "capacity": offering.capacity,
        "green_capacity": offering.green_quota,
        "green_taken": 0,
        "general_taken": 0,
    }
    slot = Slot(offering_id=offering.id, starts_at=start, ends_at=start + dt.timedelta(minutes=90), **{**values, **kw})
    db.session.add(slot)
    db.session.flush()
    return slot


@pytest.fixture
def county(db, make, world):
    """The world's county with: its venue (科技馆, in the alliance, a green-channel exhibition for grades 3–6 and a
    discounted lecture), a library outside any alliance (free reading, no green channel), a museum serving the
    alliance and a draft alliance, an inactive youth palace of the alliance, and a unit of another county."""
    c = SimpleNamespace(world=world)
    w = world
    w.venue.name, w.venue.contact_phone, w.venue.description = "兴安科技馆", "0482-8266101", "航天与机器人展厅"
    c.science = w.venue
    c.exhibition = add_offering(db, c.science, "展厅参观", green_quota=10, min_grade=3, max_grade=6)
    c.exhibition.rules = [
        OpeningRule(weekday=1, start_time=dt.time(9, 30)),
        OpeningRule(weekday=2, start_time=dt.time(9, 30)),
        OpeningRule(weekday=5, start_time=dt.time(10, 0)),
    ]
    c.lecture = add_offering(
        db,
        c.science,
        "机器人讲座",
        OfferingKind.LECTURE,
        price_kind=PriceKind.DISCOUNT,
        price_cents=3000,
        student_price_cents=1500,
        min_grade=5,
        max_grade=9,
    )
    add_offering(db, c.science, "已下线的项目", is_active=False)
    c.library = make.resource_unit(
        region=w.county,
        name="兴安图书馆",
        kind=ResourceUnitKind.LIBRARY,
        contact_phone="13904821234",
        description="少儿阅览区 100% 开架",
    )
    c.reading = add_offering(db, c.library, "亲子阅读会", OfferingKind.READING, green_quota=5)
    draft = make.alliance(region=w.county, status=AllianceStatus.DRAFT, name="草稿教联体")
    c.museum = make.resource_unit(
        region=w.county, name="兴安博物馆", kind=ResourceUnitKind.MUSEUM, alliances=[w.alliance, draft]
    )
    c.study = add_offering(
        db,
        c.museum,
        "红色研学_周末班",
        OfferingKind.STUDY_TOUR,
        green_quota=8,
        price_kind=PriceKind.DISCOUNT,
        price_cents=2000,
        student_price_cents=1000,
    )
    c.palace = make.resource_unit(
        region=w.county, name="停用少年宫", kind=ResourceUnitKind.YOUTH_PALACE, alliances=[w.alliance], is_active=False
    )
    add_offering(db, c.palace, "舞蹈体验")
    c.elsewhere = make.resource_unit(region=w.other_county, name="别县科技馆")
    add_offering(db, c.elsewhere, "别县展厅")
    # slots of the exhibition: past, closed, full, then two open ones (the earlier is the next open slot)
    add_slot(db, c.exhibition, dt.timedelta(days=-1))
    add_slot(db, c.exhibition, dt.timedelta(hours=20), status=SlotStatus.CLOSED)
    add_slot(db, c.exhibition, dt.timedelta(hours=30), green_taken=10, general_taken=30)
    c.next_slot = add_slot(db, c.exhibition, dt.timedelta(days=2))
    add_slot(db, c.exhibition, dt.timedelta(days=3))
    db.session.commit()
    return c


def names(response):
    assert response.status_code == 200, response.get_json()
    return [item["name"] for item in response.json["items"]]
