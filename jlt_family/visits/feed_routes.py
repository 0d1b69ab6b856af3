"""The iCalendar feed of a staff member's visits (secret URL, no bearer token) and a school's visit settings."""

from typing import Any

from flask import Response, request, url_for

from jlt_family.auth.context import Actor, current_actor
from jlt_family.core.errors import PermissionDenied
from jlt_family.core.extensions import db
from jlt_family.organizations import permissions as org_permissions
from jlt_family.visits import ical, scheduling, schemas
from jlt_family.visits.blueprint import blp
from jlt_family.visits.models import VisitSettings


def _require_staff(actor: Actor) -> None:
    if not actor.staff_school_ids:
        raise PermissionDenied("家访日历仅供学校教职工使用", code="staff_only")


@blp.route("/me/visit-calendar", methods=["POST"])
@blp.login_required
@blp.response(201, schemas.CalendarFeedSchema)
@blp.errors(403)
def regenerate_calendar() -> ical.CalendarLink:
    """生成（或重新生成）家访日历订阅链接: the old link stops working."""
    actor = current_actor()
    _require_staff(actor)
    token = ical.regenerate(actor.user_id)
    db.session.commit()
    return ical.CalendarLink(url_for("visits.calendar_feed", token=token, _external=True), ical.feed_of(actor.user_id))


@blp.route("/me/visit-calendar", methods=["DELETE"])
@blp.login_required
@blp.response(204)
@blp.errors(404)
def revoke_calendar() -> None:
    """停用家访日历订阅链接."""
    ical.revoke(current_actor().user_id)
    db.session.commit()


@blp.route("/visit-calendar/<string:token>.ics", methods=["GET"])
@blp.response(200, content_type="text/calendar", description="RFC 5545 iCalendar (VEVENTs in UTC)")
@blp.errors(404)
def calendar_feed(token: str) -> Response:
    """家访日历 (iCalendar): the token in the path is the credential; unknown or revoked tokens answer 404."""
    user_id = ical.user_for_token(token)
    body = ical.render(ical.visits_of(user_id), request.host.split(":")[0] or "jlt-family")
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Cache-Control": "private, max-age=300"},
        content_type="text/calendar; charset=utf-8",
    )


@blp.route("/schools/<id:school_id>/visit-settings", methods=["GET"])
@blp.login_required
@blp.response(200, schemas.SettingsSchema)
@blp.errors(404)
def get_visit_settings(school_id: int) -> VisitSettings:
    """学校家访设置: travel buffer around home visits and the allowed hours (defaults when never set)."""
    org_permissions.school_staff_area_or_404(current_actor(), school_id)
    return scheduling.settings_for(school_id)


@blp.route("/schools/<id:school_id>/visit-settings", methods=["PUT"])
@blp.login_required
@blp.arguments(schemas.SettingsInSchema)
@blp.response(200, schemas.SettingsSchema)
@blp.errors(400, 403, 404, 422)
def put_visit_settings(data: dict[str, Any], school_id: int) -> VisitSettings:
    """修改学校家访设置 (the school's leaders)."""
    actor = current_actor()
    school = org_permissions.school_staff_area_or_404(actor, school_id)
    org_permissions.require(school.id in actor.admin_school_ids, "仅学校管理员可修改家访设置")
    settings = scheduling.save_settings(
        school.id,
        travel_buffer_minutes=data["travel_buffer_minutes"],
        allowed_start=data["allowed_start"],
        allowed_end=data["allowed_end"],
    )
    db.session.commit()
    return settings
