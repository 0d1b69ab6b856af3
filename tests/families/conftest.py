"""Fixtures of the families tests: calling the API as a user, an unbound child, a pending binding request."""

import pytest

from jlt_family.families.models import BindingRequest

API = "/api/v1"

# Every role of the world cast that is neither a guardian of child_a nor its homeroom teacher, school admin or
# subject teacher: they must not learn that child_a exists.
OUTSIDERS = [
    "guardian_b",
    "venue_staff",
    "other_school_admin",
    "alliance_admin",
    "region_admin",
    "other_region_admin",
    "stranger",
]


class Caller:
    """The test client with one user's bearer token (or none)."""

    def __init__(self, client, headers):
        self.client = client
        self.headers = headers

    def _call(self, method, url, headers=None, **kwargs):
        return self.client.open(API + url, method=method, headers={**self.headers, **(headers or {})}, **kwargs)

    def get(self, url, **kwargs):
        return self._call("GET", url, **kwargs)

    def post(self, url, **kwargs):
        return self._call("POST", url, **kwargs)

    def patch(self, url, **kwargs):
        return self._call("PATCH", url, **kwargs)

    def delete(self, url, **kwargs):
        return self._call("DELETE", url, **kwargs)


@pytest.fixture
def api(client, make):
    """``api(user)`` calls the API as ``user``; ``api()`` anonymously."""
    tokens = {}

    def caller(user=None):
        if user is None:
            return Caller(client, {})
        if user.id not in tokens:
            tokens[user.id] = make.login(user)
        return Caller(client, tokens[user.id])

    return caller


@pytest.fixture
def unbound(make, world, db):
    """A child of class_a on the roster, not yet bound to any family."""
    student = make.student(world.class_a, name="赵小刚", student_no="A2026001")
    db.session.commit()
    return student


def binding_body(world, student, **overrides):
    body = {
        "invite_code": world.class_a.invite_code,
        "student_name": student.name,
        "student_no": student.student_no,
        "relation": "father",
        "guardian_name": "赵大刚",
    }
    return {**body, **overrides}


@pytest.fixture
def newcomer(make, db):
    """A signed-in user who belongs to no family yet."""
    user = make.user(nickname="新家长", phone="13900000009")
    db.session.commit()
    return user


@pytest.fixture
def pending(api, world, unbound, newcomer, db):
    """The newcomer's pending request to bind the unbound child."""
    response = api(newcomer).post("/binding-requests", json=binding_body(world, unbound))
    assert response.status_code == 201, response.json
    return db.session.get(BindingRequest, response.json["id"])
