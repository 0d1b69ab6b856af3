"""The fuzzer's own checks fail on what they are meant to catch (so a green fuzz run means something)."""

from types import SimpleNamespace

import pytest

from tests.fuzz import spec_support


def _case(*statuses):
    return SimpleNamespace(
        operation=SimpleNamespace(label="GET /x", responses=SimpleNamespace(status_codes=tuple(statuses)))
    )


def _response(status, content=b""):
    return SimpleNamespace(status_code=status, content=content)


def test_a_status_known_only_through_default_is_a_failure():
    spec_support.status_documented(None, _response(404), _case("200", "404", "default"))
    with pytest.raises(spec_support.UndocumentedStatus):
        spec_support.status_documented(None, _response(409), _case("200", "404", "default"))


@pytest.mark.parametrize(
    "content",
    [
        b"<html>500</html>",
        b'{"error": "x"}',
        b'{"code": "Bad Code", "message": "m", "errors": {}}',
        b'{"code": "x", "message": "", "errors": {}}',
        b'{"code": "x", "message": "m", "errors": []}',
    ],
)
def test_an_error_outside_the_envelope_is_a_failure(content):
    with pytest.raises(spec_support.BadErrorEnvelope):
        spec_support.error_envelope(None, _response(422, content), _case("422"))


def test_the_envelope_passes():
    spec_support.error_envelope(
        None, _response(404, '{"code": "not_found", "message": "未找到", "errors": {}}'.encode()), _case("404")
    )


def test_generated_ids_are_aimed_at_rows_of_their_table():
    ids = {"school": [3, 4], "school_class": [7], "venue_booking": [9]}
    case = SimpleNamespace(path_parameters={"school_id": 12345}, query={"class_id": 5}, body={"booking_id": 8})
    spec_support.aim_ids(case, ids, aim=1)
    assert case.path_parameters["school_id"] in (3, 4)
    assert case.query["class_id"] == 7 and case.body["booking_id"] == 9
    unknown = SimpleNamespace(path_parameters={"school_id": 12345}, query=None, body=None)
    spec_support.aim_ids(unknown, ids, aim=5)  # one time in five the generated id is kept
    assert unknown.path_parameters["school_id"] == 12345
