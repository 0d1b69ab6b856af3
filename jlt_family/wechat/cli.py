"""``flask --app app wechat-fake``: serve the fake WeChat server for local demos."""

import os
import time

import click
from flask import Flask, current_app
from flask.cli import with_appcontext


@click.command("wechat-fake")
@click.option("--host", default=lambda: os.environ.get("HOST", "127.0.0.1"), show_default="HOST or 127.0.0.1")
@click.option("--port", type=int, default=lambda: int(os.environ.get("PORT", "8081")), show_default="PORT or 8081")
@click.option("--appid", default=None, help="App id the fake accepts (default: WECHAT_APPID or wx-fake-appid).")
@click.option("--secret", default=None, help="Secret the fake accepts (default: WECHAT_SECRET or fake-secret).")
@click.option("--unionid", is_flag=True, help="Answer code2Session with a unionid too.")
@with_appcontext
def wechat_fake_command(host: str, port: int, appid: str | None, secret: str | None, unionid: bool) -> None:
    """Serve a fake WeChat server on HOST:PORT until Ctrl-C (point WECHAT_API_BASE at it)."""
    # deferred: the fake WeChat server is development tooling, loaded only by this command
    from jlt_family.devtools.fake_wechat import FakeWeChat

    appid = appid or current_app.config["WECHAT_APPID"] or "wx-fake-appid"
    secret = secret or current_app.config["WECHAT_SECRET"] or "fake-secret"
    fake = FakeWeChat(host, port, appid=appid, secret=secret, with_unionid=unionid, verbose=True).start()
    click.echo(f"fake WeChat server on {fake.base_url}; run the API with:")
    shown_secret = secret if secret == "fake-secret" else "<your WECHAT_SECRET>"
    click.echo(f"  WECHAT_API_BASE={fake.base_url} WECHAT_APPID={appid} WECHAT_SECRET={shown_secret} python app.py")
    click.echo("any wx.login code is accepted once (the part before '~' names the user); Ctrl-C stops")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


def init_app(app: Flask) -> None:
    app.cli.add_command(wechat_fake_command)
