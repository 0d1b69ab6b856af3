"""Scale: the reads and the home-visit coverage reports with 10,000 and with 100,000 families in the database.

    .venv/bin/python -m bench.scale                          # ~5 minutes: 10k then 100k families, 8 s each
    .venv/bin/python -m bench.scale --families 10000 1000000 --seconds 20

For each population: a fresh database (bulk-seeded), SQL statements per request and MariaDB's EXPLAIN of every
SELECT each endpoint runs (which index each table is read by, and how many rows it expects), then wrk at
concurrency 16 against gunicorn with /healthz before and after. Reports how latency grows: the ratio of each
endpoint's p50/p99 (and of its ratio to /healthz, which cancels most of the machine's noise) between the two.
"""

import argparse
import time

import sqlalchemy as sa

from bench import common, reads
from bench.common import log

NAMES = ["courses", "venue_slots", "inbox", "class_coverage", "alliance_coverage"]


def explain(app, path, headers):
    """EXPLAIN of each SELECT one GET of ``path`` runs: [{sql, plan: [table, type, key, rows, extra]}]."""
    from jlt_family.core.extensions import db

    captured = []

    def on_execute(_conn, _cursor, statement, params, _context, _many):
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, params))

    with app.app_context():
        client = app.test_client()
        sa.event.listen(db.engine, "before_cursor_execute", on_execute)
        try:
            client.get(path, headers=headers)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", on_execute)
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            plans = []
            for statement, params in captured:
                sql = cursor.mogrify(statement, params)
                cursor.execute("EXPLAIN " + sql)
                columns = [d[0] for d in cursor.description]
                rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
                plans.append(
                    {
                        "sql": " ".join(sql.split())[:160] + " …",
                        "plan": [
                            f"{r['table']}: {r['type']} {r['key'] or '-'} rows={r['rows']} {r['Extra'] or ''}".strip()
                            for r in rows
                        ],
                    }
                )
        finally:
            raw.close()
    return plans


def run_population(families, args):
    db_name = f"bench_scale_{families}"
    app, url, endpoints, seeded = reads.prepare(db_name, families, args.revision)
    try:
        queries = reads.query_counts(app, {name: endpoints[name] for name in NAMES})
        plans = {name: explain(app, *endpoints[name]) for name in NAMES}
        with common.Gunicorn(url, workers=args.workers, threads=args.threads) as server:
            results = reads.measure(server, endpoints, NAMES, args.concurrency, args.seconds)
    finally:
        if not args.keep:
            common.drop_database(db_name)
    return {
        "families": families,
        "seed_seconds": seeded,
        "sql_statements_per_request": queries,
        "explain": plans,
        "results": results,
    }


def growth(small, large, concurrency):
    """large / small for each endpoint's p50, p99, rps and ratio-to-healthz."""
    out = {}
    key = f"c{concurrency}"
    for name in NAMES:
        a, b = small["results"][key][name], large["results"][key][name]
        out[name] = {
            metric: round(b[metric] / a[metric], 2) if a[metric] else None
            for metric in (
                "p50_ms",
                "p99_ms",
                "rps",
                "p50_ratio_to_healthz",
                "p99_ratio_to_healthz",
                "rps_ratio_to_healthz",
            )
        }
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--families", type=int, nargs=2, default=[10000, 100000])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--revision", default="head")
    parser.add_argument("--label", default="")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)

    info = common.machine()
    started = time.perf_counter()
    small, large = (run_population(n, args) for n in args.families)
    grown = {f"c{c}": growth(small, large, c) for c in args.concurrency}
    for name, g in grown[f"c{args.concurrency[0]}"].items():
        log(f"{name}: p50 x{g['p50_ms']}, p99 x{g['p99_ms']}, p50/healthz x{g['p50_ratio_to_healthz']}")
    common.write_result(
        "scale",
        {
            "label": args.label,
            "machine": info,
            "revision": args.revision,
            "seconds_per_measurement": args.seconds,
            "client": "wrk -t1 (keep-alive)",
            "growth_large_over_small": grown,
            "small": small,
            "large": large,
            "total_seconds": round(time.perf_counter() - started, 1),
        },
    )


if __name__ == "__main__":
    main()
