"""WeChat server APIs: a thin client over requests (see ../shared/WECHAT.md)."""
