"""Access: what the caller may see (the scope queries behind ``Actor``) and the trail of who saw what."""

from flask import Flask

from jlt_family.access import scopes


def init_app(app: Flask) -> None:
    """Every ``Actor`` of this app asks ``jlt_family.access.scopes`` for the caller's scopes."""
    app.extensions["scopes"] = scopes
