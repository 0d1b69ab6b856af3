"""A parent's course audience takes in every region above their children's schools, in one recursive query."""

from jlt_family.courses.permissions import _with_ancestors, audience_for_schools
from jlt_family.organizations.models import RegionLevel


def test_the_regions_above_a_county_are_found_in_one_statement(make, count_queries):
    province = make.region(level=RegionLevel.PROVINCE, name="测试省")
    city = make.region(level=RegionLevel.CITY, parent=province, name="测试市")
    county = make.region(parent=city, name="测试县")
    make.region(parent=city, name="另一县")  # a sibling is not an ancestor
    with count_queries() as counted:
        found = _with_ancestors({county.id})
    assert found == {county.id, city.id, province.id}
    assert counted.n == 1


def test_no_region_needs_no_query(count_queries):
    with count_queries() as counted:
        assert _with_ancestors(set()) == frozenset()
    assert counted.n == 0


def test_the_audience_of_a_school_covers_its_county_and_city(world):
    audience = audience_for_schools({world.school.id})
    assert audience.region_ids == {world.county.id, world.city.id}
    assert audience.alliance_ids == {world.alliance.id}
