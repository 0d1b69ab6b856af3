"""What every benchmark shares: its own MariaDB database, the app in-process (seeding, query counts), gunicorn on
an ephemeral port, the wrk load generator and a keep-alive Python client, and the percentiles they report.

Nothing here is imported by the application or the tests.
"""

import contextlib
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pymysql
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
MYSQL_HOST = os.environ.get("BENCH_MYSQL_HOST", "127.0.0.1")
MYSQL_PORT = int(os.environ.get("BENCH_MYSQL_PORT", "3306"))
MYSQL_USER = os.environ.get("BENCH_MYSQL_USER", "root")
MYSQL_PASSWORD = os.environ.get("BENCH_MYSQL_PASSWORD", "")
SECRET_KEY = "bench-secret-key-0123456789abcdef0123456789abcdef"
WECHAT_APPID, WECHAT_SECRET = "wx-fake-appid", "fake-secret"  # the fake server's defaults


def log(*parts):
    print(time.strftime("%H:%M:%S"), *parts, file=sys.stderr, flush=True)


# ---- databases ----------------------------------------------------------------------------------------------------


def database_url(name):
    auth = MYSQL_USER + (f":{MYSQL_PASSWORD}" if MYSQL_PASSWORD else "")
    return f"mysql+pymysql://{auth}@{MYSQL_HOST}:{MYSQL_PORT}/{name}?charset=utf8mb4"


def _server():
    return pymysql.connect(host=MYSQL_HOST, port=MYSQL_PORT, user=MYSQL_USER, password=MYSQL_PASSWORD)


def create_database(name):
    """A fresh, empty ``bench_*`` database (dropped first if it exists)."""
    if not re.fullmatch(r"bench_[a-z0-9_]+", name):
        raise ValueError(f"benchmark databases are named bench_*, not {name!r}")
    with contextlib.closing(_server()) as conn, conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    return database_url(name)


def drop_database(name):
    if not name.startswith("bench_"):
        raise ValueError(name)
    with contextlib.closing(_server()) as conn, conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{name}`")


def server_version():
    with contextlib.closing(_server()) as conn, conn.cursor() as cur:
        cur.execute("SELECT VERSION()")
        return cur.fetchone()[0]


# ---- the app in-process -------------------------------------------------------------------------------------------


def bench_app(url, **settings):
    """The app on ``url`` in this process (production-like settings): for migrating, seeding, counting queries."""
    from config import ProductionConfig
    from jlt_family import create_app

    class BenchConfig(ProductionConfig):
        SQLALCHEMY_DATABASE_URI = url
        SECRET_KEY = globals()["SECRET_KEY"]
        WECHAT_APPID, WECHAT_SECRET = globals()["WECHAT_APPID"], globals()["WECHAT_SECRET"]
        LOG_LEVEL = "WARNING"

    for key, value in settings.items():
        setattr(BenchConfig, key, value)
    return create_app(BenchConfig)


def upgrade(app, revision="head"):
    """The schema by the migrations (``revision`` "head", or an older one for a "before" run)."""
    import logging

    from flask_migrate import upgrade as flask_upgrade

    logging.getLogger("alembic").setLevel(logging.WARNING)
    with app.app_context():
        flask_upgrade(revision=revision)


def count_queries(app, path, headers):
    """SQL statements one GET of ``path`` runs (a SQLAlchemy event around the Flask test client) and its status."""
    from jlt_family.core.extensions import db

    with app.app_context():
        client = app.test_client()
        client.get(path, headers=headers)  # warm up (access-token caches, first-request work)
        counted = []

        def on_execute(*_args):
            counted.append(1)

        sa.event.listen(db.engine, "before_cursor_execute", on_execute)
        try:
            response = client.get(path, headers=headers)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", on_execute)
        return len(counted), response.status_code


# ---- gunicorn -----------------------------------------------------------------------------------------------------


class Gunicorn:
    """gunicorn serving ``app:app`` on 127.0.0.1 and a port the OS picks (``-b 127.0.0.1:0``); stopped on exit."""

    def __init__(self, url, *, workers=2, threads=8, extra_env=None):
        self.url, self.workers, self.threads = url, workers, threads
        self.extra_env = extra_env or {}
        self.proc = None
        self.base_url = None
        self.command = None

    def __enter__(self):
        env = {
            **os.environ,
            "APP_ENV": "production",
            "DATABASE_URL": self.url,
            "SECRET_KEY": SECRET_KEY,
            "WECHAT_APPID": WECHAT_APPID,
            "WECHAT_SECRET": WECHAT_SECRET,
            "LOG_LEVEL": "INFO",
            **self.extra_env,
        }
        self.command = [
            str(VENV_BIN / "gunicorn"),
            "-b",
            "127.0.0.1:0",
            "-w",
            str(self.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(self.threads),
            "--keep-alive",
            "30",
            "--log-level",
            "info",
            "app:app",
        ]
        self._log = tempfile.NamedTemporaryFile("w+", prefix="bench-gunicorn-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(
            self.command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            text = Path(self._log.name).read_text()
            match = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", text)
            booted = text.count("Booting worker")
            if match and booted >= self.workers:
                self.base_url = f"http://127.0.0.1:{match.group(1)}"
                break
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{text}")
            time.sleep(0.2)
        else:
            self.__exit__()
            raise RuntimeError("gunicorn did not start in 60 s")
        _wait_http(self.base_url + "/readyz")
        return self

    def __exit__(self, *_exc):
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()
        lines = Path(self._log.name).read_text().splitlines()
        # The app logs each request it runs again after InnoDB rolled it back as a deadlock victim.
        self.lock_conflict_retries = sum("lock conflict" in line for line in lines)
        errors = [line for line in lines if "Traceback" in line or "ERROR" in line]
        if errors:
            log(f"gunicorn logged {len(errors)} error lines; see {self._log.name}")
        else:
            os.unlink(self._log.name)


def _wait_http(url, timeout=30):
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
            conn.request("GET", parts.path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer 200")


# ---- wrk ----------------------------------------------------------------------------------------------------------

WRK_SCRIPT = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean))
end
"""


def wrk(url, *, connections, seconds, headers=None, threads=1):
    """One wrk run: requests per second and latency percentiles (ms). wrk is from Debian (apt-get install wrk)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    command = [
        "wrk",
        "-t",
        str(min(threads, connections)),
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
        "--timeout",
        "10s",
        "-s",
        script.name,
    ]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    finally:
        os.unlink(script.name)
    data = json.loads(out.split("WRKJSON ", 1)[1].splitlines()[0])
    seconds_run = data["duration_us"] / 1e6
    return {
        "rps": round(data["requests"] / seconds_run, 1),
        "requests": data["requests"],
        "p50_ms": data["p50_us"] / 1000,
        "p95_ms": data["p95_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "non_2xx": data["non_2xx"],
        "socket_errors": data["socket_errors"],
    }


def wrk_command_line(connections, seconds, path):
    return (
        f"wrk -t 1 -c {connections} -d {seconds}s --timeout 10s -s <percentiles.lua> -H 'Authorization: Bearer …' "
        f"http://127.0.0.1:<port>{path}"
    )


# ---- a trivial responder: how fast the client can go at all -------------------------------------------------------


TRIVIAL_SERVER = r"""
import asyncio, sys
BODY = b'{"status":"ok"}'
RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(BODY)) + BODY

async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            writer.write(RESPONSE)
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()

async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()

asyncio.run(main())
"""


@contextlib.contextmanager
def trivial_server():
    """A one-process asyncio server answering a fixed JSON body: a ceiling far above the app's, so a client that
    reaches many times the app's rate against it is not what limits the app's numbers."""
    proc = subprocess.Popen([sys.executable, "-c", TRIVIAL_SERVER], stdout=subprocess.PIPE, text=True)
    try:
        port = int(proc.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


# ---- a keep-alive Python client in several processes -------------------------------------------------------------


def _client_worker(args):
    """Run this worker's share of the calls on ``threads`` keep-alive connections; (status, code, ms) each."""
    import http.client
    from concurrent.futures import ThreadPoolExecutor
    from urllib.parse import urlsplit

    base_url, calls, threads = args
    parts = urlsplit(base_url)
    local = threading.local()

    def one(call):
        method, path, headers, body = call
        data = json.dumps(body).encode() if body is not None else None
        headers = {**headers, **({"Content-Type": "application/json"} if data is not None else {})}
        for _attempt in range(2):  # a keep-alive connection the server closed: reconnect once
            conn = getattr(local, "conn", None)
            if conn is None:
                conn = local.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            started = time.perf_counter()
            try:
                conn.request(method, path, body=data, headers=headers)
                response = conn.getresponse()
                raw = response.read()
            except (http.client.HTTPException, OSError):
                conn.close()
                local.conn = None
                continue
            ms = (time.perf_counter() - started) * 1000
            code = None
            if response.status >= 400:
                try:
                    code = json.loads(raw).get("code")
                except ValueError:
                    code = "unparseable"
            return response.status, code, ms
        return "exception", "connection_failed", 0.0

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, calls))


def run_calls(base_url, calls, *, processes=4, threads=8):
    """All ``calls`` ((method, path, headers, json)) at concurrency processes × threads over keep-alive
    connections; returns (results in order, wall seconds)."""
    from concurrent.futures import ProcessPoolExecutor

    shares = [calls[i::processes] for i in range(processes)]
    started = time.perf_counter()
    with ProcessPoolExecutor(processes) as pool:
        parts = list(pool.map(_client_worker, [(base_url, share, threads) for share in shares]))
    wall = time.perf_counter() - started
    results = [None] * len(calls)
    for i, part in enumerate(parts):
        for j, result in enumerate(part):
            results[i + j * processes] = result
    return results, wall


def percentiles(values, points=(50, 95, 99)):
    ordered = sorted(values)
    if not ordered:
        return {f"p{p}_ms": None for p in points}
    return {
        f"p{p}_ms": round(ordered[min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1)], 2)
        for p in points
    }


# ---- the machine ---------------------------------------------------------------------------------------------------


def machine():
    """What RESULTS.md records about the machine and the software."""
    import importlib.metadata as md

    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    load = os.getloadavg()
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "cpu": next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        ),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "mariadb": server_version(),
        "gunicorn": md.version("gunicorn"),
        "flask": md.version("flask"),
        "sqlalchemy": md.version("sqlalchemy"),
        "pymysql": md.version("pymysql"),
        "wrk": wrk_version[0] if wrk_version else "?",
        "loadavg_at_start": [round(x, 2) for x in load],
    }


def write_result(name, data):
    """Append the run's JSON to bench/results/<name>.jsonl (raw numbers for RESULTS.md) and print it."""
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    line = json.dumps({"at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **data}, ensure_ascii=False)
    with open(out / f"{name}.jsonl", "a") as handle:
        handle.write(line + "\n")
    print(json.dumps(data, ensure_ascii=False, indent=2))
