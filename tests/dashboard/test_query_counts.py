"""Each dashboard page runs a bounded number of SQL statements, whatever the number of schools and classes."""

import pytest


def _grow(make, alliance_id, school_id, n):
    """n more schools in the county and alliance, each with two classes of three students; more classes."""
    from jlt_family.alliances.models import Alliance
    from jlt_family.organizations.models import School

    alliance, own_school = make.db.session.get(Alliance, alliance_id), make.db.session.get(School, school_id)
    for _ in range(n):
        school = make.school(alliance=alliance)
        for _ in range(2):
            school_class = make.school_class(school=school)
            for _ in range(3):
                make.student(school_class)
    for _ in range(n * 2):
        school_class = make.school_class(school=own_school)
        make.student(school_class)
    make.db.session.commit()


@pytest.mark.parametrize("page", ["overview", "region", "alliance", "school", "class"])
def test_pages_run_a_bounded_number_of_queries(world, make, signed_in, count_queries, db, page):
    client = signed_in(world.region_admin)
    path = {
        "overview": "/dashboard/",
        "region": f"/dashboard/regions/{world.county.id}",
        "alliance": f"/dashboard/alliances/{world.alliance.id}",
        "school": f"/dashboard/schools/{world.school.id}",
        "class": f"/dashboard/classes/{world.class_a.id}",
    }[page]
    alliance_id, school_id = world.alliance.id, world.school.id
    db.session.remove()  # the requests share the test's app context: start each from an empty session
    with count_queries() as small:
        assert client.get(path).status_code == 200
    _grow(make, alliance_id, school_id, 4)
    db.session.remove()
    with count_queries() as large:
        assert client.get(path).status_code == 200
    assert large.n == small.n, (small.n, large.n)
    assert small.n <= 60  # one report, and one per term of the bookings chart (four), about ten statements each
