"""Reads under load: the course catalogue, a venue offering's slots with places per channel, a family's inbox, at
concurrency 16 and 64 against gunicorn + MariaDB, each as a ratio to /healthz of the same server in the same run.

    .venv/bin/python -m bench.reads                  # ~3 minutes: 2,000 families, 10 s per measurement
    .venv/bin/python -m bench.reads --seconds 30     # longer runs
    .venv/bin/python -m bench.reads --profile        # also: pyinstrument profiles of each endpoint (in-process)

Seeds its own database (bench_reads, dropped at the end unless --keep), starts gunicorn on an ephemeral port,
measures the load generator's own ceiling against a trivial server, and stops everything it started.
"""

import argparse
import time
from pathlib import Path

import sqlalchemy as sa

from bench import common, seed
from bench.common import log

RESULTS = Path(__file__).resolve().parent / "results"


def prepare(db_name, families, revision="head", reminders_per_user=5):
    """A seeded database: the demo world plus ``families`` bulk families; the endpoints to measure and who
    calls them. Returns (app, url, endpoints {name: (path, headers)}, seeding seconds)."""
    from jlt_family.alliances.models import Alliance
    from jlt_family.auth.models import User
    from jlt_family.core.extensions import db
    from jlt_family.families.models import Guardian
    from jlt_family.organizations.models import School
    from jlt_family.organizations.students import Student
    from jlt_family.venues.models import Offering

    started = time.perf_counter()
    url = common.create_database(db_name)
    app = common.bench_app(url)
    common.upgrade(app, revision)
    seed.seed_demo(app)
    seed.seed_families(app, families, reminders_per_user=reminders_per_user)
    seed.analyze(app)
    with app.app_context():
        school_id = db.session.scalar(sa.select(School.id).where(School.name == "乌兰浩特市第一小学"))
        # A bench family in the middle of the population whose child is in 第一小学.
        guardian_user_id, class_id = db.session.execute(
            sa.select(Guardian.user_id, Student.class_id)
            .join(Student, Student.family_id == Guardian.family_id)
            .join(User, User.id == Guardian.user_id)
            .where(User.openid.like("bench-%"), Student.school_id == school_id)
            .order_by(Guardian.id)
            .offset(families // 4)
            .limit(1)
        ).one()
        offering_id = db.session.scalar(sa.select(Offering.id).where(Offering.title == "展厅参观"))
        alliance_id = db.session.scalar(sa.select(Alliance.id).order_by(Alliance.id).limit(1))
    tokens = seed.tokens_for(app, openids=("demo-school-admin", "demo-alliance-admin"), user_ids=(guardian_user_id,))

    def bearer(who):
        return {"Authorization": f"Bearer {tokens[who]}"}

    endpoints = {
        "healthz": ("/healthz", {}),
        "courses": ("/api/v1/courses", bearer(guardian_user_id)),
        "venue_slots": (f"/api/v1/venue-offerings/{offering_id}/slots", bearer(guardian_user_id)),
        "inbox": ("/api/v1/me/inbox", bearer(guardian_user_id)),
        "class_coverage": (f"/api/v1/classes/{class_id}/visit-coverage", bearer("demo-school-admin")),
        "alliance_coverage": (f"/api/v1/visit-coverage?alliance_id={alliance_id}", bearer("demo-alliance-admin")),
    }
    return app, url, endpoints, round(time.perf_counter() - started, 1)


def query_counts(app, endpoints):
    counts = {}
    for name, (path, headers) in endpoints.items():
        if name == "healthz":
            continue
        n, status = common.count_queries(app, path, headers)
        if status != 200:
            raise RuntimeError(f"{name}: GET {path} answered {status}")
        counts[name] = n
    return counts


def profile(app, endpoints, label, repeat=200):
    """pyinstrument over ``repeat`` in-process requests of each endpoint; text reports under bench/results/."""
    from pyinstrument import Profiler

    out = RESULTS / "profiles"
    out.mkdir(parents=True, exist_ok=True)
    with app.app_context():
        client = app.test_client()
        for name, (path, headers) in endpoints.items():
            if name == "healthz":
                continue
            client.get(path, headers=headers)
            profiler = Profiler(interval=0.0005)
            started = time.perf_counter()
            profiler.start()
            for _ in range(repeat):
                client.get(path, headers=headers)
            profiler.stop()
            per_request = (time.perf_counter() - started) / repeat * 1000
            text = profiler.output_text(unicode=True, color=False, show_all=False)
            (out / f"{label}-{name}.txt").write_text(f"{repeat} requests, {per_request:.2f} ms each\n\n{text}")
            log(f"profile {name}: {per_request:.2f} ms per request in-process -> {out / f'{label}-{name}.txt'}")


def client_ceiling(seconds, connections=64):
    """wrk against a trivial asyncio server: the load generator's own limit on this machine, right now."""
    with common.trivial_server() as base:
        return common.wrk(base + "/", connections=connections, seconds=seconds)


def measure(server, endpoints, names, concurrencies, seconds):
    """For each concurrency: /healthz, then each endpoint, then /healthz again; ratios to the mean of the two."""
    results = {}
    for connections in concurrencies:
        row = {}
        before = common.wrk(server.base_url + "/healthz", connections=connections, seconds=seconds)
        for name in names:
            path, headers = endpoints[name]
            row[name] = common.wrk(server.base_url + path, connections=connections, seconds=seconds, headers=headers)
            log(
                f"c={connections} {name}: {row[name]['rps']} rps, p50 {row[name]['p50_ms']} ms, "
                f"p99 {row[name]['p99_ms']} ms"
            )
        after = common.wrk(server.base_url + "/healthz", connections=connections, seconds=seconds)
        base = {key: (before[key] + after[key]) / 2 for key in ("rps", "p50_ms", "p95_ms", "p99_ms")}
        row["healthz_before"], row["healthz_after"] = before, after
        for name in names:
            r = row[name]
            r["rps_ratio_to_healthz"] = round(r["rps"] / base["rps"], 3)
            for key in ("p50_ms", "p95_ms", "p99_ms"):
                r[f"{key[:3]}_ratio_to_healthz"] = round(r[key] / base[key], 2) if base[key] else None
        log(f"c={connections} healthz: {before['rps']} then {after['rps']} rps")
        results[f"c{connections}"] = row
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--families", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk measurement")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (gthread)")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    parser.add_argument("--revision", default="head", help="migrate to this revision (an older one: 'before')")
    parser.add_argument("--db", default="bench_reads")
    parser.add_argument("--label", default="", help="a note stored with the results (e.g. before/after)")
    parser.add_argument("--profile", action="store_true", help="also profile each endpoint with pyinstrument")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)

    names = ["courses", "venue_slots", "inbox"]
    info = common.machine()
    app, url, endpoints, seeded = prepare(args.db, args.families, args.revision)
    try:
        queries = query_counts(app, {name: endpoints[name] for name in names})
        log(f"SQL statements per request: {queries}")
        if args.profile:
            profile(app, {name: endpoints[name] for name in names}, f"reads-{args.label or 'run'}")
        ceiling = client_ceiling(args.seconds)
        log(f"wrk against a trivial server: {ceiling['rps']} rps")
        with common.Gunicorn(url, workers=args.workers, threads=args.threads) as server:
            results = measure(server, endpoints, names, args.concurrency, args.seconds)
            gunicorn = " ".join(server.command[1:])
    finally:
        if not args.keep:
            common.drop_database(args.db)
    common.write_result(
        "reads",
        {
            "label": args.label,
            "machine": info,
            "families": args.families,
            "seed_seconds": seeded,
            "revision": args.revision,
            "seconds_per_measurement": args.seconds,
            "gunicorn": gunicorn,
            "client": "wrk -t1 (keep-alive), one connection per concurrency unit",
            "client_ceiling_trivial_server": ceiling,
            "sql_statements_per_request": queries,
            "results": results,
        },
    )


if __name__ == "__main__":
    main()
