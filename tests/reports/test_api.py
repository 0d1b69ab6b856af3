"""The report endpoints: JSON and CSV, the period query, bad input, the audit of staff reads, out-of-scope 404."""

import csv
import io

import pytest
import sqlalchemy as sa

from jlt_family.alliances.models import AllianceStatus
from jlt_family.core.errors import ValidationFailed
from jlt_family.core.models import AuditLog
from jlt_family.reports.periods import resolve_period
from tests.clock import MID_TERM
from tests.reports import scenario

API = "/api/v1"


def test_school_report_json_with_period(call, make):
    county = scenario.build(make)
    response = call(
        "GET", f"{API}/reports/schools/{county.school.id}?school_year=2025&term=autumn", county.school_admin
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["period"] == {
        "school_year": 2025,
        "term": "autumn",
        "label": "2025–2026学年秋季学期",
        "starts_on": "2025-09-01",
        "ends_on": "2026-01-31",
        "reference_date": "2026-01-31",
    }
    assert [(c["name"], c["students"], c["visited"]) for c in body["classes"]] == [
        ("三年级1班", 3, 2),
        ("三年级2班", 3, 1),
    ]
    assert body["bookings"]["no_show_rate"] == 0.5


def test_school_year_without_term_is_the_whole_year(call, make):
    county = scenario.build(make)
    body = call(
        "GET", f"{API}/reports/alliances/{county.alliance.id}?school_year=2025", county.alliance_admin
    ).get_json()
    assert body["period"]["term"] == "year" and body["period"]["reference_date"] == "2026-08-31"
    assert body["coordination_meetings"]["held"] == 1


def test_region_drill_down(call, make):
    county = scenario.build(make)
    body = call(
        "GET", f"{API}/reports/regions/{county.county.id}?school_year=2025&term=autumn", county.region_admin
    ).get_json()
    assert [a["name"] for a in body["alliances"]] == ["评估教联体"]
    assert [(s["name"], s["alliance_id"]) for s in body["schools"]] == [
        ("评估一小", county.alliance.id),
        ("评估二小", county.alliance.id),
        ("评估三小", None),
    ]
    # 6 rules: guidance, evening class, assembly ✓; parent meetings ✗; yearly guidance (003) ✓ (2 in autumn);
    # the school's own coordination meeting ✗ (the one held is the alliance's)
    assert body["schools"][0]["rules_met"] == 4 and body["schools"][0]["rules"] == 6


def test_bad_year_and_term_answer_a_stable_code_in_chinese(call, world):
    for query, field in (
        ("school_year=1999", "school_year"),
        ("term=winter", "term"),
        ("school_year=abc", None),
        ("format=xml", "format"),
    ):
        response = call("GET", f"{API}/reports/schools/{world.school.id}?{query}", world.school_admin)
        assert response.status_code == 422, query
        body = response.get_json()
        assert body["code"] == "validation_error" and "有误" in body["message"]
        if field:
            assert field in body["errors"]["query"], body


def test_service_refuses_bad_period_with_its_own_codes(world):
    for kwargs, code in (({"school_year": 1999}, "invalid_school_year"), ({"term": "winter"}, "invalid_term")):
        try:
            resolve_period(world.county, **kwargs)
        except ValidationFailed as exc:
            assert exc.code == code and exc.status == 422
        else:
            raise AssertionError(kwargs)


@pytest.mark.time_machine(MID_TERM)  # a day of the world's school year (its classes are of 2026)
def test_default_is_the_current_term(call, world):
    body = call("GET", f"{API}/reports/schools/{world.school.id}", world.school_admin).get_json()
    current = resolve_period(world.county)
    assert body["period"]["term"] == current.name and body["period"]["school_year"] == current.school_year.start_year
    # the world's two students, in the current school year's classes, none visited yet
    assert (body["coverage"]["students"], body["coverage"]["visited"]) == (2, 0)


def _rows(response):
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_csv_export_has_bom_and_the_same_numbers(call, make):
    county = scenario.build(make)
    for url in (
        f"{API}/reports/schools/{county.school.id}/export?school_year=2025&term=autumn",
        f"{API}/reports/schools/{county.school.id}?school_year=2025&term=autumn&format=csv",
    ):
        response = call("GET", url, county.school_admin)
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
        rows = _rows(response)
        assert rows[0] == ["周期", "截至", "类别", "对象", "指标", "数值", "要求", "是否达标"]
        term = ["2025–2026学年秋季学期", "2026-01-31"]
        assert [*term, "家访覆盖", "评估一小", "家访覆盖率", "50%", "100%", "未达标"] in rows
        assert [*term, "班级", "三年级2班", "已家访学生数", "1", "", ""] in rows
        assert [*term, "场馆预约", "评估一小", "爽约率", "50%", "", ""] in rows


def test_csv_cells_cannot_start_a_formula(call, make):
    county = scenario.build(make)
    county.school2.name = '=HYPERLINK("http://x","点我")'
    make.db.session.commit()
    response = call(
        "GET", f"{API}/reports/alliances/{county.alliance.id}/export?school_year=2025", county.alliance_admin
    )
    names = {row[3] for row in _rows(response)[1:]}
    assert '\'=HYPERLINK("http://x","点我")' in names
    assert not any(name.startswith(("=", "+", "-", "@")) for name in names)


def test_staff_reads_are_audited(call, make, db):
    county = scenario.build(make)
    call("GET", f"{API}/reports/schools/{county.school.id}?school_year=2025&term=spring", county.region_admin)
    call("GET", f"{API}/reports/regions/{county.county.id}/export", county.region_admin)
    entries = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.action == "read_evaluation_report").order_by(AuditLog.id)
    ).all()
    assert [(e.actor_user_id, e.subject_type, e.subject_id, e.school_id) for e in entries] == [
        (county.region_admin.id, "school", county.school.id, county.school.id),
        (county.region_admin.id, "region", county.county.id, None),
    ]
    assert entries[0].detail == {"school_year": 2025, "term": "spring", "format": "json"}
    assert entries[1].detail["format"] == "csv"


def test_another_county_sees_nothing(call, make):
    county = scenario.build(make)
    outsider = make.user()
    make.grant(outsider, "region_admin", county.other_county)
    alliance_admin_elsewhere = make.user()
    make.grant(alliance_admin_elsewhere, "alliance_admin", make.alliance(region=county.other_county))
    make.db.session.commit()
    for user in (outsider, alliance_admin_elsewhere):
        for url in (
            f"reports/schools/{county.school.id}",
            f"reports/alliances/{county.alliance.id}",
            f"reports/regions/{county.county.id}",
            f"reports/regions/{county.county.id}/export",
        ):
            response = call("GET", f"{API}/{url}", user)
            assert response.status_code == 404, (url, response.get_json())
    # the county's admin does not see the county above it either
    assert call("GET", f"{API}/reports/regions/{county.city.id}", county.region_admin).status_code == 404
    # and the city's admin sees the county's and the town's
    city_admin = make.user()
    make.grant(city_admin, "region_admin", county.city)
    make.db.session.commit()
    assert call("GET", f"{API}/reports/regions/{county.town.id}", city_admin).status_code == 200


def test_a_term_without_a_year_is_that_term_of_the_current_year(call, world):
    body = call("GET", f"{API}/reports/regions/{world.county.id}?term=spring", world.region_admin).get_json()
    current = resolve_period(world.county)
    assert body["period"]["term"] == "spring" and body["period"]["school_year"] == current.school_year.start_year


def test_an_alliance_application_has_no_report(call, world, make):
    application = make.alliance(region=world.county, status=AllianceStatus.SUBMITTED, name="待审批教联体")
    make.db.session.commit()
    response = call("GET", f"{API}/reports/alliances/{application.id}", world.region_admin)
    assert (response.status_code, response.json["code"]) == (404, "alliance_not_found")
    application.status = AllianceStatus.SUSPENDED  # an established alliance keeps its evaluation when suspended
    make.db.session.commit()
    assert call("GET", f"{API}/reports/alliances/{application.id}", world.region_admin).status_code == 200
