"""Settings classes: every value comes from the environment, with embedded defaults for development.

`create_app()` picks the class from ``APP_ENV`` (development, testing, production).
"""

import json
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_json(name, default):
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        return json.loads(value)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be JSON: {exc}") from None


def _env_list(name, default):
    value = os.environ.get(name)
    return tuple(v.strip() for v in value.split(",") if v.strip()) if value not in (None, "") else default


def _env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


class Config:
    """Shared settings."""

    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "")
    # hide_parameters: SQL logs and errors never show the values (phones, addresses, tokens; core/logprivacy.py)
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_recycle": 1800, "hide_parameters": True}
    SQLALCHEMY_RECORD_QUERIES = False
    # Database waits (core/dbwaits.py), in seconds, 0 = none. A statement of a request waits at most
    # DB_STATEMENT_TIMEOUT_SECONDS (MariaDB max_statement_time, SQLite busy timeout), then answers 503
    # database_timeout; jobs (dispatcher, scheduler, migrations, CLI imports) and the endpoints listed in
    # DB_LONG_STATEMENT_ENDPOINTS (comma-separated; "name." = a blueprint) wait DB_JOB_STATEMENT_TIMEOUT_SECONDS;
    # /readyz DB_READY_TIMEOUT_SECONDS. On SQLite the bound is the busy timeout: how long a transaction waits
    # for the database's write lock (taken at BEGIN), then 503 database_busy with Retry-After. A database that
    # is gone or stalled fails within the bound plus DB_READ_TIMEOUT_SECONDS (PyMySQL's socket timeouts) or
    # DB_CONNECT_TIMEOUT_SECONDS (503 database_unavailable).
    DB_CONNECT_TIMEOUT_SECONDS = _env_int("DB_CONNECT_TIMEOUT_SECONDS", 5)
    DB_READ_TIMEOUT_SECONDS = _env_int("DB_READ_TIMEOUT_SECONDS", 5)
    DB_STATEMENT_TIMEOUT_SECONDS = _env_int("DB_STATEMENT_TIMEOUT_SECONDS", 5)
    DB_JOB_STATEMENT_TIMEOUT_SECONDS = _env_int("DB_JOB_STATEMENT_TIMEOUT_SECONDS", 600)
    DB_READY_TIMEOUT_SECONDS = _env_int("DB_READY_TIMEOUT_SECONDS", 2)
    DB_LONG_STATEMENT_ENDPOINTS = _env_list(
        "DB_LONG_STATEMENT_ENDPOINTS",
        (
            "reports.",
            "organizations.import_roster",
            "catalogue.export_catalogue",
            "dashboard.region_csv",
            "dashboard.alliance_csv",
            "dashboard.school_csv",
        ),
    )
    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 4 * 1024 * 1024)
    JSON_AS_ASCII = False

    # Sessions (our own signed token after WeChat login)
    SESSION_TTL_HOURS = _env_int("SESSION_TTL_HOURS", 24 * 7)
    # Sign-in limits per minute: per person (the openid), refused codes per client address, and every attempt per
    # client address (generous: a parents' meeting signs in hundreds of parents behind one school NAT address)
    LOGIN_RATE_LIMIT_PER_MINUTE = _env_int("LOGIN_RATE_LIMIT_PER_MINUTE", 20)
    LOGIN_FAILURES_PER_ADDRESS_MINUTE = _env_int("LOGIN_FAILURES_PER_ADDRESS_MINUTE", 20)
    LOGIN_ATTEMPTS_PER_ADDRESS_MINUTE = _env_int("LOGIN_ATTEMPTS_PER_ADDRESS_MINUTE", 1000)

    # WeChat
    WECHAT_APPID = os.environ.get("WECHAT_APPID", "")
    WECHAT_SECRET = os.environ.get("WECHAT_SECRET", "")
    WECHAT_API_BASE = os.environ.get("WECHAT_API_BASE", "https://api.weixin.qq.com")
    WECHAT_TIMEOUT_SECONDS = float(os.environ.get("WECHAT_TIMEOUT_SECONDS", "5"))
    WECHAT_MINIPROGRAM_STATE = os.environ.get("WECHAT_MINIPROGRAM_STATE", "formal")

    # Subscribe-message templates: reminder kind → {"template_id", "page", "fields": {field: source}} (JSON)
    WECHAT_TEMPLATES = _env_json("WECHAT_TEMPLATES", {})

    # Reminder dispatcher
    REMINDER_BATCH_SIZE = _env_int("REMINDER_BATCH_SIZE", 50)
    REMINDER_LEASE_SECONDS = _env_int("REMINDER_LEASE_SECONDS", 60)
    REMINDER_MAX_ATTEMPTS = _env_int("REMINDER_MAX_ATTEMPTS", 6)
    REMINDER_RETRY_BASE_SECONDS = _env_int("REMINDER_RETRY_BASE_SECONDS", 30)
    REMINDER_RETRY_CAP_SECONDS = _env_int("REMINDER_RETRY_CAP_SECONDS", 3600)
    REMINDER_SEND_THREADS = _env_int("REMINDER_SEND_THREADS", 4)

    # Parent-school check-in: the code changes every step, opens this long before the start; attempts per hour
    COURSE_CHECKIN_STEP_SECONDS = _env_int("COURSE_CHECKIN_STEP_SECONDS", 60)
    COURSE_CHECKIN_OPENS_MINUTES = _env_int("COURSE_CHECKIN_OPENS_MINUTES", 30)
    COURSE_CHECKIN_ATTEMPTS_PER_HOUR = _env_int("COURSE_CHECKIN_ATTEMPTS_PER_HOUR", 30)

    # Venues: slots generated this far ahead; unconfirmed bookings expire; door check-in opens before the start
    VENUE_SLOT_HORIZON_DAYS = _env_int("VENUE_SLOT_HORIZON_DAYS", 30)
    VENUE_PENDING_EXPIRY_HOURS = _env_int("VENUE_PENDING_EXPIRY_HOURS", 24)
    VENUE_CHECK_IN_OPENS_MINUTES = _env_int("VENUE_CHECK_IN_OPENS_MINUTES", 60)

    # Scheduler: run APScheduler inside the web process (development only)
    SCHEDULER_IN_PROCESS = _env_bool("SCHEDULER_IN_PROCESS", False)
    SEED_DEMO_ON_EMPTY = _env_bool("SEED_DEMO_ON_EMPTY", False)

    # Guessing a roster entry or a family invite code, or a staff invite code: attempts per user and hour
    FAMILY_GUESS_ATTEMPTS_PER_HOUR = _env_int("FAMILY_GUESS_ATTEMPTS_PER_HOUR", 10)
    INVITE_GUESS_ATTEMPTS_PER_HOUR = _env_int("INVITE_GUESS_ATTEMPTS_PER_HOUR", 20)
    # Venue bookings (family and group) and course enrolments: attempts per user and minute (then 429)
    BOOKING_ATTEMPTS_PER_MINUTE = _env_int("BOOKING_ATTEMPTS_PER_MINUTE", 10)

    # Invite codes
    FAMILY_INVITE_TTL_HOURS = _env_int("FAMILY_INVITE_TTL_HOURS", 72)
    STAFF_INVITE_TTL_DAYS = _env_int("STAFF_INVITE_TTL_DAYS", 14)

    # Idempotency records are kept this long
    IDEMPOTENCY_TTL_HOURS = _env_int("IDEMPOTENCY_TTL_HOURS", 48)

    # OpenAPI / flask-smorest
    API_TITLE = "jlt-family 教联体家庭服务 API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "/docs"
    # Swagger UI is served from the package's own static files: nothing is fetched from the internet.
    OPENAPI_SWAGGER_UI_URL = "/api/v1/docs-assets/"

    # Web dashboard (管理驾驶舱): invite validity, session length, sign-in attempts per address and per account
    DASHBOARD_INVITE_TTL_HOURS = _env_int("DASHBOARD_INVITE_TTL_HOURS", 48)
    DASHBOARD_SESSION_HOURS = _env_int("DASHBOARD_SESSION_HOURS", 12)
    DASHBOARD_LOGIN_ATTEMPTS_PER_MINUTE = _env_int("DASHBOARD_LOGIN_ATTEMPTS_PER_MINUTE", 10)
    DASHBOARD_LOGIN_ATTEMPTS_PER_ACCOUNT_HOUR = _env_int("DASHBOARD_LOGIN_ATTEMPTS_PER_ACCOUNT_HOUR", 10)
    # Its Flask session cookie (the API itself uses bearer tokens only); Secure in production
    SESSION_COOKIE_NAME = "jlt_dashboard"
    SESSION_COOKIE_PATH = "/dashboard"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = DASHBOARD_SESSION_HOURS * 3600  # the cookie lasts as long as the server session

    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    # Number of trusted reverse proxies in front of the app (0: none; X-Forwarded-For is then ignored)
    PROXY_COUNT = _env_int("PROXY_COUNT", 0)


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-secret-key-change-me-0123456789")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'jlt_family.db'}")
    SCHEDULER_IN_PROCESS = _env_bool("SCHEDULER_IN_PROCESS", True)
    SEED_DEMO_ON_EMPTY = _env_bool("SEED_DEMO_ON_EMPTY", True)


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key-0123456789abcdef0123456789"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WECHAT_APPID = ""
    WECHAT_SECRET = ""
    WECHAT_TIMEOUT_SECONDS = 2.0
    LOGIN_RATE_LIMIT_PER_MINUTE = 1000
    LOGIN_FAILURES_PER_ADDRESS_MINUTE = 1000
    LOGIN_ATTEMPTS_PER_ADDRESS_MINUTE = 5000
    BOOKING_ATTEMPTS_PER_MINUTE = 1000


class ProductionConfig(Config):
    ENV_NAME = "production"
    OPENAPI_SWAGGER_UI_PATH = os.environ.get("OPENAPI_SWAGGER_UI_PATH", "/docs")
    SESSION_COOKIE_SECURE = True

    REQUIRED = ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "WECHAT_APPID", "WECHAT_SECRET")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(name=None):
    """The settings class for ``name`` or ``APP_ENV`` (default development)."""
    name = name or os.environ.get("APP_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"APP_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None
