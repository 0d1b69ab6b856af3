"""Sign-in helpers (the fake WeChat server fixtures are in tests/conftest.py)."""


def wechat_login(client, code, **kw):
    return client.post("/api/v1/auth/wechat-login", json={"code": code}, **kw)


def bearer(response):
    return {"Authorization": f"Bearer {response.json['token']}"}
