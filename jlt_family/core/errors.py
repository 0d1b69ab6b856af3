"""Domain errors and the one handler that renders every error as ``{code, message, errors}``.

Services raise these; the mini-program switches on ``code`` and shows ``message`` (zh-CN).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from jlt_family.core.sqlite_transactions import is_busy as is_sqlite_busy

log = logging.getLogger(__name__)


class AppError(Exception):
    """Base of every error the API reports on purpose."""

    status = 400
    code = "bad_request"
    message = "请求有误"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        errors: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message or self.message)
        if message:
            self.message = message
        if code:
            self.code = code
        self.errors = errors or {}
        self.headers = headers or {}


class BadRequest(AppError):
    status = 400


class Unauthenticated(AppError):
    """未登录或登录已失效."""

    status = 401
    code = "unauthenticated"
    message = "请先登录"


class PermissionDenied(AppError):
    """Known to the caller but not theirs to change (records out of scope answer NotFound instead)."""

    status = 403
    code = "permission_denied"
    message = "没有权限执行此操作"


class NotFound(AppError):
    status = 404
    code = "not_found"
    message = "未找到该记录"


class Conflict(AppError):
    """The request clashes with the current state (already approved, duplicate, full ...)."""

    status = 409
    code = "conflict"
    message = "操作与当前状态冲突"


class RuleViolation(AppError):
    """A business rule forbids it (closed enrolment, too many bookings ...)."""

    status = 422
    code = "rule_violation"
    message = "不符合业务规则"


class ValidationFailed(AppError):
    status = 422
    code = "validation_error"
    message = "提交的数据有误，请检查后重试"


class RateLimited(AppError):
    status = 429
    code = "rate_limited"
    message = "操作过于频繁，请稍后再试"


class ServiceUnavailable(AppError):
    status = 503
    code = "service_unavailable"
    message = "服务暂时不可用，请稍后再试"


# HTTP errors raised by Flask/Werkzeug/webargs: a stable code and a Chinese message for each.
HTTP_ERRORS = {
    400: ("bad_request", "请求有误"),
    401: ("unauthenticated", "请先登录"),
    403: ("permission_denied", "没有权限执行此操作"),
    404: ("not_found", "未找到该记录"),
    405: ("method_not_allowed", "不支持该请求方法"),
    406: ("not_acceptable", "无法提供所请求的格式"),
    409: ("conflict", "操作与当前状态冲突"),
    412: ("precondition_failed", "请求的前提条件不满足"),
    413: ("payload_too_large", "提交的内容过大"),
    415: ("unsupported_media_type", "不支持的内容类型"),
    422: ("validation_error", "提交的数据有误，请检查后重试"),
    428: ("precondition_required", "缺少必要的请求条件"),
    429: ("rate_limited", "操作过于频繁，请稍后再试"),
    500: ("internal_error", "服务器开小差了，请稍后再试"),
    503: ("service_unavailable", "服务暂时不可用，请稍后再试"),
}


def error_body(code: str, message: str, errors: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "errors": errors or {}}


def render_http_exception(exc: HTTPException) -> Response:
    """Render a Werkzeug/webargs HTTP error in our envelope, keeping its headers (Allow on 405)."""
    status = exc.code or 500
    code, message = HTTP_ERRORS.get(status, ("http_error", "请求无法完成"))
    data = getattr(exc, "data", None) or {}
    errors = data.get("messages") or data.get("errors") or {}
    if status == 400 and errors.get("json") == ["Invalid JSON body."]:
        code, message = "malformed_json", "请求体不是有效的 JSON"
        errors = {"json": [message]}  # webargs' own words are English
    if status == 422 and isinstance(errors, dict):
        # webargs nests messages by location ({"json": {...}}); keep the nesting, it tells the client where.
        pass
    response = jsonify(error_body(code, message, errors))
    response.status_code = status
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    return response


# MySQL 3819 / MariaDB 4025: a CHECK constraint failed (PyMySQL reports it as an OperationalError).
_CHECK_VIOLATION_CODES = {3819, 4025}


# MySQL/MariaDB 1213: deadlock found, 1205: lock wait timeout. The database rolled the transaction back.
_RETRYABLE_LOCK_CODES = {1213, 1205}


def is_lock_conflict(exc: BaseException) -> bool:
    """A deadlock or lock-wait timeout: the whole transaction was rolled back, so running it again is safe.
    On SQLite: the write lock was not free within the busy timeout (the transaction had not begun)."""
    args: tuple[Any, ...] = getattr(getattr(exc, "orig", None), "args", ())
    if not isinstance(exc, OperationalError):
        return False
    return bool(args) and args[0] in _RETRYABLE_LOCK_CODES or is_sqlite_busy(exc)


def _is_check_violation(exc: OperationalError) -> bool:
    args: tuple[Any, ...] = getattr(exc.orig, "args", ())
    return bool(args) and args[0] in _CHECK_VIOLATION_CODES


def register_error_handlers(app: Flask) -> None:
    """One place renders every error."""

    @app.errorhandler(AppError)
    def _app_error(exc: AppError) -> Response:
        # deferred: core.extensions imports core.api, which imports these errors
        from jlt_family.core.extensions import db

        db.session.rollback()
        response = jsonify(error_body(exc.code, exc.message, exc.errors))
        response.status_code = exc.status
        response.headers.update(exc.headers)
        return response

    @app.errorhandler(IntegrityError)
    def _integrity_error(exc: IntegrityError) -> Response:
        # deferred: core.extensions imports core.api, which imports these errors
        from jlt_family.core.extensions import db

        db.session.rollback()
        log.info("integrity error turned into 409: %s", exc.orig)
        return _app_error(Conflict("记录已存在或与其他数据冲突", code="integrity_conflict"))

    @app.errorhandler(OperationalError)
    def _operational_error(exc: OperationalError) -> Response:
        # deferred: core.extensions imports core.api, which imports these errors
        from jlt_family.core.extensions import db

        db.session.rollback()
        if _is_check_violation(exc):
            log.info("check constraint turned into 409: %s", exc.orig)
            return _app_error(Conflict("数据不符合约束条件", code="constraint_violation"))
        if is_lock_conflict(exc):
            log.warning("lock conflict, answered 503 database_busy: %s", exc.orig)
            return _app_error(
                ServiceUnavailable("系统繁忙，请稍后重试", code="database_busy", headers={"Retry-After": "1"})
            )
        # deferred: core.dbwaits imports these errors
        from jlt_family.core.dbwaits import is_statement_timeout

        if is_statement_timeout(exc):
            log.warning("database statement interrupted at its bound: %s", exc.orig)
            return _app_error(
                ServiceUnavailable("数据库响应超时，请稍后再试", code="database_timeout", headers={"Retry-After": "5"})
            )
        log.error("database unavailable: %s", exc.orig)
        return _app_error(ServiceUnavailable("数据库暂时不可用，请稍后再试", code="database_unavailable"))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        if isinstance(exc, HTTPException):
            return render_http_exception(exc)
        # deferred: core.extensions imports core.api, which imports these errors
        from jlt_family.core.extensions import db

        db.session.rollback()
        log.exception("unhandled error")
        code, message = HTTP_ERRORS[500]
        response = jsonify(error_body(code, message))
        response.status_code = 500
        return response
