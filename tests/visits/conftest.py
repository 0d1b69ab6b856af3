"""Fixtures of the visits tests: windows in Shanghai time, proposing and scheduling through the API, events."""

import datetime as dt

import pytest

from jlt_family.core import events
from jlt_family.core.timeutil import SHANGHAI, shanghai_today

API = "/api/v1"


def at(days, hour, minute=0):
    """An aware Shanghai datetime ``days`` from today at hour:minute."""
    day = shanghai_today() + dt.timedelta(days=days)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def window(days=3, hour=10, minute=0, minutes=60):
    start = at(days, hour, minute)
    return {"starts_at": start.isoformat(), "ends_at": (start + dt.timedelta(minutes=minutes)).isoformat()}


def proposal(student, windows=None, **overrides):
    body = {
        "student_id": student.id,
        "mode": "home",
        "purpose": "academic",
        "note_to_family": "想聊聊孩子的学习",
        "windows": [window()] if windows is None else windows,
    }
    return {**body, **overrides}


@pytest.fixture
def propose(call, world):
    """``propose(student, user=teacher_a, **body)``: POST /visits, asserts 201, returns the JSON."""

    def _propose(student=None, user=None, **body):
        response = call(
            "POST", f"{API}/visits", user or world.teacher_a, json=proposal(student or world.child_a, **body)
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return _propose


@pytest.fixture
def schedule(call, world, propose):
    """``schedule(student, guardian, user=teacher, **body)``: propose and have the guardian accept window 1."""

    def _schedule(student=None, guardian=None, user=None, **body):
        visit = propose(student, user, **body)
        response = call(
            "POST",
            f"{API}/visits/{visit['id']}/accept",
            guardian or world.guardian_a,
            json={"window_id": visit["windows"][0]["id"]},
        )
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    return _schedule


@pytest.fixture
def announced():
    """Every reminder event sent during the test: a list of (event name, kwargs)."""
    seen = []
    receivers = []
    for signal in (events.schedule_reminders, events.cancel_reminders, events.send_notice):

        def receiver(sender, _name=signal.name, **kwargs):
            seen.append((_name, kwargs))

        signal.connect(receiver)
        receivers.append((signal, receiver))
    yield seen
    for signal, receiver in receivers:
        signal.disconnect(receiver)


def record_body(**overrides):
    """A valid ``POST /visits/{id}/record`` body: held five minutes ago, with notes and one follow-up."""
    body = {
        "visited_at": (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat(),
        "mode": "home",
        "attendees": "母亲、奶奶",
        "topics": ["学习习惯"],
        "notes": "家中学习环境嘈杂，奶奶照看",
        "family_summary": "孩子进步明显，建议固定作业时间",
        "follow_ups": [{"description": "两周后电话回访", "due_on": "2030-01-15"}],
    }
    return {**body, **overrides}


def scheduled_visit(world, starts_at, *, school_year=None, staff=None, minutes=60):
    """A scheduled visit of child_a at any time, past ones included (the API only schedules future windows),
    proposed by ``staff`` (default teacher_a); committed. ``school_year`` defaults to the class's."""
    from jlt_family.core.extensions import db
    from jlt_family.visits.models import (
        HomeVisit,
        VisitMode,
        VisitParticipant,
        VisitPurpose,
        VisitState,
        VisitWindow,
    )

    staff = staff or world.teacher_a
    ends_at = starts_at + dt.timedelta(minutes=minutes)
    visit = HomeVisit(
        student=world.child_a,
        school_id=world.school.id,
        class_id=world.class_a.id,
        school_year=school_year or world.class_a.school_year,
        mode=VisitMode.HOME,
        purpose=VisitPurpose.ACADEMIC,
        state=VisitState.SCHEDULED,
        awaiting=None,
        proposed_by_id=staff.id,
        starts_at=starts_at,
        ends_at=ends_at,
        windows=[VisitWindow(starts_at=starts_at, ends_at=ends_at)],
        participants=[VisitParticipant(user_id=staff.id)],
    )
    db.session.add(visit)
    db.session.commit()
    return visit.id
