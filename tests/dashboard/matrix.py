"""Permission-matrix rows of the dashboard: (name, method, path(world), body(world) or None, statuses per role).

The invite endpoints of the API follow the usual rules. The dashboard's pages are called here with each role's
API token, which must not open them: every page sends the caller to the login form, and a POST without the
form's CSRF token is refused. Who sees which page once signed in is in tests/dashboard/test_scopes.py.
"""

from tests.matrix_support import ROLES, expect

_ADMINS = {
    "school_admin": 201,
    "other_school_admin": 201,
    "alliance_admin": 201,
    "region_admin": 201,
    "other_region_admin": 201,
}


def _everyone(status):
    return dict.fromkeys(ROLES, status)


ENDPOINTS = [
    # teacher_a is staff of the school: its school admin and the county's region admin may invite them
    (
        "dashboard_invite",
        "POST",
        lambda w: "/api/v1/dashboard-invites",
        lambda w: {"user_id": w.teacher_a.id},
        expect(404, school_admin=201, region_admin=201),
    ),
    ("own_dashboard_invite", "POST", lambda w: "/api/v1/me/dashboard-invite", None, expect(403, **_ADMINS)),
    ("dashboard_login_form", "GET", lambda w: "/dashboard/login", None, _everyone(200)),
    ("dashboard_login", "POST", lambda w: "/dashboard/login", None, _everyone(400)),
    ("dashboard_logout", "POST", lambda w: "/dashboard/logout", None, _everyone(400)),
    ("dashboard_invite_form", "GET", lambda w: "/dashboard/invite/unknown-token", None, _everyone(404)),
    ("dashboard_invite_set", "POST", lambda w: "/dashboard/invite/unknown-token", None, _everyone(400)),
    ("dashboard_overview", "GET", lambda w: "/dashboard/", None, _everyone(302)),
    ("dashboard_region", "GET", lambda w: f"/dashboard/regions/{w.county.id}", None, _everyone(302)),
    ("dashboard_alliance", "GET", lambda w: f"/dashboard/alliances/{w.alliance.id}", None, _everyone(302)),
    ("dashboard_school", "GET", lambda w: f"/dashboard/schools/{w.school.id}", None, _everyone(302)),
    ("dashboard_class", "GET", lambda w: f"/dashboard/classes/{w.class_a.id}", None, _everyone(302)),
    ("dashboard_region_csv", "GET", lambda w: f"/dashboard/regions/{w.county.id}/export.csv", None, _everyone(302)),
    (
        "dashboard_alliance_csv",
        "GET",
        lambda w: f"/dashboard/alliances/{w.alliance.id}/export.csv",
        None,
        _everyone(302),
    ),
    ("dashboard_school_csv", "GET", lambda w: f"/dashboard/schools/{w.school.id}/export.csv", None, _everyone(302)),
]
