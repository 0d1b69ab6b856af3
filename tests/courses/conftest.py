"""Fixtures of the courses tests: the world's courses cast and a recorder of the reminder events."""

import pytest

from jlt_family.core import events
from tests.courses import helpers
from tests.courses.matrix import _cast


@pytest.fixture
def cast(world):
    """The matrix cast of courses (see tests/courses/matrix.py) on top of ``world``."""
    return _cast(world)


@pytest.fixture
def sent():
    """The reminder-contract events sent during the test: ``sent["schedule"]`` → [(sender, kwargs), ...]."""
    record = {"schedule": [], "cancel": [], "notice": []}
    receivers = {
        "schedule": lambda sender, **kw: record["schedule"].append((sender, kw)),
        "cancel": lambda sender, **kw: record["cancel"].append((sender, kw)),
        "notice": lambda sender, **kw: record["notice"].append((sender, kw)),
    }
    signals = {"schedule": events.schedule_reminders, "cancel": events.cancel_reminders, "notice": events.send_notice}
    for name, signal in signals.items():
        signal.connect(receivers[name])
    yield record
    for name, signal in signals.items():
        signal.disconnect(receivers[name])


@pytest.fixture
def parents(make, world, db):
    """``parents(n)``: n new guardians, each with a child in class_a (so the school's courses are open to them)."""

    def _make(n):
        users = []
        for _ in range(n):
            user = make.user()
            family = make.family()
            make.guardian(family=family, user=user)
            make.student(world.class_a, family)
            users.append(user)
        db.session.commit()
        return users

    return _make


@pytest.fixture
def h():
    return helpers
