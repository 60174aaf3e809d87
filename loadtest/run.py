"""`make loadtest`: gunicorn on the 100,000-statement PostgreSQL database, driven by locust.

Creates the database when missing (LOAD_FRESH=1: drops it first) and fills it once
(`make_fake_corpus`), serves it with production settings on 127.0.0.1 (gunicorn sized by
newsroom/gunicorn.conf.py), runs locust headless for a bounded time (50 users pausing
5-15 s between pages, each starting at a random moment of a first pause), then the stress
variant: users paced at rising request rates,
LOAD_STRESS_SECONDS each, until p95 passes STRESS_P95_MS or requests fail; it prints the
highest rate that stayed within. Stops everything, and prints as its last line the first
run's `requests N, failures F, p95 X ms`.
Environment: LOAD_DB, LOAD_PORT, LOAD_USERS, LOAD_SECONDS, LOAD_STATEMENTS, LOAD_WAIT,
LOAD_FRESH, LOAD_STRESS (0 skips it), LOAD_STRESS_RATES, LOAD_STRESS_SECONDS, WEB_WORKERS,
WEB_THREADS.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg

PROJECT = Path(__file__).resolve().parent.parent
PY = sys.executable
BIN = Path(PY).parent
DB = os.environ.get("LOAD_DB", "newsroom_perf_load")
PORT = int(os.environ.get("LOAD_PORT", "8104"))
USERS = int(os.environ.get("LOAD_USERS", "50"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
STATEMENTS = int(os.environ.get("LOAD_STATEMENTS", "100000"))
FRESH = os.environ.get("LOAD_FRESH", "") == "1"
STRESS = os.environ.get("LOAD_STRESS", "1") != "0"
STRESS_RATES = [
    float(r) for r in os.environ.get("LOAD_STRESS_RATES", "5,10,15,20,30,40,60,80").split(",")
]
STRESS_SECONDS = int(os.environ.get("LOAD_STRESS_SECONDS", "30"))
STRESS_USERS = 40
STRESS_P95_MS = 300
SERVER = "postgres://postgres@127.0.0.1:5432"


def say(message: str) -> None:
    print(f"loadtest: {message}", file=sys.stderr, flush=True)


def production_env(static_root: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DATABASE_URL=f"{SERVER}/{DB}",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_ROOT=static_root,
        LOG_LEVEL="ERROR",
    )
    return env


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=PROJECT, env=env, check=True)


def prepare_database(env: dict[str, str]) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        if FRESH:
            say(f"dropping {DB} (LOAD_FRESH=1)")
            conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone():
            say(f"creating database {DB}")
            conn.execute(f'CREATE DATABASE "{DB}"')
    manage("migrate", "--noinput", "-v", "0", env=env)
    manage("createcachetable", env=env)
    with psycopg.connect(f"{SERVER}/{DB}") as conn:
        count = conn.execute("SELECT count(*) FROM statements_quote").fetchone()[0]
    if count < STATEMENTS:
        say(f"filling {DB} with {STATEMENTS:,} statements (once; a few minutes)")
        manage("make_fake_corpus", "--statements", str(STATEMENTS), "--flush", env=env)
        with psycopg.connect(f"{SERVER}/{DB}", autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
    else:
        say(f"{DB} already holds {count:,} statements")


def write_sample(path: Path) -> None:
    """Slugs, ids and codes that exist, for the locust users to ask for."""
    queries = {
        "speakers": "SELECT slug FROM statements_speaker ORDER BY random() LIMIT 300",
        "articles": "SELECT id FROM statements_article ORDER BY random() LIMIT 300",
        "countries": "SELECT DISTINCT country_id FROM statements_quote_countries LIMIT 100",
        "topics": "SELECT slug FROM statements_topic",
    }
    with psycopg.connect(f"{SERVER}/{DB}") as conn:
        sample = {k: [row[0] for row in conn.execute(q)] for k, q in queries.items()}
    path.write_text(json.dumps(sample))


def wait_until_up(timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}/healthz", headers={"X-Forwarded-Proto": "https"}
    )
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError:
            return  # gunicorn answers; /healthz says 503 because no task worker runs here
        except OSError:
            time.sleep(0.5)
    raise SystemExit("loadtest: gunicorn did not answer /healthz in time")


def percentile(times: dict[float, int], fraction: float) -> float:
    """From locust's response-time histogram (rounded milliseconds -> count)."""
    total, seen = sum(times.values()), 0
    for ms in sorted(times):
        seen += times[ms]
        if seen >= fraction * total:
            return ms
    return 0.0


def totals(stats_json: Path, *, table: bool = True) -> tuple[int, int, float]:
    """(requests, failures, p95 ms) from locust's JSON (its CSV is written before the last
    requests of the stop timeout finish), with a table per endpoint on standard error."""
    entries = sorted(json.loads(stats_json.read_text()), key=lambda e: e["name"])
    everything: dict[float, int] = {}
    if table:
        say(f"{'endpoint':<22} {'requests':>8} {'failures':>8} {'median':>7} {'p95':>7} {'max':>7}")
    for e in entries:
        times = {float(ms): n for ms, n in e["response_times"].items()}
        for ms, n in times.items():
            everything[ms] = everything.get(ms, 0) + n
        if table:
            say(
                f"{e['name']:<22} {e['num_requests']:>8} {e['num_failures']:>8} "
                f"{percentile(times, 0.5):>7.0f} {percentile(times, 0.95):>7.0f} "
                f"{e['max_response_time']:>7.0f}"
            )
    requests = sum(e["num_requests"] for e in entries)
    failures = sum(e["num_failures"] for e in entries)
    return requests, failures, percentile(everything, 0.95)


def summary(stats_json: Path) -> str:
    requests, failures, p95 = totals(stats_json)
    return f"requests {requests}, failures {failures}, p95 {p95:.0f} ms"


def locust(env: dict[str, str], prefix: Path, *, users: int, seconds: int) -> None:
    subprocess.run(
        [str(BIN / "locust"), "-f", str(PROJECT / "loadtest" / "locustfile.py"),
         "--headless", "--users", str(users), "--spawn-rate", str(max(users // 5, 1)),
         "--run-time", f"{seconds}s", "--stop-timeout", "10",
         "--host", f"http://127.0.0.1:{PORT}", "--json-file", str(prefix),
         "--only-summary", "--loglevel", "WARNING"],
        cwd=PROJECT, env=env, timeout=seconds + 180, check=False,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def stress(env: dict[str, str], tmp: Path) -> str:
    """Offer rising request rates (STRESS_USERS users, each paced); the highest achieved
    rate whose p95 stayed within STRESS_P95_MS, without failures."""
    best = None
    for rate in STRESS_RATES:
        prefix = tmp / f"stress-{rate:g}"
        step_env = {**env, "LOAD_USER_RATE": str(rate / STRESS_USERS)}
        load = os.getloadavg()[0]
        locust(step_env, prefix, users=STRESS_USERS, seconds=STRESS_SECONDS)
        requests, failures, p95 = totals(Path(f"{prefix}.json"), table=False)
        achieved = requests / STRESS_SECONDS
        say(
            f"stress: offered {rate:g} req/s, served {achieved:.1f} req/s, p95 {p95:.0f} ms, "
            f"{failures} failures (load average before {load:.2f})"
        )
        if failures or p95 > STRESS_P95_MS or achieved < 0.8 * rate:
            break
        best = achieved
    if best is None:
        return f"stress: no rate tried kept p95 <= {STRESS_P95_MS} ms"
    return f"stress: highest rate with p95 <= {STRESS_P95_MS} ms: {best:.1f} requests/s"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="newsroom-load-") as tmp:
        env = production_env(str(Path(tmp) / "static"))
        prepare_database(env)
        manage("collectstatic", "--noinput", "-v", "0", env=env)
        # Keep-alive longer than the clients' pauses: with gunicorn's 2 s default, a client
        # reusing a connection just as the server closes it gets "connection reset".
        say(f"gunicorn on 127.0.0.1:{PORT} (newsroom/gunicorn.conf.py)")
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "newsroom.wsgi", "-c", "newsroom/gunicorn.conf.py",
             "--bind", f"127.0.0.1:{PORT}", "--log-level", "warning"],
            cwd=PROJECT, env=env, start_new_session=True,
        )  # fmt: skip
        try:
            wait_until_up()
            prefix = Path(tmp) / "locust"
            write_sample(Path(tmp) / "sample.json")
            env["LOAD_SAMPLE"] = str(Path(tmp) / "sample.json")
            say(f"locust: {USERS} users for {SECONDS} s (load average {os.getloadavg()[0]:.2f})")
            locust(env, prefix, users=USERS, seconds=SECONDS)
            line = summary(Path(f"{prefix}.json"))
            say(line)
            if STRESS:
                print(stress(env, Path(tmp)), flush=True)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
    print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
