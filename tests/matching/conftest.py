"""Fixtures of the matching tests: the world's venue (a 科技馆 serving the alliance) with an offering and slots."""

import pytest

from tests.matching import helpers


@pytest.fixture
def science(db, world):
    """The world's venue's 展厅参观 (60 places, 20 green) with two slots in the coming days."""
    offering = helpers.offering(db, world.venue)
    slots = [helpers.slot(db, offering, days=3), helpers.slot(db, offering, days=4)]
    db.session.commit()
    offering.test_slots = slots
    return offering


@pytest.fixture
def open_need(db, world):
    """An open science need of the world's school for grades 3–5, 40 pupils, posted by the school admin."""
    need = helpers.need(db, world.school, world.school_admin)
    db.session.commit()
    return need
