"""Keep personal data and secrets out of the logs even when SQL logging is switched on.

SQLAlchemy logs statement parameters at INFO and result rows at DEBUG: phone numbers, home addresses, WeChat
session keys and access tokens would land in the log. Parameters are hidden by the engine option
``hide_parameters`` (config); rows by this filter on the engine's logger.
"""

from __future__ import annotations

import logging

from flask import Flask


class HideSqlRows(logging.Filter):
    """Replace the values of a logged result row (``Row %r``) with a placeholder."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith("Row ") and record.args:
            record.args = ("[row hidden]",)
        return True


def init_app(app: Flask) -> None:
    for name in ("sqlalchemy.engine.Engine", "sqlalchemy.engine"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, HideSqlRows) for f in logger.filters):
            logger.addFilter(HideSqlRows())
