"""The dashboard's pages (a plain Flask blueprint under /dashboard, server-rendered, Chinese).

Thin views like the API's: load the form or query, load objects within the caller's scope (404 outside it), call
the service, commit, render. Every request re-reads the caller from the database: a session ends when the
password changed since it began, and a user who no longer holds an admin role is signed out.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, flash, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from jlt_family.auth.context import ANONYMOUS, Actor
from jlt_family.auth.models import UserSession
from jlt_family.core import ratelimit
from jlt_family.core.audit import audit
from jlt_family.core.errors import AppError, BadRequest, NotFound, RateLimited, ValidationFailed
from jlt_family.core.extensions import db
from jlt_family.dashboard import scopes, service, views
from jlt_family.dashboard.period import TERM_CHOICES, period_from, period_query, year_choices
from jlt_family.reports import export
from jlt_family.reports import permissions as report_permissions
from jlt_family.reports import service as reports

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard", template_folder="templates")

PUBLIC_ENDPOINTS = frozenset({"dashboard.login", "dashboard.invite"})
# Nothing on these pages comes from elsewhere; the invite token in a URL must not leak through a Referer.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


# Every request: CSRF on POST, the signed-in admin from the database ---------------------------------------------


def csrf_token():
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


@bp.app_context_processor
def _template_helpers():
    return {"csrf_token": csrf_token}


@bp.before_request
def _load_admin():
    g.actor = ANONYMOUS  # an API bearer token does not open the dashboard: only its own session does
    if request.method == "POST":
        sent = request.form.get("csrf_token", "")
        if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
            raise BadRequest("页面已过期，请刷新后重试", code="csrf_failed")
    session_id = session.get("sid")
    user = service.resolve_session(session_id)
    if user is not None:
        actor = Actor(user, session_id)
        if service.holds_dashboard_role(actor):
            g.actor = actor
            return None
        service.end_session(session_id)
        db.session.commit()
        session.clear()
        flash("您已不再拥有管理员权限，已退出登录", "error")
    elif session_id:
        session.pop("sid")
        flash("登录已失效，请重新登录", "error")
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    return redirect(url_for("dashboard.login", next=request.full_path.rstrip("?")))


@bp.after_request
def _secure(response):
    response.headers.update(SECURITY_HEADERS)
    return response


@bp.errorhandler(AppError)
def _error_page(exc):
    db.session.rollback()
    response = current_app.make_response((render_template("dashboard/error.html", error=exc), exc.status, exc.headers))
    return response


# Sign-in -------------------------------------------------------------------------------------------------------


def _safe_next(target):
    """Only a path inside the dashboard (never another host) is followed after signing in."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/dashboard/"):
        return url_for("dashboard.overview")
    return target


def _limit_login(login_name):
    config = current_app.config
    ratelimit.hit(f"dashboard-login-ip:{request.remote_addr}", config["DASHBOARD_LOGIN_ATTEMPTS_PER_MINUTE"], 60)
    ratelimit.hit(
        f"dashboard-login-name:{login_name.strip().lower()[:32]}",
        config["DASHBOARD_LOGIN_ATTEMPTS_PER_ACCOUNT_HOUR"],
        3600,
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    """登录 with login name and password."""
    if request.method == "GET":
        if g.actor.is_authenticated:
            return redirect(url_for("dashboard.overview"))
        return render_template("dashboard/login.html", next=request.args.get("next", ""))
    login_name = request.form.get("login_name", "")
    try:
        dashboard_session = _sign_in(login_name, request.form.get("password", ""))
    except AppError as exc:
        return _login_refused(login_name, exc)
    db.session.commit()
    _begin_browser_session(dashboard_session.id)
    return redirect(_safe_next(request.form.get("next")))


def _sign_in(login_name: str, password: str) -> UserSession:
    """The rate limits, the password check, and a new dashboard session (not committed)."""
    _limit_login(login_name)
    account = service.authenticate(login_name, password)
    return service.start_session(account, Actor(account.user), client=request.user_agent.string)


def _login_refused(login_name: str, exc: AppError) -> tuple[str, int, dict[str, str]]:
    """The form again with the reason: too many attempts (429, Retry-After) or wrong credentials."""
    if isinstance(exc, RateLimited):
        return _login_again(login_name, "尝试次数过多，请稍后再试", 429, exc.headers)
    db.session.rollback()
    return _login_again(login_name, exc.message, exc.status)


def _begin_browser_session(session_id: str) -> None:
    """A fresh browser session (and CSRF token) after signing in, holding the dashboard session's id."""
    session.clear()
    session.permanent = True
    session["sid"] = session_id


def _login_again(login_name, message, status, headers=None):
    body = render_template(
        "dashboard/login.html", login_name=login_name, error=message, next=request.form.get("next", "")
    )
    return body, status, headers or {}


@bp.route("/logout", methods=["POST"])
def logout():
    """退出登录: the session ends on the server too."""
    service.end_session(g.actor.session_id)
    db.session.commit()
    session.clear()
    flash("已退出登录", "info")
    return redirect(url_for("dashboard.login"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
def invite(token):
    """设置登录名和密码 through a single-use invite link."""
    if len(token) > 100:
        raise NotFound("邀请链接无效", code="dashboard_invite_not_found")
    if request.method == "GET":
        return _invite_form(token)
    login_name, password = request.form.get("login_name", ""), request.form.get("password", "")
    try:
        _check_password_again(password, request.form.get("password_again", ""))
        service.redeem_invite(token, login_name, password)
    except ValidationFailed as exc:
        db.session.rollback()
        return _invite_form(token, login_name, exc.errors["form"]), 422
    db.session.commit()
    return _to_login_afresh("登录名和密码已设置，请登录")


def _to_login_afresh(notice: str) -> BaseResponse:
    """A fresh browser session, and the sign-in page with ``notice``."""
    session.clear()
    flash(notice, "info")
    return redirect(url_for("dashboard.login"))


def _check_password_again(password: str, again: str) -> None:
    if password != again:
        raise ValidationFailed(errors={"form": {"password_again": ["两次输入的密码不一致"]}})


def _invite_form(token: str, login_name: str | None = None, errors: dict | None = None) -> str:
    """The invite's form: the account's login name at first, what was typed after an error."""
    pending = service.open_invite(token)
    account = service.account_of(pending.user_id)
    if login_name is None:
        login_name = account.login_name if account else ""
    return render_template(
        "dashboard/invite.html", invite=pending, account=account, login_name=login_name, errors=errors or {}
    )


# Scopes and drill-down -------------------------------------------------------------------------------------------


@bp.app_template_filter("pct")
def _pct(rate):
    return "—" if rate is None else f"{rate * 100:.1f}%"


@bp.app_template_filter("pct0")
def _pct0(rate):
    """A requirement as a percentage: 1.0 → 100%."""
    return "—" if rate is None else f"{rate * 100:g}%"


@bp.app_template_filter("score")
def _score(average):
    return "—" if average is None else f"{average:.2f}"


@bp.route("/")
def overview():
    """我的范围: the counties, alliances and schools the caller administers."""
    actor = g.actor
    return render_template(
        "dashboard/overview.html",
        regions=scopes.visible_regions(actor),
        alliances=scopes.visible_alliances(actor),
        schools=scopes.visible_schools(actor),
    )


def _audited(actor, report, fmt, school_id=None, subject=None):
    """A staff read of the evaluation, in the audit log (committed with the answer)."""
    kind, subject_id = subject or (report["scope"]["kind"], report["scope"]["id"])
    period = report["period"]
    audit(
        actor,
        "read_evaluation_report",
        kind,
        subject_id,
        school_id=school_id,
        school_year=period["school_year"],
        term=period["term"],
        format=fmt,
    )


def _page(template, actor, page, school_id=None, subject=None, **context):
    """Audit, render, then commit: committing first would expire every loaded row, and the template would reload
    them one query each."""
    _audited(actor, page.report, "html", school_id, subject)
    body = render_template(template, **page.context(), **context)
    db.session.commit()
    return body


def _csv(actor, report, school_id=None):
    _audited(actor, report, "csv", school_id)
    db.session.commit()
    return Response(
        export.report_csv(report),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{export.filename(report)}"'},
    )


def _page_context(region, period):
    return {
        "period": period,
        "period_query": period_query(period),
        "year_choices": year_choices(period, region),
        "term_choices": TERM_CHOICES,
    }


@bp.route("/regions/<id:region_id>")
def region(region_id):
    """区县: the county's evaluation, its alliances and schools (drill-down)."""
    actor = g.actor
    found = report_permissions.region_or_404(actor, region_id)
    period = period_from(request.args, found)
    return _page(
        "dashboard/region.html",
        actor,
        views.region_page(found, period),
        region=found,
        **_page_context(found, period),
    )


@bp.route("/alliances/<id:alliance_id>")
def alliance(alliance_id):
    """教联体: the alliance's evaluation and its schools."""
    actor = g.actor
    found = report_permissions.alliance_or_404(actor, alliance_id)
    period = period_from(request.args, found.region)
    return _page(
        "dashboard/alliance.html",
        actor,
        views.alliance_page(found, period),
        alliance=found,
        **_page_context(found.region, period),
    )


@bp.route("/schools/<id:school_id>")
def school(school_id):
    """学校: the school's evaluation as tables and charts, and its classes."""
    actor = g.actor
    found = report_permissions.school_or_404(actor, school_id)
    period = period_from(request.args, found.region)
    return _page(
        "dashboard/school.html",
        actor,
        views.school_page(found, period),
        school_id=found.id,
        school=found,
        **_page_context(found.region, period),
    )


@bp.route("/classes/<id:class_id>")
def school_class(class_id):
    """班级: the class's home-visit coverage in its school year (counts only)."""
    found = scopes.class_or_404(g.actor, class_id)
    args = request.args if request.args.get("school_year") else {**request.args, "school_year": found.school_year}
    period = period_from(args, found.school.region)
    page = views.class_page(found, period)
    context = {"school_class": found, "school": found.school, **_page_context(found.school.region, period)}
    return _page("dashboard/class.html", g.actor, page, found.school_id, ("class", found.id), **context)


@bp.route("/regions/<id:region_id>/export.csv")
def region_csv(region_id):
    """区县评估报表 CSV (the reports' export)."""
    actor = g.actor
    found = report_permissions.region_or_404(actor, region_id)
    return _csv(actor, reports.region_report(found, period_from(request.args, found)))


@bp.route("/alliances/<id:alliance_id>/export.csv")
def alliance_csv(alliance_id):
    """教联体评估报表 CSV."""
    actor = g.actor
    found = report_permissions.alliance_or_404(actor, alliance_id)
    return _csv(actor, reports.alliance_report(found, period_from(request.args, found.region)))


@bp.route("/schools/<id:school_id>/export.csv")
def school_csv(school_id):
    """学校评估报表 CSV."""
    actor = g.actor
    found = report_permissions.school_or_404(actor, school_id)
    return _csv(actor, reports.school_report(found, period_from(request.args, found.region)), school_id=found.id)
