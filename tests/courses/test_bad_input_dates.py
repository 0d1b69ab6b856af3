"""Calendar edges in the catalogue's date filters are a 422, not a 500."""

import pytest


@pytest.mark.parametrize("query", ["date_to=9999-12-31", "date_from=0001-01-01", "date_from=1999-12-31"])
def test_dates_outside_2000_to_2100_are_refused(call, world, query):
    response = call("GET", f"/api/v1/courses?{query}", world.guardian_a)
    assert response.status_code == 422 and response.json["code"] == "validation_error"
