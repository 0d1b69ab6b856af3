"""Scale check of the evaluation reports: a county with 100,000 students (not part of the test run).

    BENCH_DATABASE_URL='mysql+pymysql://root@127.0.0.1:3306/test_reports?charset=utf8mb4' \
        .venv/bin/python bench/reports_scale.py [students]

Drops and creates every table of that database (use a scratch one), bulk-inserts a county (100 schools, 25 classes
each, 40 students a class, their placements, 60% visited, courses, enrolments, bookings), then times the region,
alliance and school reports and counts their SQL statements.
"""

import datetime as dt
import os
import sys
import time

import sqlalchemy as sa

STUDENTS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
SCHOOLS, CLASSES_PER_SCHOOL, YEAR = 100, 25, 2025
PER_CLASS = max(1, STUDENTS // (SCHOOLS * CLASSES_PER_SCHOOL))


def _insert(conn, table, rows, chunk=5000):
    for start in range(0, len(rows), chunk):
        conn.execute(table.insert(), rows[start : start + chunk])


def build(db):
    from jlt_family.alliances.models import Alliance
    from jlt_family.auth.models import User
    from jlt_family.courses.models import Course, CourseSession, Enrolment
    from jlt_family.families.models import Family, Guardian
    from jlt_family.organizations.models import Region, ResourceUnit, School, SchoolClass
    from jlt_family.organizations.placements import StudentClassPlacement
    from jlt_family.organizations.students import Student
    from jlt_family.venues.models import Booking, Offering, Slot
    from jlt_family.visits.models import HomeVisit

    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    at = dt.datetime(YEAR, 10, 10, 11, tzinfo=dt.UTC)
    with db.engine.begin() as conn:
        conn.execute(Region.__table__.insert(), [{"id": 1, "code": "150000", "name": "县", "level": "county"}])
        conn.execute(User.__table__.insert(), [{"id": 1, "openid": "bench", "nickname": "bench", "created_at": now}])
        conn.execute(
            Alliance.__table__.insert(),
            [
                {
                    "id": a,
                    "name": f"教联体{a}",
                    "region_id": 1,
                    "status": "approved",
                    "description": "",
                    "reminder_lead_minutes": [1440],
                    "quiet_hours_start": dt.time(22),
                    "quiet_hours_end": dt.time(7),
                    "created_at": now,
                }
                for a in range(1, 11)
            ],
        )
        conn.execute(
            School.__table__.insert(),
            [
                {
                    "id": s,
                    "name": f"学校{s}",
                    "kind": "primary",
                    "region_id": 1,
                    "alliance_id": (s - 1) % 10 + 1,
                    "is_alliance_centre": False,
                    "address": "",
                    "created_at": now,
                }
                for s in range(1, SCHOOLS + 1)
            ],
        )
        classes = [
            {
                "id": c,
                "school_id": (c - 1) // CLASSES_PER_SCHOOL + 1,
                "school_year": YEAR,
                "grade": 3,
                "name": f"{c}班",
                "invite_code": f"B{c:07d}",
            }
            for c in range(1, SCHOOLS * CLASSES_PER_SCHOOL + 1)
        ]
        _insert(conn, SchoolClass.__table__, classes)
        students, placements, visits = [], [], []
        n = 0
        for school_class in classes:
            for _ in range(PER_CLASS):
                n += 1
                students.append(
                    {
                        "id": n,
                        "school_id": school_class["school_id"],
                        "class_id": school_class["id"],
                        "student_no": f"S{n:08d}",
                        "name": f"学生{n}",
                        "left_behind": False,
                        "migrant": False,
                        "in_difficulty": False,
                        "disabled": False,
                        "created_at": now,
                    }
                )
                placements.append(
                    {
                        "student_id": n,
                        "class_id": school_class["id"],
                        "from_date": dt.date(YEAR, 9, 1),
                        "open_key": 1,
                        "created_at": now,
                    }
                )
                if n % 5 < 3:
                    visits.append(
                        {
                            "student_id": n,
                            "school_id": school_class["school_id"],
                            "class_id": school_class["id"],
                            "school_year": YEAR,
                            "mode": "home",
                            "purpose": "academic",
                            "note_to_family": "",
                            "state": "completed",
                            "starts_at": at,
                            "ends_at": at + dt.timedelta(hours=1),
                            "proposed_by_id": 1,
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
        _insert(conn, Student.__table__, students)
        _insert(conn, StudentClassPlacement.__table__, placements)
        _insert(conn, HomeVisit.__table__, visits)
        conn.execute(Family.__table__.insert(), [{"id": 1, "home_address": "", "created_at": now}])
        conn.execute(
            Guardian.__table__.insert(),
            [
                {
                    "id": 1,
                    "family_id": 1,
                    "user_id": 1,
                    "relation": "mother",
                    "name": "",
                    "is_primary": True,
                    "joined_at": now,
                }
            ],
        )
        courses, sessions, enrolments = [], [], []
        kinds = ("guidance", "evening_class", "parent_assembly", "parent_meeting")
        for s in range(1, SCHOOLS + 1):
            for k, kind in enumerate(kinds):
                cid = (s - 1) * len(kinds) + k + 1
                courses.append(
                    {
                        "id": cid,
                        "provider_kind": "school",
                        "school_id": s,
                        "title": kind,
                        "description": "",
                        "category": "other",
                        "activity_kind": kind,
                        "format": "offline",
                        "speaker": "",
                        "is_published": True,
                        "created_by_id": 1,
                        "created_at": now,
                    }
                )
                for i in range(3):
                    sid = len(sessions) + 1
                    start = at + dt.timedelta(days=7 * i + k)
                    sessions.append(
                        {
                            "id": sid,
                            "course_id": cid,
                            "starts_at": start,
                            "ends_at": start + dt.timedelta(hours=1),
                            "place": "",
                            "online_url": "",
                            "capacity": 50,
                            "taken": 0,
                            "waitlisted": 0,
                            "waitlist_seq": 0,
                            "learning_hours": 1,
                            "status": "held",
                            "cancel_reason": "",
                            "checkin_salt": f"s{sid}",
                            "created_at": now,
                        }
                    )
        _insert(conn, Course.__table__, courses)
        _insert(conn, CourseSession.__table__, sessions)
        for session in sessions:
            enrolments.append(
                {
                    "session_id": session["id"],
                    "guardian_id": 1,
                    "user_id": 1,
                    "status": "attended",
                    "active_key": 1,
                    "created_at": now,
                }
            )
        _insert(conn, Enrolment.__table__, enrolments)
        conn.execute(
            ResourceUnit.__table__.insert(),
            [
                {
                    "id": 1,
                    "name": "科技馆",
                    "kind": "science_museum",
                    "region_id": 1,
                    "address": "",
                    "opening_info": "",
                    "description": "",
                    "contact_person": "",
                    "contact_phone": "",
                    "is_active": True,
                    "created_at": now,
                }
            ],
        )
        conn.execute(
            Offering.__table__.insert(),
            [
                {
                    "id": 1,
                    "resource_unit_id": 1,
                    "title": "展厅",
                    "kind": "exhibition",
                    "description": "",
                    "duration_minutes": 60,
                    "capacity": 500,
                    "green_quota": 0,
                    "price_kind": "free",
                    "price_cents": 0,
                    "student_price_cents": 0,
                    "booking_opens_days": 14,
                    "booking_closes_minutes": 60,
                    "cancel_closes_minutes": 60,
                    "needs_confirmation": False,
                    "green_auto_confirm": True,
                    "max_party": 5,
                    "is_active": True,
                    "created_at": now,
                }
            ],
        )
        slots, bookings = [], []
        for i in range(200):
            start = at + dt.timedelta(hours=i)
            slots.append(
                {
                    "id": i + 1,
                    "offering_id": 1,
                    "starts_at": start,
                    "ends_at": start + dt.timedelta(hours=1),
                    "capacity": 500,
                    "green_capacity": 0,
                    "green_taken": 0,
                    "general_taken": 0,
                    "status": "open",
                }
            )
        _insert(conn, Slot.__table__, slots)
        for i in range(5000):
            status = ("checked_in", "no_show", "confirmed")[i % 3]
            bookings.append(
                {
                    "slot_id": i % 200 + 1,
                    "resource_unit_id": 1,
                    "kind": "group",
                    "channel": ("green", "general")[i % 2],
                    "class_id": i % len(classes) + 1,
                    "school_id": (i % len(classes)) // CLASSES_PER_SCHOOL + 1,
                    "booked_by_id": 1,
                    "contact_name": "",
                    "adults": 0,
                    "headcount": 3,
                    "is_free": i % 4 != 0,
                    "status": status,
                    "active_key": None if status == "no_show" else 1,
                    "code": f"K{i:09d}",
                    "reason": "",
                    "checked_in_count": 3 if status == "checked_in" else None,
                    "created_at": now,
                }
            )
        _insert(conn, Booking.__table__, bookings)
    return n


def main():
    from config import TestingConfig
    from jlt_family import create_app
    from jlt_family.core.extensions import db

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = os.environ["BENCH_DATABASE_URL"]

    app = create_app(Config)
    with app.app_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        students = build(db)
        print(f"built {students} students in {time.perf_counter() - started:.1f}s")
        from jlt_family.alliances.models import Alliance
        from jlt_family.organizations.models import Region, School
        from jlt_family.reports import service
        from jlt_family.reports.periods import resolve_period

        region = db.session.get(Region, 1)
        period = resolve_period(region, YEAR, "autumn")
        for name, run in (
            ("region", lambda: service.region_report(region, period)),
            ("alliance", lambda: service.alliance_report(db.session.get(Alliance, 1), period)),
            ("school", lambda: service.school_report(db.session.get(School, 1), period)),
        ):
            statements = []

            def count(*_args, statements=statements):
                statements.append(1)

            sa.event.listen(db.engine, "before_cursor_execute", count)
            started = time.perf_counter()
            report = run()
            elapsed = time.perf_counter() - started
            sa.event.remove(db.engine, "before_cursor_execute", count)
            print(
                f"{name}: {elapsed * 1000:.0f} ms, {len(statements)} statements, students "
                f"{report['coverage']['students']}, visited {report['coverage']['visited']}, "
                f"bookings {report['bookings']['total']}"
            )
        db.session.remove()
        if os.environ.get("BENCH_KEEP") is None:
            db.drop_all()


if __name__ == "__main__":
    main()
