"""演示数据: realistic, deterministic demo data for development and for trying the API by hand.

One county of 兴安盟 (内蒙古自治区) with an approved 教联体 around two adjacent centre schools, member schools (a
幼儿园 among them), member units (科技馆, 博物馆, 体育场馆, 图书馆, 消防救援站, a 社区 and a 政府部门), classes of the
2026 school year with their teachers, about 40 students per class, families with guardians, pending binding
requests and a care entrustment. Every demo account signs in with the development sign-in, e.g.
``POST /api/v1/auth/dev-login {"openid": "demo-parent-1"}``.

The functions add rows and flush; the caller commits (``python app.py`` and ``flask --app app seed-demo`` do).
"""

import sqlalchemy as sa

from jlt_family.core.extensions import db
from jlt_family.devtools.demo.seeder import _DemoSeeder
from jlt_family.devtools.demo.world import DEMO_ACCOUNTS  # noqa: F401  (the demo accounts, for callers)
from jlt_family.organizations.models import Region


def database_is_empty():
    """No region yet: nothing has been set up (the demo is only seeded then)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Region)) == 0


# Domains that add their own demo data on top of the organisations and families (each a ``seed()`` returning
# a summary dict, querying what it needs); a domain without a demo module adds nothing.
DOMAIN_DEMO_MODULES = (
    "jlt_family.devtools.demo.courses",
    "jlt_family.devtools.demo.visits",
    "jlt_family.devtools.demo.venues",
    "jlt_family.devtools.demo.reminders",
    "jlt_family.devtools.demo.matching",
    "jlt_family.devtools.demo.catalogue",
    "jlt_family.devtools.demo.alliances",
    "jlt_family.devtools.demo.reports",
    "jlt_family.devtools.demo.dashboard",
)


def seed_demo():
    """Fill an empty database with the demo world; flushes, the caller commits. Returns what was added."""
    # deferred: the domain demos are found by name when seeding runs
    import importlib
    import importlib.util

    summary = _DemoSeeder().run()
    for name in DOMAIN_DEMO_MODULES:
        if importlib.util.find_spec(name) is not None:
            db.session.flush()
            summary.update(importlib.import_module(name).seed())
    return summary
