"""The tests' clock (time-machine): the whole run at a chosen instant, and tests that own the time of day.

- ``JLT_TEST_CLOCK=2027-08-31T23:50+08:00``, or ``JLT_TEST_CLOCK=02:30`` (today in Shanghai), or ``pytest
  --clock=...`` starts the whole test process at that instant, ticking from there (``tests/conftest.py`` reads
  it), so that CI can run the suite at awkward moments: 02:30 and 23:30 in Shanghai, the night of 31 August to
  1 September. Everything in the process follows it
  (``datetime.now``, ``time.time``, PyJWT, APScheduler, the fake WeChat server's threads); what runs outside it
  (the database server's own clock, child processes, ``time.monotonic``) does not: the code never asks the
  database for the time, and the child processes of the tests get the parent's instant (``process_clock``).
- ``@pytest.mark.shanghai_time("10:00")``: the test runs on the current day (of the process's clock) at that
  time of day in Shanghai, ticking, from before its first fixture; for tests whose expectations hold only at
  some hours (quiet hours 22:00–07:00 defer pushes).
"""

import datetime as dt
import os
import re

import time_machine

from jlt_family.core.timeutil import SHANGHAI, utcnow

ENV = "JLT_TEST_CLOCK"

# A Friday morning well into the autumn term of the factories' school year (2026): for tests of what the demo
# shows a newcomer during a term (``@pytest.mark.time_machine(MID_TERM)``).
MID_TERM = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)


def parse_instant(text):
    """An ISO 8601 instant with its offset (``2027-08-31T23:50+08:00``); a naive one is read in Shanghai, and a
    time of day alone (``02:30``) is today's in Shanghai."""
    text = text.strip()
    if re.fullmatch(r"\d{1,2}:\d{2}", text):
        return today_at(text)
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    return value


def start_process_clock(text):
    """Start the process at ``text``'s instant, ticking; returns the traveller (``.stop()`` ends the travel)."""
    travel = time_machine.travel(parse_instant(text), tick=True)
    travel.start()
    return travel


def today_at(time_of_day):
    """Today (Shanghai, by the current clock) at ``time_of_day`` (``"HH:MM"``), aware."""
    hour, minute = (int(part) for part in time_of_day.split(":"))
    today = utcnow().astimezone(SHANGHAI).date()
    return dt.datetime.combine(today, dt.time(hour, minute), SHANGHAI)


def shanghai_time(time_of_day):
    """A travel (context manager) to today at ``time_of_day`` in Shanghai, ticking."""
    return time_machine.travel(today_at(time_of_day), tick=True)


def process_clock(env=None):
    """The environment for a child process: ``JLT_TEST_CLOCK`` set to this process's current instant (a child
    that calls ``start_from_environment`` starts where the parent's clock is now)."""
    return {**(os.environ if env is None else env), ENV: utcnow().isoformat()}


def start_from_environment():
    """In a child process: travel to ``JLT_TEST_CLOCK`` when it is set."""
    text = os.environ.get(ENV)
    return start_process_clock(text) if text else None
