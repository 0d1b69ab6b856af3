"""The iCalendar feed: a secret URL per teacher, RFC 5545 text, regenerate and revoke."""

import re

from jlt_family.visits import ical
from tests.visits.conftest import API, window


def _feed_path(call, user):
    response = call("POST", f"{API}/me/visit-calendar", user)
    assert response.status_code == 201, response.json
    return "/" + response.json["url"].split("/", 3)[3]


def test_the_feed_lists_the_teachers_scheduled_visits_in_utc(call, client, world, schedule, propose):
    visit = schedule(windows=[window(3, 10)])  # 10:00 Shanghai = 02:00 UTC
    propose(world.child_a, windows=[window(5, 10)])  # only proposed: not in the calendar
    response = client.get(_feed_path(call, world.teacher_a))  # no bearer token
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    text = response.get_data(as_text=True)
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert text.count("BEGIN:VEVENT") == 1
    assert f"UID:home-visit-{visit['id']}@" in text
    assert re.search(r"DTSTART:\d{8}T020000Z\r\n", text)
    assert "SUMMARY:入户家访：张*明" in text  # masked name, no address
    assert "幸福路" not in text


def test_another_teachers_feed_does_not_show_my_visits(call, client, world, schedule):
    schedule()
    text = client.get(_feed_path(call, world.teacher_c)).get_data(as_text=True)
    assert "BEGIN:VEVENT" not in text


def test_regenerating_ends_the_old_url_and_revoking_ends_the_new(call, client, world):
    old = _feed_path(call, world.teacher_a)
    new = _feed_path(call, world.teacher_a)
    assert client.get(old).json["code"] == "calendar_not_found"
    assert client.get(new).status_code == 200
    assert call("DELETE", f"{API}/me/visit-calendar", world.teacher_a).status_code == 204
    assert client.get(new).status_code == 404
    assert call("DELETE", f"{API}/me/visit-calendar", world.teacher_a).json["code"] == "calendar_not_found"


def test_families_get_no_calendar(call, world):
    response = call("POST", f"{API}/me/visit-calendar", world.guardian_a)
    assert (response.status_code, response.json["code"]) == (403, "staff_only")


def test_long_lines_are_folded_at_75_octets():
    folded = ical._fold("SUMMARY:" + "家访" * 40)
    lines = folded.split("\r\n")
    assert len(lines) > 1 and all(len(line.encode()) <= 75 for line in lines)
    assert all(line.startswith(" ") for line in lines[1:])
    assert "".join(line[1:] if i else line for i, line in enumerate(lines)) == "SUMMARY:" + "家访" * 40


def test_text_values_are_escaped():
    assert ical._escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_a_teacher_who_left_the_school_no_longer_sees_its_visits(call, client, world, schedule, db):
    from jlt_family.organizations.models import StaffMembership

    schedule()
    path = _feed_path(call, world.teacher_a)
    assert client.get(path).get_data(as_text=True).count("BEGIN:VEVENT") == 1
    membership = db.session.query(StaffMembership).filter_by(user_id=world.teacher_a.id).one()
    membership.active_key, membership.revoked_at = None, membership.granted_at
    db.session.commit()
    assert "BEGIN:VEVENT" not in client.get(path).get_data(as_text=True)
