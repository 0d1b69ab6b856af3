import datetime as dt

from jlt_family.alliances.models import AllianceStatus
from jlt_family.organizations.calendar import school_year_for, settings_for, term_for, terms_of
from jlt_family.organizations.models import RegionLevel

D = dt.date


def test_default_school_year_runs_from_september_to_august():
    year = school_year_for(D(2027, 3, 10))
    assert (year.start_year, year.starts_on, year.ends_on) == (2026, D(2026, 9, 1), D(2027, 8, 31))
    assert year.label == "2026–2027学年"
    assert school_year_for(D(2026, 8, 31)).start_year == 2025
    assert school_year_for(D(2026, 9, 1)).start_year == 2026


def test_default_terms_split_on_first_of_february():
    autumn, spring = terms_of(2026)
    assert (autumn.starts_on, autumn.ends_on) == (D(2026, 9, 1), D(2027, 1, 31))
    assert (spring.starts_on, spring.ends_on) == (D(2027, 2, 1), D(2027, 8, 31))
    assert term_for(D(2027, 1, 31)).name == "autumn"
    assert term_for(D(2027, 2, 1)).name == "spring"
    assert spring.label == "2026–2027学年春季学期"


def test_region_calendar_is_inherited_pair_by_pair(make):
    province = make.region(level=RegionLevel.PROVINCE, school_year_start_month=8, school_year_start_day=25)
    city = make.region(level=RegionLevel.CITY, parent=province, spring_term_start_month=2, spring_term_start_day=20)
    county = make.region(parent=city)
    settings = settings_for(county)
    assert settings.school_year_start == (8, 25)
    assert settings.spring_term_start == (2, 20)
    autumn, spring = terms_of(school_year_for(D(2026, 8, 25), county), county)
    assert (autumn.starts_on, autumn.ends_on) == (D(2026, 8, 25), D(2027, 2, 19))
    assert spring.ends_on == D(2027, 8, 24)
    assert term_for(D(2026, 8, 24), county).school_year.start_year == 2025


def test_leap_day_setting_falls_back_to_month_end(make):
    region = make.region(spring_term_start_month=2, spring_term_start_day=29)
    _, spring = terms_of(2026, region)
    assert spring.starts_on == D(2027, 2, 28)
    _, spring = terms_of(2027, region)
    assert spring.starts_on == D(2028, 2, 29)


def test_calendar_endpoint_uses_the_school_region(call, make):
    region = make.region(school_year_start_month=8, school_year_start_day=28)
    school = make.school(alliance=make.alliance(region=region))
    user = make.user()
    response = call("GET", f"/api/v1/schools/{school.id}/calendar?date=2026-11-22", user)
    assert response.status_code == 200
    body = response.json
    assert body["school_year"] == {
        "start_year": 2026,
        "label": "2026–2027学年",
        "starts_on": "2026-08-28",
        "ends_on": "2027-08-27",
    }
    assert [t["name"] for t in body["terms"]] == ["autumn", "spring"]
    assert body["terms"][1]["starts_on"] == "2027-02-01"
    assert body["current_term"] == "autumn"


def test_calendar_endpoint_rejects_bad_dates_and_hidden_schools(call, make):
    school = make.school(alliance=make.alliance(status=AllianceStatus.DRAFT))
    user = make.user()
    visible = make.school(alliance=make.alliance())
    assert call("GET", f"/api/v1/schools/{visible.id}/calendar?date=2026-13-01", user).status_code == 422
    assert call("GET", f"/api/v1/schools/{visible.id}/calendar", user).status_code == 200
    assert call("GET", f"/api/v1/schools/{school.id}/calendar", user).json["code"] == "school_not_found"
    assert call("GET", f"/api/v1/schools/{visible.id}/calendar").status_code == 401
