"""The WeChat access token cache, shared by every worker and host through the database."""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from jlt_family.core.db_types import UTCDateTime
from jlt_family.core.extensions import db


class WeChatAccessToken(db.Model):
    """接口调用凭证缓存: the stable access token of one app id, until shortly before it expires."""

    __tablename__ = "wechat_access_token"

    appid: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    access_token: Mapped[str] = mapped_column(sa.String(512))
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
