"""Endpoints of reminders."""

from jlt_family.core.routing import Blueprint

blp = Blueprint("reminders", __name__, url_prefix="/api/v1", description="提醒与消息 (reminders and inbox)")
