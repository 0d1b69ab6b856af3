"""演示数据: dashboard accounts of the demo admins, so the dashboard can be tried at once in ``make run``.

Development demo data only: nothing is seeded in production (where admins get their password by invite).
Every demo admin signs in with their openid as login name and the password ``DEMO_PASSWORD``.
"""

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import generate_password_hash

from jlt_family.auth.models import User
from jlt_family.core.extensions import db
from jlt_family.dashboard.models import DashboardAccount

DEMO_PASSWORD = "jlt-demo-2026"
DEMO_ADMINS = (
    "demo-school-admin",
    "demo-school-admin-2",
    "demo-school-admin-3",
    "demo-alliance-admin",
    "demo-region-admin",
)


def seed():
    if current_app.config["ENV_NAME"] == "production":
        return {"dashboard_accounts": 0}
    users = db.session.scalars(sa.select(User).where(User.openid.in_(DEMO_ADMINS)).order_by(User.id)).all()
    password_hash = generate_password_hash(DEMO_PASSWORD)
    for user in users:
        db.session.add(DashboardAccount(user_id=user.id, login_name=user.openid, password_hash=password_hash))
    db.session.flush()
    return {"dashboard_accounts": len(users)}
