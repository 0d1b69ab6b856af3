"""Contention: 2,000 family booking attempts on 40 venue slots of 50 places, over gunicorn + MariaDB.

    .venv/bin/python -m bench.contention                      # ~1 minute
    .venv/bin/python -m bench.contention --attempts 10000 --families 10000

Each attempt is one family booking one child (one place) on the general channel of a slot chosen with a skewed
(harmonic) distribution, so the first slots are wanted by hundreds of families and the last by a few. Reports
bookings per second, latency percentiles, and the proof that the counts are exact: every slot's booked places
equal its taken counter and stay within its 50 places, the 201 answers equal the booking rows, and every other
answer is a refusal with a stable code. The client is Python (keep-alive connections, several processes); its
own ceiling is measured against a trivial server in the same run.
"""

import argparse
import datetime as dt
import random
from collections import Counter

import sqlalchemy as sa

from bench import common, seed
from bench.common import log

EXPECTED_REFUSALS = {"general_full"}  # the one stable code a full slot answers on the general channel


def prepare(db_name, families, slots, places, revision="head"):
    from jlt_family.auth.models import User
    from jlt_family.core.extensions import db
    from jlt_family.families.models import Guardian
    from jlt_family.organizations.models import ResourceUnit
    from jlt_family.organizations.students import Student
    from jlt_family.venues.models import Offering, OfferingKind, Slot

    url = common.create_database(db_name)
    app = common.bench_app(url)
    common.upgrade(app, revision)
    seed.seed_demo(app)
    seed.seed_families(app, families, reminders_per_user=0, visited_share=0)
    with app.app_context():
        unit = db.session.scalar(sa.select(ResourceUnit).where(ResourceUnit.name == "兴安盟科技馆"))
        offering = Offering(
            resource_unit=unit,
            title="压测专场",
            kind=OfferingKind.EXHIBITION,
            capacity=places,
            green_quota=0,
            duration_minutes=60,
            booking_opens_days=30,
            needs_confirmation=False,
            max_party=5,
        )
        db.session.add(offering)
        db.session.flush()
        start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
        slot_rows = [
            Slot(
                offering_id=offering.id,
                starts_at=start + dt.timedelta(hours=k),
                ends_at=start + dt.timedelta(hours=k, minutes=60),
                capacity=places,
                green_capacity=0,
            )
            for k in range(slots)
        ]
        db.session.add_all(slot_rows)
        db.session.commit()
        slot_ids = [s.id for s in slot_rows]
        parties = db.session.execute(
            sa.select(Guardian.user_id, Student.id)
            .join(Student, Student.family_id == Guardian.family_id)
            .join(User, User.id == Guardian.user_id)
            .where(User.openid.like("bench-%"))
            .order_by(Guardian.id)
        ).all()
    tokens = seed.tokens_for(app, user_ids=[user_id for user_id, _ in parties])
    return app, url, slot_ids, [(tokens[user_id], child_id) for user_id, child_id in parties]


def verify(app, slot_ids, results, booked_ids, places):
    """The proof that the counts are exact (each check's outcome, all must be true)."""
    from jlt_family.core.extensions import db
    from jlt_family.venues.models import HOLDING, Booking, Slot

    with app.app_context():
        taken = dict(
            db.session.execute(
                sa.select(Slot.id, Slot.general_taken + Slot.green_taken).where(Slot.id.in_(slot_ids))
            ).all()
        )
        held = dict(
            db.session.execute(
                sa.select(Booking.slot_id, sa.func.sum(Booking.headcount))
                .where(Booking.slot_id.in_(slot_ids), Booking.status.in_(HOLDING))
                .group_by(Booking.slot_id)
            ).all()
        )
        rows = db.session.scalar(sa.select(sa.func.count()).select_from(Booking).where(Booking.slot_id.in_(slot_ids)))
    codes = Counter(code for status, code, _ms in results if status != 201)
    statuses = Counter(status for status, _code, _ms in results)
    return {
        "places_per_slot_within_capacity": all(int(held.get(s, 0)) <= places for s in slot_ids),
        "booked_places_equal_taken_counters": all(int(held.get(s, 0)) == taken[s] for s in slot_ids),
        "answers_201_equal_booking_rows": statuses[201] == rows == len(booked_ids),
        "every_other_answer_a_stable_refusal": set(codes) <= EXPECTED_REFUSALS
        and all(status == 409 for status in statuses if status != 201),
        "statuses": {str(k): v for k, v in statuses.items()},
        "refusal_codes": dict(codes),
        "booking_rows": rows,
        "slots_full": sum(1 for s in slot_ids if taken[s] == places),
        "places_taken": sum(taken.values()),
        "places_offered": places * len(slot_ids),
    }


def client_ceiling(processes, threads, n=20000):
    """The Python client against a trivial server: its own limit on this machine, right now."""
    with common.trivial_server() as base:
        results, wall = common.run_calls(base, [("GET", "/", {}, None)] * n, processes=processes, threads=threads)
    return {"rps": round(n / wall, 1), **common.percentiles([ms for _s, _c, ms in results])}


def healthz_rate(base_url, processes, threads, n=5000):
    """The same client on the same server's /healthz: the baseline of this run (the machine is shared)."""
    results, wall = common.run_calls(
        base_url, [("GET", "/healthz", {}, None)] * n, processes=processes, threads=threads
    )
    return {"rps": round(n / wall, 1), **common.percentiles([ms for _s, _c, ms in results])}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--attempts", type=int, default=2000)
    parser.add_argument("--families", type=int, default=None, help="default: one per attempt")
    parser.add_argument("--slots", type=int, default=40)
    parser.add_argument("--places", type=int, default=50)
    parser.add_argument("--processes", type=int, default=4, help="client processes")
    parser.add_argument("--threads", type=int, default=8, help="client threads (connections) per process")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--server-threads", type=int, default=8)
    parser.add_argument("--revision", default="head")
    parser.add_argument("--db", default="bench_contention")
    parser.add_argument("--label", default="")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    families = args.families or args.attempts

    info = common.machine()
    app, url, slot_ids, parties = prepare(args.db, families, args.slots, args.places, args.revision)
    rng = random.Random(2026)
    weights = [1 / (k + 1) for k in range(len(slot_ids))]
    calls = []
    for i in range(args.attempts):
        token, child_id = parties[i % len(parties)]
        slot_id = rng.choices(slot_ids, weights)[0]
        calls.append(
            (
                "POST",
                f"/api/v1/venue-slots/{slot_id}/bookings",
                {"Authorization": f"Bearer {token}"},
                {"channel": "general", "child_ids": [child_id], "adults": 0},
            )
        )
    try:
        ceiling = client_ceiling(args.processes, args.threads)
        log(f"Python client against a trivial server: {ceiling['rps']} rps")
        with common.Gunicorn(url, workers=args.workers, threads=args.server_threads) as server:
            health = healthz_rate(server.base_url, args.processes, args.threads)
            log(f"/healthz through the same client and server: {health['rps']} rps")
            results, wall = common.run_calls(server.base_url, calls, processes=args.processes, threads=args.threads)
            gunicorn = " ".join(server.command[1:])
        retries = server.lock_conflict_retries
        booked = [i for i, (status, _c, _ms) in enumerate(results) if status == 201]
        proof = verify(app, slot_ids, results, booked, args.places)
    finally:
        if not args.keep:
            common.drop_database(args.db)
    latencies = [ms for _s, _c, ms in results]
    ok = all(v for k, v in proof.items() if k.startswith(("places_", "booked_", "answers_", "every_")))
    log(f"{len(booked)} booked of {args.attempts} in {wall:.1f} s; counts exact: {ok}")
    common.write_result(
        "contention",
        {
            "label": args.label,
            "machine": info,
            "revision": args.revision,
            "attempts": args.attempts,
            "slots": args.slots,
            "places_per_slot": args.places,
            "gunicorn": gunicorn,
            "client": f"Python http.client keep-alive, {args.processes} processes x {args.threads} threads",
            "client_ceiling_trivial_server": ceiling,
            "healthz_same_run": health,
            "wall_seconds": round(wall, 2),
            "attempts_per_second": round(args.attempts / wall, 1),
            "attempts_rate_ratio_to_healthz": round(args.attempts / wall / health["rps"], 4),
            "bookings": len(booked),
            "bookings_per_second": round(len(booked) / wall, 1),
            "latency_all": common.percentiles(latencies),
            "latency_booked": common.percentiles([results[i][2] for i in booked]),
            "latency_refused": common.percentiles([ms for s, _c, ms in results if s != 201]),
            "deadlock_retries_in_server_log": retries,
            "counts_exact": ok,
            "proof": proof,
        },
    )
    if not ok:
        raise SystemExit("the counts are NOT exact")


if __name__ == "__main__":
    main()
