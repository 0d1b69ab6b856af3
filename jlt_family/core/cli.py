"""Commands on the app: ``flask --app app <command>``."""

import contextlib

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from jlt_family.core.scheduler import build_scheduler


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the APScheduler process (dispatcher, daily and housekeeping jobs) in the foreground."""
    scheduler = build_scheduler(current_app._get_current_object(), blocking=True)  # type: ignore[attr-defined]
    click.echo(f"scheduler: {len(scheduler.get_jobs())} jobs; Ctrl-C stops")
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Fill an empty database with realistic demo data (a county, an alliance, schools, families ...)."""
    # deferred: a CLI command loads the database and the demo seeding only when it runs
    from jlt_family.core.extensions import db
    from jlt_family.devtools.demo import database_is_empty, seed_demo

    if not database_is_empty():
        click.echo("database has data; nothing seeded (seed-demo only fills an empty database)")
        return
    summary = seed_demo()
    db.session.commit()
    click.echo(f"demo data seeded: {summary}")


@click.command("grant-role")
@click.option("--openid", required=True, help="The user's openid (created if unknown).")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["teacher", "school_admin", "venue_staff", "alliance_admin", "region_admin"]),
)
@click.option("--scope-id", required=True, type=int, help="Id of the school, unit, alliance or region.")
@with_appcontext
def grant_role_command(openid: str, role: str, scope_id: int) -> None:
    """Bootstrap: grant a staff role from the command line (e.g. the first region admin)."""
    # deferred: a CLI command loads the organisation rules only when it runs (core sits below them)
    from jlt_family.core.extensions import db
    from jlt_family.organizations.service import grant_role_bootstrap

    membership = grant_role_bootstrap(openid, role, scope_id)
    db.session.commit()
    click.echo(f"granted {membership.role.value} (membership {membership.id}) to {openid}")


def init_app(app: Flask) -> None:
    for command in (scheduler_command, seed_demo_command, grant_role_command):
        app.cli.add_command(command)
