"""Seeding a benchmark database fast: the demo world by the ORM (a few hundred rows), then families, guardians,
children, classes, home visits and inbox reminders in bulk (explicit ids, multi-row INSERTs of 5,000 rows), so
100,000 families take about a minute rather than an hour of one-row ORM flushes.
"""

import datetime as dt
import random
import time

import sqlalchemy as sa

from bench.common import log

CHUNK = 5000
SCHOOL_YEAR = 2026  # the demo's school year (jlt_family.demo.SCHOOL_YEAR)
PUPILS_PER_CLASS = 40
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "子涵欣怡梓轩浩宇一诺雨桐宇轩思彤俊杰佳怡晨阳梦琪博文诗涵家豪若汐"


def _next_id(conn, table):
    return (conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one()) + 1


def insert_rows(conn, table, rows):
    """Multi-row INSERTs of ``rows`` in chunks (Python-side column defaults are applied)."""
    for start in range(0, len(rows), CHUNK):
        conn.execute(table.insert(), rows[start : start + CHUNK])


def seed_demo(app):
    """The demo world (regions, the alliance, schools, units, courses, venues, visits, reminders), committed."""
    from jlt_family.core.extensions import db
    from jlt_family.devtools.demo import seed_demo as demo

    started = time.perf_counter()
    with app.app_context():
        demo()
        db.session.commit()
    log(f"demo world seeded in {time.perf_counter() - started:.1f} s")


def _name(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN[::2]) + rng.choice(GIVEN[1::2])


def seed_families(app, families, *, reminders_per_user=5, visited_share=0.3, with_openid=True, seed=8):
    """``families`` families of one guardian (a user) and one child each, in new classes of 40 of the demo
    alliance's two primary schools; ``visited_share`` of the children with a completed home visit this school
    year; ``reminders_per_user`` inbox reminders (already sent) per guardian. Returns what the benchmarks need."""
    from jlt_family.auth.models import User
    from jlt_family.core.extensions import db
    from jlt_family.families.models import Family, Guardian
    from jlt_family.organizations.models import School, SchoolClass
    from jlt_family.organizations.students import Student
    from jlt_family.reminders.models import Reminder
    from jlt_family.visits.models import HomeVisit

    rng = random.Random(seed)
    started = time.perf_counter()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with app.app_context():
        schools = db.session.execute(
            sa.select(School.id, School.alliance_id)
            .where(School.name.in_(("乌兰浩特市第一小学", "乌兰浩特市第七小学")))
            .order_by(School.id)
        ).all()
        teacher_id = db.session.scalar(sa.select(User.id).where(User.openid == "demo-teacher-1"))
        tables = {m: m.__table__ for m in (User, Family, Guardian, Student, SchoolClass, HomeVisit, Reminder)}
        with db.engine.begin() as conn:
            ids = {m: _next_id(conn, t) for m, t in tables.items()}
            n_classes = -(-families // PUPILS_PER_CLASS)
            classes = [
                {
                    "id": ids[SchoolClass] + k,
                    "school_id": schools[k % len(schools)].id,
                    "school_year": SCHOOL_YEAR,
                    "grade": 1 + k % 6,
                    "name": f"压测{k + 1}班",
                    "invite_code": f"BN{k:08d}",
                }
                for k in range(n_classes)
            ]
            insert_rows(conn, tables[SchoolClass], classes)
            users, family_rows, guardians, students, visits, reminders = [], [], [], [], [], []
            reminder_id = ids[Reminder]
            for i in range(families):
                user_id, family_id, student_id = ids[User] + i, ids[Family] + i, ids[Student] + i
                school_class = classes[i // PUPILS_PER_CLASS]
                users.append(
                    {
                        "id": user_id,
                        "openid": f"bench-{i}" if with_openid else None,
                        "nickname": f"家长{i}",
                        "created_at": now,
                    }
                )
                family_rows.append(
                    {"id": family_id, "home_address": f"乌兰浩特市兴安街道{i % 300 + 1}号", "created_at": now}
                )
                guardians.append(
                    {
                        "id": ids[Guardian] + i,
                        "family_id": family_id,
                        "user_id": user_id,
                        "relation": "mother" if i % 2 else "father",
                        "name": _name(rng),
                        "is_primary": True,
                        "joined_at": now,
                    }
                )
                flags = rng.random() < 0.08
                students.append(
                    {
                        "id": student_id,
                        "school_id": school_class["school_id"],
                        "class_id": school_class["id"],
                        "family_id": family_id,
                        "student_no": f"B{i:09d}",
                        "name": _name(rng),
                        "gender": "female" if i % 2 else "male",
                        "birth_date": dt.date(2026 - 6 - school_class["grade"], 1 + i % 12, 1 + i % 28),
                        "left_behind": flags,
                        "migrant": False,
                        "in_difficulty": False,
                        "disabled": False,
                        "created_at": now,
                    }
                )
                if rng.random() < visited_share:
                    when = now - dt.timedelta(days=1 + i % 60)
                    visits.append(
                        {
                            "student_id": student_id,
                            "school_id": school_class["school_id"],
                            "class_id": school_class["id"],
                            "school_year": SCHOOL_YEAR,
                            "mode": "home",
                            "purpose": "family_education",
                            "state": "completed",
                            "awaiting": None,
                            "starts_at": when,
                            "ends_at": when + dt.timedelta(hours=1),
                            "proposed_by_id": teacher_id,
                            "created_at": when,
                            "updated_at": when,
                        }
                    )
                for r in range(reminders_per_user):
                    at = now - dt.timedelta(hours=6 * r + i % 6)
                    reminders.append(
                        {
                            "id": reminder_id,
                            "user_id": user_id,
                            "kind": "broadcast",
                            "subject_type": "broadcast",
                            "subject_id": r + 1,
                            "alliance_id": schools[0].alliance_id,
                            "title": f"教联体通知第{r + 1}期",
                            "body": "本周六上午科技馆开放日，欢迎家长带孩子参加。",
                            "inbox_at": at,
                            "due_at": at,
                            "status": "sent",
                            "next_attempt_at": at,
                            "sent_at": at,
                            "read_at": at if r % 2 else None,
                            "created_at": at,
                        }
                    )
                    reminder_id += 1
            for model, rows in (
                (User, users),
                (Family, family_rows),
                (Guardian, guardians),
                (Student, students),
                (HomeVisit, visits),
                (Reminder, reminders),
            ):
                insert_rows(conn, tables[model], rows)
    log(
        f"{families} families, {len(students)} children, {n_classes} classes, {len(visits)} visits, "
        f"{len(reminders)} reminders seeded in {time.perf_counter() - started:.1f} s"
    )
    return {
        "first_user_id": ids[User],
        "first_class_id": ids[SchoolClass],
        "classes": n_classes,
        "seconds": round(time.perf_counter() - started, 1),
    }


def tokens_for(app, openids=(), user_ids=()):
    """Signed session tokens (as the sign-in would issue them) for these users: {openid or user id: token}."""
    from jlt_family.auth.models import User
    from jlt_family.auth.service import issue_session
    from jlt_family.core.extensions import db

    tokens = {}
    with app.app_context():
        users = list(db.session.scalars(sa.select(User).where(User.openid.in_(openids)))) if openids else []
        users += list(db.session.scalars(sa.select(User).where(User.id.in_(user_ids)))) if user_ids else []
        for user in users:
            token, _session = issue_session(user, client="bench")
            tokens[user.openid if user.openid in openids else user.id] = token
        db.session.commit()
    return tokens


def analyze(app):
    """Fresh index statistics after a bulk load (what the optimiser would have after a while in production)."""
    from jlt_family.core.extensions import db

    with app.app_context(), db.engine.begin() as conn:
        for name in ("user", "family", "guardian", "student", "school_class", "home_visit", "reminder"):
            conn.execute(sa.text(f"ANALYZE TABLE `{name}`"))
