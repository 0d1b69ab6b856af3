"""The county catalogue: who sees what, every filter and the keyword search, pagination, live updates."""

import datetime as dt

import pytest

from jlt_family.core.extensions import db
from jlt_family.organizations.models import Region, RegionLevel
from tests.catalogue.conftest import API, add_offering, catalogue_url, names

ACTIVE_UNITS = ["兴安博物馆", "兴安图书馆", "兴安科技馆"]  # by name (code point order), the inactive one left out


def _item(response, name):
    return next(item for item in response.json["items"] if item["name"] == name)


def test_parent_sees_the_active_units_with_offerings_alliances_and_masked_phones(call, county):
    w = county.world
    response = call("GET", catalogue_url(w.county), w.guardian_a)
    assert names(response) == ACTIVE_UNITS
    assert response.json["total"] == 3 and response.json["region"]["id"] == w.county.id
    science = _item(response, "兴安科技馆")
    assert science["kind"] == "science_museum" and science["kind_label"] == "科技馆"
    assert science["contact_phone"] == "048*****6101"
    assert science["alliances"] == [{"id": w.alliance.id, "name": w.alliance.name}]
    assert [o["title"] for o in science["offerings"]] == ["展厅参观", "机器人讲座"]  # the inactive one is not listed
    exhibition, lecture = science["offerings"]
    assert exhibition["green_channel"] is True
    assert exhibition["green_alliances"] == [{"id": w.alliance.id, "name": w.alliance.name}]
    assert exhibition["audience_label"] == "三年级至六年级" and exhibition["price_label"] == "免费"
    assert exhibition["schedule_label"] == "周二、周三 09:30；周六 10:00"
    assert exhibition["next_slot"]["id"] == county.next_slot.id  # past, closed and full slots skipped
    assert lecture["green_channel"] is False and lecture["next_slot"] is None
    assert lecture["price_label"] == "学生优惠 15.00 元（原价 30.00 元）"
    museum = _item(response, "兴安博物馆")
    assert [a["name"] for a in museum["alliances"]] == [w.alliance.name]  # the draft alliance is not shown
    assert museum["offerings"][0]["price_label"] == "学生优惠 10.00 元（原价 20.00 元），绿色通道免费"
    library = _item(response, "兴安图书馆")
    assert library["alliances"] == [] and library["offerings"][0]["green_channel"] is False  # quota, no alliance


def test_staff_of_the_county_see_full_phones(call, county):
    w = county.world
    for user in (w.teacher_a, w.venue_staff, w.alliance_admin, w.region_admin):
        assert _item(call("GET", catalogue_url(w.county), user), "兴安科技馆")["contact_phone"] == "0482-8266101"


def test_inactive_units_only_for_administrators(call, make, county):
    w = county.world
    assert names(call("GET", catalogue_url(w.county), w.region_admin)) == ["停用少年宫", *ACTIVE_UNITS]
    assert _item(call("GET", catalogue_url(w.county), w.region_admin), "停用少年宫")["is_active"] is False
    assert "停用少年宫" in names(call("GET", catalogue_url(w.county), w.alliance_admin))  # a unit of their alliance
    other_admin = make.user()
    make.grant(other_admin, "alliance_admin", make.alliance(region=w.county))
    db.session.commit()
    assert names(call("GET", catalogue_url(w.county), other_admin)) == ACTIVE_UNITS
    for user in (w.guardian_a, w.teacher_a, w.venue_staff):
        assert names(call("GET", catalogue_url(w.county), user)) == ACTIVE_UNITS


def test_people_of_another_county_and_strangers_get_404(call, make, county):
    w = county.world
    elsewhere_parent = make.user()
    family = make.family()
    make.guardian(family=family, user=elsewhere_parent)
    make.student(make.school_class(school=make.school(region=w.other_county)), family)
    db.session.commit()
    for user in (elsewhere_parent, w.other_region_admin, w.stranger):
        response = call("GET", catalogue_url(w.county), user)
        assert response.status_code == 404 and response.json["code"] == "catalogue_not_found"
    assert names(call("GET", catalogue_url(w.other_county), elsewhere_parent)) == ["别县科技馆"]


def test_a_city_or_an_unknown_region_has_no_catalogue(call, county):
    w = county.world
    assert w.city.level == RegionLevel.CITY
    for region_id in (w.city.id, 999999):
        response = call("GET", f"{API}/regions/{region_id}/catalogue", w.region_admin)
        assert response.status_code == 404 and response.json["code"] == "catalogue_not_found"


def test_the_bureau_of_the_city_sees_the_county(call, make, county):
    w = county.world
    city_admin = make.user()
    make.grant(city_admin, "region_admin", db.session.get(Region, w.city.id))
    db.session.commit()
    assert "停用少年宫" in names(call("GET", catalogue_url(w.county), city_admin))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "library"}, ["兴安图书馆"]),
        ({"offering_kind": "lecture"}, ["兴安科技馆"]),
        ({"grade": 4}, ["兴安博物馆", "兴安图书馆", "兴安科技馆"]),  # the museum and library are for every grade
        ({"grade": 8, "offering_kind": "lecture"}, ["兴安科技馆"]),
        ({"grade": 8, "kind": "science_museum", "offering_kind": "exhibition"}, []),
        ({"free_only": "true"}, ["兴安图书馆", "兴安科技馆"]),
        ({"green_only": "true"}, ["兴安博物馆", "兴安科技馆"]),  # the library has a quota but serves no alliance
        ({"free_only": "true", "green_only": "true"}, ["兴安科技馆"]),
    ],
)
def test_filters(call, county, params, expected):
    assert names(call("GET", catalogue_url(county.world.county, **params), county.world.guardian_a)) == expected


def test_offering_filters_narrow_the_listed_offerings(call, county):
    w = county.world
    response = call("GET", catalogue_url(w.county, grade=8), w.guardian_a)
    assert [o["title"] for o in _item(response, "兴安科技馆")["offerings"]] == ["机器人讲座"]
    response = call("GET", catalogue_url(w.county, free_only="true"), w.guardian_a)
    assert [o["title"] for o in _item(response, "兴安科技馆")["offerings"]] == ["展厅参观"]


def test_alliance_filter(call, make, county):
    w = county.world
    url = catalogue_url(w.county, alliance_id=w.alliance.id)
    assert names(call("GET", url, w.guardian_a)) == ["兴安博物馆", "兴安科技馆"]
    assert names(call("GET", url, w.region_admin)) == ["停用少年宫", "兴安博物馆", "兴安科技馆"]
    assert names(call("GET", catalogue_url(w.county, alliance_id=999999), w.guardian_a)) == []


def test_a_unit_without_offerings_is_listed_unless_offerings_are_filtered(call, make, county):
    w = county.world
    make.resource_unit(region=w.county, name="兴安消防站", kind="fire_station")
    db.session.commit()
    assert "兴安消防站" in names(call("GET", catalogue_url(w.county), w.guardian_a))
    assert "兴安消防站" not in names(call("GET", catalogue_url(w.county, free_only="true"), w.guardian_a))


def test_keyword_matches_unit_name_description_or_offering_title(call, county):
    w = county.world
    search = lambda q, **kw: call("GET", catalogue_url(w.county, q=q, **kw), w.guardian_a)  # noqa: E731
    assert names(search("图书")) == ["兴安图书馆"]
    response = search("机器人")  # the science museum's description, so every offering of it
    assert names(response) == ["兴安科技馆"] and len(response.json["items"][0]["offerings"]) == 2
    response = search("阅读")  # only an offering's title
    assert names(response) == ["兴安图书馆"]
    response = search("讲座")  # an offering title of the science museum: only that offering is listed
    assert [o["title"] for o in response.json["items"][0]["offerings"]] == ["机器人讲座"]
    assert names(search("讲座", free_only="true")) == []
    assert names(search("没有这个")) == []


def test_unknown_query_parameters_are_ignored_as_everywhere_else(call, county):
    w = county.world
    assert names(call("GET", catalogue_url(w.county, color="red"), w.guardian_a)) == ACTIVE_UNITS


def test_keyword_wildcards_are_literal(call, county):
    w = county.world
    search = lambda q: names(call("GET", catalogue_url(w.county, q=q), w.guardian_a))  # noqa: E731
    assert search("%25") == ["兴安图书馆"]  # "100%" in its description; a bare % matches nothing else
    assert search("_") == ["兴安博物馆"]  # the only "_" is in 红色研学_周末班
    assert search("研学%25周末") == []
    assert search("' OR 1=1 --") == []


def test_pagination_is_stable_and_a_page_past_the_last_is_empty(call, county):
    w = county.world
    first = call("GET", catalogue_url(w.county, page=1, page_size=2), w.guardian_a)
    second = call("GET", catalogue_url(w.county, page=2, page_size=2), w.guardian_a)
    assert names(first) + names(second) == ACTIVE_UNITS
    assert (first.json["total"], first.json["page"], first.json["page_size"]) == (3, 1, 2)
    response = call("GET", catalogue_url(w.county, page=3, page_size=2), w.guardian_a)
    assert (response.status_code, response.json["items"], response.json["total"]) == (200, [], 3)
    empty = call("GET", catalogue_url(w.county, q="没有这个"), w.guardian_a)
    assert empty.status_code == 200 and empty.json["total"] == 0


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"kind": "castle"}, "unknown_unit_kind"),
        ({"offering_kind": "party"}, "unknown_offering_kind"),
        ({"grade": 0}, "invalid_grade"),
        ({"grade": 13}, "invalid_grade"),
        ({"grade": "三年级"}, "invalid_grade"),
        ({"q": "长" * 51}, "keyword_too_long"),
        ({"page": 0}, "validation_error"),  # paging errors read the same on every list of the API
        ({"page": "abc"}, "validation_error"),
        ({"page_size": 101}, "validation_error"),
        ({"alliance_id": -1}, "invalid_alliance_id"),
        ({"alliance_id": 10**30}, "invalid_alliance_id"),
        ({"free_only": "maybe"}, "invalid_flag"),
    ],
)
def test_bad_input_has_a_stable_code_and_a_chinese_message(call, county, params, code):
    response = call("GET", catalogue_url(county.world.county, **params), county.world.guardian_a)
    assert response.status_code == 422, response.get_json()
    assert response.json["code"] == code
    assert response.json["message"] and response.json["errors"]["query"]
    assert not response.json["message"].isascii()


def test_changes_of_units_and_offerings_show_at_once(call, county):
    w = county.world
    before = _item(call("GET", catalogue_url(w.county), w.guardian_a), "兴安科技馆")["updated_at"]
    response = call(
        "PATCH",
        f"{API}/resource-units/{w.venue.id}",
        w.venue_staff,
        json={"opening_info": "寒假期间每日 9:00–16:00 开放"},
    )
    assert response.status_code == 200
    science = _item(call("GET", catalogue_url(w.county), w.guardian_a), "兴安科技馆")
    assert science["opening_info"] == "寒假期间每日 9:00–16:00 开放"
    assert science["updated_at"] > before
    created = call(
        "POST",
        f"{API}/resource-units/{w.venue.id}/venue-offerings",
        w.venue_staff,
        json={"title": "寒假天文课", "kind": "lecture", "duration_minutes": 60, "capacity": 30},
    )
    assert created.status_code == 201
    science = _item(call("GET", catalogue_url(w.county), w.guardian_a), "兴安科技馆")
    assert "寒假天文课" in [o["title"] for o in science["offerings"]]
    call("PATCH", f"{API}/venue-offerings/{created.json['id']}", w.venue_staff, json={"is_active": False})
    science = _item(call("GET", catalogue_url(w.county), w.guardian_a), "兴安科技馆")
    assert "寒假天文课" not in [o["title"] for o in science["offerings"]]


def test_last_change_is_the_later_of_the_unit_and_its_offerings(call, county):
    w = county.world
    later = dt.datetime(2031, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    add_offering(db, county.library, "以后的项目").updated_at = later
    db.session.commit()
    library = _item(call("GET", catalogue_url(w.county), w.guardian_a), "兴安图书馆")
    assert library["updated_at"] == "2031-01-02T11:04:05+08:00"


def test_replacing_weekly_rules_moves_the_offerings_last_change(call, county):
    w = county.world
    before = county.exhibition.updated_at
    response = call(
        "PUT",
        f"{API}/venue-offerings/{county.exhibition.id}/rules",
        w.venue_staff,
        json={"rules": [{"weekday": 6, "start_time": "09:00"}]},
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert county.exhibition.updated_at > before
    exhibition = _item(call("GET", catalogue_url(w.county), w.guardian_a), "兴安科技馆")["offerings"][0]
    assert exhibition["schedule_label"] == "周日 09:00"
