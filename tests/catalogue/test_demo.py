"""The catalogue demo: 乌兰浩特市 has a realistic list — units of many kinds, green channels, one inactive unit."""

import sqlalchemy as sa

from jlt_family.organizations.models import Region, ResourceUnit
from tests.factories import dev_login_headers

API = "/api/v1"


def _catalogue(client, db, openid, **params):
    county = db.session.scalar(sa.select(Region).where(Region.code == "152201"))
    query = "&".join(f"{k}={v}" for k, v in {"page_size": 100, **params}.items())
    response = client.get(f"{API}/regions/{county.id}/catalogue?{query}", headers=dev_login_headers(client, openid))
    assert response.status_code == 200, response.get_json()
    return response.json


def test_the_county_catalogue_is_realistic(client, db, seeded):
    parent = _catalogue(client, db, "demo-parent-1")
    county_units = db.session.scalar(
        sa.select(sa.func.count()).select_from(ResourceUnit).join(Region).where(Region.code == "152201")
    )
    assert seeded["catalogue_units"] == 9 and parent["total"] == county_units - 1 >= 14  # the inactive one hidden
    assert len({item["kind"] for item in parent["items"]}) >= 12
    green = [item["name"] for item in _catalogue(client, db, "demo-parent-1", green_only="true")["items"]]
    assert "兴安盟科技馆" in green and "兴安盟美术馆" not in green
    every_offering = [o for item in parent["items"] for o in item["offerings"]]
    assert len(every_offering) >= 15 and all(o["next_slot"] for o in every_offering)
    assert all("*" in item["contact_phone"] for item in parent["items"])
    admin = _catalogue(client, db, "demo-region-admin")
    assert admin["total"] == county_units
    [inactive] = [item for item in admin["items"] if not item["is_active"]]
    assert inactive["name"] == "乌兰浩特市少儿图书馆东城分馆"


def test_a_grade_filter_and_a_keyword_on_the_demo(client, db, seeded):
    preschool = _catalogue(client, db, "demo-parent-1", grade=-1)["items"]
    assert "乌兰浩特市儿童活动中心" in [item["name"] for item in preschool]
    assert "兴安职业技术学院" not in [item["name"] for item in preschool]
    found = _catalogue(client, db, "demo-parent-1", q="书法")["items"]
    assert [item["name"] for item in found] == ["乌兰浩特市青少年宫"]
