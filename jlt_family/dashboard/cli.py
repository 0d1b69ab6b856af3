"""``flask --app app dashboard-invite <openid>``: print a dashboard invite link for a staff user."""

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("dashboard-invite")
@click.argument("openid")
@click.option(
    "--base-url",
    default="http://127.0.0.1:5000",
    show_default=True,
    help="Where the dashboard is served (the link starts with it).",
)
@with_appcontext
def dashboard_invite_command(openid, base_url):
    """Issue a single-use invite for the admin with this openid and print its link."""
    # deferred: a CLI command loads what it runs only when it runs
    import sqlalchemy as sa

    # deferred: a CLI command loads what it runs only when it runs
    from jlt_family.auth.context import Actor
    from jlt_family.auth.models import User
    from jlt_family.core.extensions import db
    from jlt_family.dashboard import service

    user = db.session.scalar(sa.select(User).where(User.openid == openid))
    if user is None:
        raise click.ClickException(f"no user with openid {openid}")
    if not service.holds_dashboard_role(Actor(user)):
        raise click.ClickException(f"{openid} holds no school_admin, alliance_admin or region_admin role")
    invite, token = service.issue_invite(user, user)
    db.session.commit()
    with current_app.test_request_context(base_url=base_url):
        # deferred: url_for needs the request context the command builds first
        from flask import url_for

        link = url_for("dashboard.invite", token=token, _external=True)
    click.echo(f"{link}\n(valid until {invite.expires_at:%Y-%m-%d %H:%M} UTC, single use)")
