"""管理驾驶舱: the web dashboard for school, alliance and county admins (server-rendered pages under /dashboard).

Staff sign in with a login name and a password they chose through a single-use invite (WeChat login does not
exist in a desktop browser). The pages are a plain Flask blueprint (``pages.py``), not part of the /api/v1
OpenAPI; the invite endpoints of the API are in ``routes.py``.
"""


def init_app(app):
    """Register the dashboard's pages and its CLI command."""
    # deferred: the pages and commands import the dashboard's services, which import this package
    from jlt_family.dashboard import cli, pages

    app.register_blueprint(pages.bp)
    app.cli.add_command(cli.dashboard_invite_command)
