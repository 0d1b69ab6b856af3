"""Signing in to the dashboard: invites, passwords, CSRF, rate limits, session end on logout, new password or
lost role."""

import datetime as dt

import sqlalchemy as sa
from werkzeug.security import check_password_hash

from jlt_family.auth.models import UserSession
from jlt_family.core.timeutil import utcnow
from jlt_family.dashboard.models import DashboardAccount, DashboardInvite
from jlt_family.organizations.models import StaffMembership
from tests.dashboard.conftest import PASSWORD, create_account, csrf_of, sign_in


def _invite_url(call, issuer, user):
    response = call("POST", "/api/v1/dashboard-invites", issuer, json={"user_id": user.id})
    assert response.status_code == 201, response.json
    return response.json["url"].removeprefix("http://localhost")


def _choose(client, path, login_name="xiaozhang", password=PASSWORD, again=None):
    page = client.get(path)
    return client.post(
        path,
        data={
            "login_name": login_name,
            "password": password,
            "password_again": password if again is None else again,
            "csrf_token": csrf_of(page),
        },
    )


def test_invite_then_login_then_overview(app, call, world, db):
    url = _invite_url(call, world.region_admin, world.school_admin)
    client = app.test_client()
    page = client.get(url)
    assert page.status_code == 200 and "开通管理驾驶舱" in page.get_data(as_text=True)
    response = _choose(client, url, login_name="XiaoZhang")
    assert response.status_code == 302 and response.location.endswith("/dashboard/login")
    account = db.session.scalar(sa.select(DashboardAccount).where(DashboardAccount.user_id == world.school_admin.id))
    assert account.login_name == "xiaozhang"  # login names are case-insensitive, kept in lower case
    assert PASSWORD not in account.password_hash and check_password_hash(account.password_hash, PASSWORD)
    response = sign_in(client, "xiaozhang")
    assert response.status_code == 302 and response.location == "/dashboard/"
    overview = client.get("/dashboard/")
    assert overview.status_code == 200
    text = overview.get_data(as_text=True)
    assert world.school.name in text and world.other_school.name not in text


def test_invite_link_works_once(app, call, world):
    url = _invite_url(call, world.school_admin, world.teacher_a)
    client = app.test_client()
    assert _choose(client, url).status_code == 302
    again = app.test_client().get(url)
    assert again.status_code == 409 and "dashboard_invite_used" in again.get_data(as_text=True)
    page = client.get("/dashboard/login")
    posted = client.post(
        url, data={"login_name": "other", "password": PASSWORD, "password_again": PASSWORD, "csrf_token": csrf_of(page)}
    )
    assert posted.status_code == 409


def test_expired_and_unknown_invites(app, call, world, db):
    url = _invite_url(call, world.school_admin, world.teacher_a)
    db.session.execute(sa.update(DashboardInvite).values(expires_at=utcnow() - dt.timedelta(seconds=1)))
    db.session.commit()
    client = app.test_client()
    expired = client.get(url)
    assert expired.status_code == 409 and "dashboard_invite_expired" in expired.get_data(as_text=True)
    assert client.get("/dashboard/invite/not-a-token").status_code == 404
    assert client.get("/dashboard/invite/" + "x" * 300).status_code == 404


def test_a_new_invite_replaces_the_unused_one(app, call, world):
    first = _invite_url(call, world.school_admin, world.teacher_a)
    second = _invite_url(call, world.school_admin, world.teacher_a)
    client = app.test_client()
    assert client.get(first).status_code == 409
    assert client.get(second).status_code == 200


def test_weak_passwords_and_bad_names_are_refused_and_the_invite_stays_open(app, call, world, db):
    url = _invite_url(call, world.school_admin, world.teacher_a)
    client = app.test_client()
    cases = [
        ("ab", PASSWORD, "登录名须为"),
        ("good.name", "short1", "密码长度"),
        ("good.name", "onlyletterslong", "同时包含字母和数字"),
        ("good.name", "password123", "过于简单"),
        ("good.name", "good.name2026", "过于简单"),  # contains the login name
    ]
    for login_name, password, message in cases:
        response = _choose(client, url, login_name=login_name, password=password)
        assert response.status_code == 422 and message in response.get_data(as_text=True), (login_name, password)
    mismatch = _choose(client, url, password=PASSWORD, again=PASSWORD + "x")
    assert mismatch.status_code == 422 and "两次输入的密码不一致" in mismatch.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DashboardAccount)) == 0
    assert _choose(client, url).status_code == 302


def test_login_name_taken(app, call, world):
    create_account(world.school_admin, login_name="taken")
    url = _invite_url(call, world.school_admin, world.teacher_a)
    response = _choose(app.test_client(), url, login_name="taken")
    assert response.status_code == 422 and "该登录名已被使用" in response.get_data(as_text=True)


def test_posts_without_the_csrf_token_are_refused(app, world):
    create_account(world.school_admin, login_name="principal")
    client = app.test_client()
    client.get("/dashboard/login")
    for data in (
        {"login_name": "principal", "password": PASSWORD},
        {"login_name": "principal", "password": PASSWORD, "csrf_token": "forged"},
    ):
        response = client.post("/dashboard/login", data=data)
        assert response.status_code == 400 and "csrf_failed" in response.get_data(as_text=True)
    assert sign_in(client, "principal").status_code == 302
    logout = client.post("/dashboard/logout", data={})
    assert logout.status_code == 400
    assert client.get("/dashboard/").status_code == 200  # still signed in


def test_a_wrong_password_and_an_unknown_name_answer_alike(app, world):
    create_account(world.school_admin, login_name="principal")
    client = app.test_client()
    wrong = sign_in(client, "principal", password="Wrong-password-1")
    unknown = sign_in(client, "nobody", password=PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert "登录名或密码错误" in wrong.get_data(as_text=True) and "登录名或密码错误" in unknown.get_data(as_text=True)
    assert client.get("/dashboard/").status_code == 302
    huge = sign_in(client, "principal" * 1000, password="x" * 100_000)
    assert huge.status_code == 401 and "登录名或密码错误" in huge.get_data(as_text=True)


def test_login_is_rate_limited_per_address(app, world, configure):
    configure(DASHBOARD_LOGIN_ATTEMPTS_PER_MINUTE=3)
    create_account(world.school_admin, login_name="principal")
    client = app.test_client()
    statuses = [sign_in(client, f"guess{i}", password="Wrong-password-1").status_code for i in range(3)]
    assert statuses == [401, 401, 401]
    refused = sign_in(client, "principal")  # even the right password, from this address, this minute
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert "尝试次数过多" in refused.get_data(as_text=True)
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert sign_in(other, "principal").status_code == 302


def test_login_is_rate_limited_per_account(app, world, configure):
    configure(DASHBOARD_LOGIN_ATTEMPTS_PER_ACCOUNT_HOUR=2)
    create_account(world.school_admin, login_name="principal")
    for address in ("10.0.0.1", "10.0.0.2"):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        assert sign_in(client, "principal", password="Wrong-password-1").status_code == 401
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.0.0.3"
    assert sign_in(client, "Principal").status_code == 429  # another address, the same account
    assert sign_in(client, "someone-else", password="Wrong-password-1").status_code == 401


def test_non_admin_staff_cannot_sign_in(app, world):
    create_account(world.teacher_a, login_name="teacher")
    client = app.test_client()
    response = sign_in(client, "teacher")
    assert response.status_code == 403 and "仅学校、教联体和教育局管理员" in response.get_data(as_text=True)
    assert client.get("/dashboard/").status_code == 302


def test_logout_ends_the_session_on_the_server(app, world, signed_in):
    client = signed_in(world.school_admin)
    stolen = client.get_cookie("jlt_dashboard", path="/dashboard")
    page = client.get("/dashboard/")
    assert client.post("/dashboard/logout", data={"csrf_token": csrf_of(page)}).status_code == 302
    assert client.get("/dashboard/").status_code == 302
    replay = app.test_client()
    replay.set_cookie(stolen.key, stolen.value, path="/dashboard")
    assert replay.get("/dashboard/").status_code == 302


def test_losing_every_admin_role_signs_out_at_the_next_request(app, world, signed_in, db):
    client = signed_in(world.school_admin)
    assert client.get(f"/dashboard/schools/{world.school.id}").status_code == 200
    db.session.execute(
        sa.update(StaffMembership)
        .where(StaffMembership.user_id == world.school_admin.id)
        .values(revoked_at=utcnow(), active_key=None)
    )
    db.session.commit()
    response = client.get(f"/dashboard/schools/{world.school.id}")
    assert response.status_code == 302 and "/dashboard/login" in response.location
    assert "已不再拥有管理员权限" in client.get("/dashboard/login").get_data(as_text=True)
    session = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == world.school_admin.id))
    assert session.revoked_at is not None


def test_a_new_password_ends_the_other_sessions(app, world, signed_in, call):
    client = signed_in(world.school_admin)
    assert client.get("/dashboard/").status_code == 200
    url = call("POST", "/api/v1/me/dashboard-invite", world.school_admin).json["url"]
    _choose(
        app.test_client(), url.removeprefix("http://localhost"), login_name="admin-new", password="Another-pass-2026"
    )
    assert client.get("/dashboard/").status_code == 302
    assert sign_in(app.test_client(), "admin-new", password="Another-pass-2026").status_code == 302


def test_an_api_token_does_not_open_the_dashboard(call, world):
    response = call("GET", "/dashboard/", world.region_admin)
    assert response.status_code == 302 and "/dashboard/login" in response.location


def test_login_follows_only_dashboard_paths(app, world):
    create_account(world.school_admin, login_name="principal")
    for target, expected in (
        (f"/dashboard/schools/{world.school.id}", f"/dashboard/schools/{world.school.id}"),
        ("https://evil.example/x", "/dashboard/"),
        ("//evil.example/", "/dashboard/"),
    ):
        response = sign_in(app.test_client(), "principal", next=target)
        assert response.location == expected


def test_cookie_flags_and_security_headers(app, world):
    create_account(world.school_admin, login_name="principal")
    client = app.test_client()
    response = sign_in(client, "principal")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/dashboard" in cookie
    assert "Expires=" in cookie and app.permanent_session_lifetime == dt.timedelta(hours=12)
    page = client.get("/dashboard/")
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_production_cookies_are_secure():
    from config import DevelopmentConfig, ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert DevelopmentConfig.SESSION_COOKIE_SECURE is False


def test_demo_admins_sign_in_with_the_demo_password(app, db):
    from jlt_family.devtools.demo import seed_demo
    from jlt_family.devtools.demo.dashboard import DEMO_ADMINS, DEMO_PASSWORD

    summary = seed_demo()
    db.session.commit()
    assert summary["dashboard_accounts"] == len(DEMO_ADMINS)
    client = app.test_client()
    assert sign_in(client, "demo-region-admin", password=DEMO_PASSWORD).status_code == 302
    assert "乌兰浩特市" in client.get("/dashboard/").get_data(as_text=True)
    assert sign_in(app.test_client(), "demo-teacher-1", password=DEMO_PASSWORD).status_code == 401


def test_no_demo_passwords_in_production(app, db, configure):
    from jlt_family.devtools.demo import dashboard as demo

    configure(ENV_NAME="production")
    assert demo.seed() == {"dashboard_accounts": 0}
