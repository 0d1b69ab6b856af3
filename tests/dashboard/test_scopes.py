"""Who sees which dashboard page once signed in: their own scope, 404 for anything else; views are audited."""

import pytest
import sqlalchemy as sa

from jlt_family.core.models import AuditLog

ADMINS = ["school_admin", "other_school_admin", "alliance_admin", "region_admin", "other_region_admin"]

PAGES = {
    "region": (lambda w: f"/dashboard/regions/{w.county.id}", {"region_admin"}),
    "alliance": (lambda w: f"/dashboard/alliances/{w.alliance.id}", {"alliance_admin", "region_admin"}),
    "school": (lambda w: f"/dashboard/schools/{w.school.id}", {"school_admin", "alliance_admin", "region_admin"}),
    "other_school": (
        lambda w: f"/dashboard/schools/{w.other_school.id}",
        {"other_school_admin", "alliance_admin", "region_admin"},
    ),
    "class": (lambda w: f"/dashboard/classes/{w.class_a.id}", {"school_admin", "alliance_admin", "region_admin"}),
    "region_csv": (lambda w: f"/dashboard/regions/{w.county.id}/export.csv", {"region_admin"}),
    "alliance_csv": (lambda w: f"/dashboard/alliances/{w.alliance.id}/export.csv", {"alliance_admin", "region_admin"}),
    "school_csv": (
        lambda w: f"/dashboard/schools/{w.school.id}/export.csv",
        {"school_admin", "alliance_admin", "region_admin"},
    ),
}


@pytest.mark.parametrize("role", ADMINS)
@pytest.mark.parametrize("page", sorted(PAGES))
def test_each_admin_sees_only_their_scope(world, signed_in, role, page):
    path, allowed = PAGES[page]
    client = signed_in(getattr(world, role))
    response = client.get(path(world))
    assert response.status_code == (200 if role in allowed else 404)
    if response.status_code == 404:
        assert "未找到" in response.get_data(as_text=True)


@pytest.mark.parametrize("bad_id", ["999999", "9223372036854775808", "9" * 30])
def test_unknown_ids_answer_like_foreign_ones(world, signed_in, bad_id):
    client = signed_in(world.region_admin)
    for kind in ("regions", "alliances", "schools", "classes"):
        assert client.get(f"/dashboard/{kind}/{bad_id}").status_code == 404
    for kind in ("regions", "alliances", "schools"):
        assert client.get(f"/dashboard/{kind}/{bad_id}/export.csv").status_code == 404


def test_another_county_sees_nothing_of_this_one(world, signed_in, make):
    other_school = make.school(region=world.other_county, name="别县第一小学")
    client = signed_in(world.other_region_admin)
    text = client.get("/dashboard/").get_data(as_text=True)
    assert world.other_county.name in text and other_school.name in text
    for name in (world.county.name, world.alliance.name, world.school.name, world.other_school.name):
        assert name not in text
    assert client.get(f"/dashboard/regions/{world.county.id}").status_code == 404


def test_drill_down_from_county_to_class(world, signed_in):
    client = signed_in(world.region_admin)
    overview = client.get("/dashboard/").get_data(as_text=True)
    assert f"/dashboard/regions/{world.county.id}" in overview
    county = client.get(f"/dashboard/regions/{world.county.id}").get_data(as_text=True)
    assert f"/dashboard/alliances/{world.alliance.id}" in county and f"/dashboard/schools/{world.school.id}" in county
    alliance = client.get(f"/dashboard/alliances/{world.alliance.id}").get_data(as_text=True)
    assert f"/dashboard/schools/{world.other_school.id}" in alliance
    school = client.get(f"/dashboard/schools/{world.school.id}?school_year=2026").get_data(as_text=True)
    assert f"/dashboard/classes/{world.class_a.id}?school_year=2026&amp;term=year" in school
    assert client.get(f"/dashboard/classes/{world.class_a.id}?school_year=2026").status_code == 200


def test_bad_period_is_refused_not_a_crash(world, signed_in):
    client = signed_in(world.school_admin)
    for query in ("school_year=abc", "school_year=1900", "term=summer"):
        response = client.get(f"/dashboard/schools/{world.school.id}?{query}")
        assert response.status_code == 422 and "period_invalid" in response.get_data(as_text=True)


def test_views_of_school_data_are_audited(world, signed_in, db):
    client = signed_in(world.alliance_admin)
    client.get(f"/dashboard/schools/{world.school.id}?school_year=2026&term=autumn")
    client.get(f"/dashboard/schools/{world.school.id}/export.csv?school_year=2026&term=autumn")
    client.get(f"/dashboard/classes/{world.class_a.id}")
    entries = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.actor_user_id == world.alliance_admin.id).order_by(AuditLog.id)
    ).all()
    assert [(e.action, e.subject_type, e.subject_id, e.school_id, e.detail) for e in entries] == [
        (
            "read_evaluation_report",
            "school",
            world.school.id,
            world.school.id,
            {"school_year": 2026, "term": "autumn", "format": "html"},
        ),
        (
            "read_evaluation_report",
            "school",
            world.school.id,
            world.school.id,
            {"school_year": 2026, "term": "autumn", "format": "csv"},
        ),
        (
            "read_evaluation_report",
            "class",
            world.class_a.id,
            world.school.id,
            {"school_year": world.class_a.school_year, "term": "year", "format": "html"},
        ),
    ]


def test_a_refused_view_is_not_audited(world, signed_in, db):
    client = signed_in(world.other_region_admin)
    client.get(f"/dashboard/schools/{world.school.id}")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == 0


def test_an_alliance_application_is_not_on_the_dashboard(world, signed_in, make):
    from jlt_family.alliances.models import AllianceStatus

    application = make.alliance(region=world.county, status=AllianceStatus.SUBMITTED, name="待审批的教联体申请")
    make.db.session.commit()
    client = signed_in(world.region_admin)
    assert application.name not in client.get("/dashboard/").get_data(as_text=True)
    assert application.name not in client.get(f"/dashboard/regions/{world.county.id}").get_data(as_text=True)
    assert client.get(f"/dashboard/alliances/{application.id}").status_code == 404
