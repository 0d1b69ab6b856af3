"""开发登录 exists only in development WeChat mode; production refuses to start without its settings."""

import pytest
import sqlalchemy as sa

from config import ProductionConfig
from jlt_family import create_app
from jlt_family.auth.models import User


def dev_login(client, openid="demo-parent-1", nickname="演示家长"):
    return client.post("/api/v1/auth/dev-login", json={"openid": openid, "nickname": nickname})


def test_dev_login_signs_in_as_any_openid(client, db):
    response = dev_login(client)
    assert response.status_code == 200
    user = db.session.scalar(sa.select(User).where(User.openid == "demo-parent-1"))
    assert (response.json["user"]["id"], user.nickname) == (user.id, "演示家长")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {response.json['token']}"})
    assert me.json["nickname"] == "演示家长"


def test_dev_login_keeps_an_existing_nickname(client, db):
    dev_login(client, nickname="第一次")
    assert dev_login(client, nickname="第二次").json["user"]["nickname"] == "第一次"


@pytest.mark.parametrize(
    "settings",
    [
        {"WECHAT_APPID": "wx-fake-appid", "WECHAT_SECRET": "fake-secret"},
        {"ENV_NAME": "production"},
    ],
)
def test_dev_login_is_not_found_outside_development_mode(client, db, configure, settings):
    configure(**settings)
    response = dev_login(client)
    assert (response.status_code, response.json["code"]) == (404, "not_found")
    assert db.session.scalar(sa.select(User)) is None


class _Production(ProductionConfig):
    SECRET_KEY = "production-secret-key-0123456789abcdef"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    WECHAT_APPID = "wx-real-appid"
    WECHAT_SECRET = "real-secret"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "WECHAT_APPID", "WECHAT_SECRET"])
def test_production_refuses_to_start_without_a_setting(missing):
    config = type("Incomplete", (_Production,), {missing: ""})
    with pytest.raises(RuntimeError, match=missing):
        create_app(config)


def test_production_refuses_a_short_secret_key():
    config = type("ShortKey", (_Production,), {"SECRET_KEY": "too-short"})
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)
