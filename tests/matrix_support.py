"""Shared pieces of the permission matrix (tests/test_permission_matrix.py and tests/<domain>/matrix.py)."""

ROLES = [
    "anonymous",
    "guardian_a",
    "guardian_b",
    "teacher_a",
    "teacher_b",
    "teacher_c",
    "venue_staff",
    "school_admin",
    "other_school_admin",
    "alliance_admin",
    "region_admin",
    "other_region_admin",
    "stranger",
]


def expect(default, **statuses):
    """Status per role: ``default`` for every signed-in role not named, 401 for anonymous."""
    return {role: statuses.get(role, default) for role in ROLES} | {"anonymous": 401}


class Form(dict):
    """A multipart form body (instead of JSON)."""
