"""Migration 4e9047500004 gives every existing student with a class one open placement in it."""

import datetime as dt

import flask_migrate
import pytest
import sqlalchemy as sa

from config import TestingConfig
from jlt_family import create_app
from jlt_family.core.extensions import db
from tests.core.test_migrations import _keep_logging  # noqa: F401  (autouse: Alembic reconfigures logging)


@pytest.fixture
def old_app(tmp_path):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/old.db"

    app = create_app(Config)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_existing_students_get_an_open_placement(old_app):
    flask_migrate.upgrade(revision="10243e4eecf7")
    now = dt.datetime(2026, 10, 1)
    meta = sa.MetaData()
    meta.reflect(db.engine)
    with db.engine.begin() as conn:
        conn.execute(meta.tables["region"].insert(), [{"id": 1, "code": "150001", "name": "县", "level": "county"}])
        conn.execute(
            meta.tables["school"].insert(),
            [
                {
                    "id": 1,
                    "name": "小学",
                    "kind": "primary",
                    "region_id": 1,
                    "is_alliance_centre": False,
                    "address": "",
                    "created_at": now,
                }
            ],
        )
        conn.execute(
            meta.tables["school_class"].insert(),
            [{"id": 1, "school_id": 1, "school_year": 2025, "grade": 3, "name": "1班", "invite_code": "OLD00001"}],
        )
        student = {
            "school_id": 1,
            "name": "学生",
            "left_behind": False,
            "migrant": False,
            "in_difficulty": False,
            "disabled": False,
            "created_at": now,
        }
        conn.execute(
            meta.tables["student"].insert(),
            [
                {**student, "id": 1, "class_id": 1, "student_no": "A1"},
                {**student, "id": 2, "class_id": None, "student_no": "A2"},
            ],
        )  # left: no class, no placement
    flask_migrate.upgrade()
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT student_id, class_id, from_date, to_date, open_key FROM student_class_placement")
        ).all()
    assert [tuple(r) for r in rows] == [(1, 1, "2025-09-01", None, 1)]
