"""`make faulttest`: does the service heal itself? (Not part of `make test`; a few minutes.)

Starts a throwaway PostgreSQL of its own on a free port (Debian's binaries, PG_BIN), runs
`make serve` against it on another free port, then injects one fault per scenario and
watches the articles of that scenario until each is annotated:

  db-stopped-idle      the database stopped (pg_ctl -m fast) while the workers wait
  db-stopped-busy      the same in the middle of annotating
  db-frozen            every PostgreSQL process stopped (SIGSTOP) for a while
  worker-killed        the worker holding an article SIGKILLed in the middle of it
  big-then-small       a big article, then small ones behind it
  two-ingests          two `manage.py ingest` runs on one folder at once
  gunicorn-reload      `supervisorctl signal HUP web` under 200 requests

One line per scenario, then `faults N, recovered R, lost L, duplicated D, max recovery S s`.
A scenario recovers when everything it queued is annotated within 60 s of the fault's end
(small articles behind a big one: within 10 s of their upload), pages answer 503 with
Retry-After within 5 s while the database is away, and no request fails in the reload.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

PROJECT = Path(__file__).resolve().parents[1]
PY = str(PROJECT / ".venv" / "bin" / "python")
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
RECOVERY_LIMIT = 60.0
SMALL_WAIT_LIMIT = 10.0
PAGE_LIMIT = 5.0


def say(message: str) -> None:
    print(f"faulttest: {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- A PostgreSQL of our own ---------------------------------------------------------------


class Postgres:
    def __init__(self, root: Path):
        self.root, self.data, self.port = root, root / "data", free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/newsroom"

    def _run(self, *command: str) -> None:
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ("runuser", "-u", "postgres", "--", *command)
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise RuntimeError(f"{' '.join(command)}: {done.stderr or done.stdout}")

    def init(self) -> None:
        self.root.chmod(0o755)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self._run(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )
        self.start()
        with psycopg.connect(self.url.replace("/newsroom", "/postgres"), autocommit=True) as c:
            c.execute("CREATE DATABASE newsroom")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.root / "pg.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def pids(self) -> list[int]:
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == postmaster:
                children.append(int(stat.parent.name))
        return [postmaster, *children]

    def freeze(self) -> None:
        for pid in reversed(self.pids()):
            os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in self.pids():
            os.kill(pid, signal.SIGCONT)


# --- The service under test ------------------------------------------------------------------


class Service:
    def __init__(self, root: Path, db: Postgres):
        self.root, self.db, self.port = root, db, free_port()
        self.run_dir = root / "run"
        self.env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
        self.env.update(
            DATABASE_URL=db.url,
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1",
            STATIC_ROOT=str(root / "static"),
            LOG_LEVEL="ERROR",
            HOST="127.0.0.1",
            PORT=str(self.port),
            RUN_DIR=str(self.run_dir),
            TASK_WORKERS="1",
        )
        self.process: subprocess.Popen | None = None

    def manage(self, *args: str, wait: bool = True) -> subprocess.Popen:
        process = subprocess.Popen(
            [PY, "manage.py", *args],
            cwd=PROJECT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        if wait:
            out, _ = process.communicate(timeout=600)
            if process.returncode:
                raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{out}")
        return process

    def start(self) -> None:
        log = (self.root / "serve.log").open("w")
        self.process = subprocess.Popen(
            ["make", "-s", "serve"],
            cwd=PROJECT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"make serve ended: {(self.root / 'serve.log').read_text()}")
            if self.get("/healthz").status == 200:
                return
            time.sleep(1)
        raise RuntimeError("make serve did not become healthy in 180 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)

    def supervisorctl(self, *args: str) -> str:
        conf = str(self.run_dir / "supervisord.conf")
        command = [str(PROJECT / ".venv" / "bin" / "supervisorctl"), "-c", conf, *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=60).stdout

    def get(self, path: str, timeout: float = 30) -> Answer:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", headers={"X-Forwarded-Proto": "https"}
        )
        started, size = time.monotonic(), 0
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, retry_after = response.status, response.headers.get("Retry-After")
                size = len(response.read())
        except urllib.error.HTTPError as exc:
            status, retry_after = exc.code, exc.headers.get("Retry-After")
        except OSError:
            status, retry_after = 0, None
        return Answer(status, time.monotonic() - started, retry_after, size)


@dataclass
class Answer:
    status: int
    seconds: float
    retry_after: str | None
    size: int = 0


# --- Watching articles -------------------------------------------------------------------


def query(db: Postgres, sql: str, args: tuple = ()) -> list[tuple]:
    """Retried while the database is away (a fault may still be on)."""
    for _ in range(120):
        try:
            with psycopg.connect(db.url, connect_timeout=2) as conn:
                return conn.execute(sql, args).fetchall()
        except psycopg.OperationalError:
            time.sleep(0.5)
    raise RuntimeError("the database never came back")


def statuses(db: Postgres, tag: str) -> dict[str, int]:
    rows = query(
        db,
        "SELECT status, count(*) FROM statements_article WHERE title LIKE %s GROUP BY status",
        (f"{tag} %",),
    )
    return dict(rows)


def wait_annotated(db: Postgres, tag: str, total: int, limit: float) -> float | None:
    """Seconds until all `total` articles of `tag` are annotated; None past `limit`."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if statuses(db, tag).get("annotated", 0) >= total:
            return time.monotonic() - started
        time.sleep(0.5)
    return None


def duplicated(db: Postgres, tag: str) -> int:
    """Articles annotated more than once: two successful annotation tasks, or two
    statements at one position (which two ingest runs would leave)."""
    twice = query(
        db,
        """
        SELECT count(*) FROM (
          SELECT r.args_kwargs->'args'->>0 FROM django_tasks_database_dbtaskresult r
          JOIN statements_article a ON a.id::text = r.args_kwargs->'args'->>0
          WHERE r.status = 'SUCCESSFUL' AND r.return_value = '"annotated"'::jsonb
            AND a.title LIKE %s
          GROUP BY 1 HAVING count(*) > 1) t""",
        (f"{tag} %",),
    )[0][0]
    doubled = query(
        db,
        """
        SELECT count(DISTINCT q.article_id) FROM (
          SELECT article_id, position FROM statements_quote q
          JOIN statements_article a ON a.id = q.article_id WHERE a.title LIKE %s
          GROUP BY 1, 2 HAVING count(*) > 1) q""",
        (f"{tag} %",),
    )[0][0]
    return twice + doubled


STORY = (
    "{tag} story {n}\n\n"
    '"We will keep talking to {who} about the harbour," the mayor of Tallinn, Kadri Lepp, '
    "said on day {n} of the {tag} round.\n\n"
    "Trade minister {who} told reporters that the talks on fishing quotas would go on.\n\n"
    '"There is no other way for the {n} towns on the coast," {who} said.\n'
)
WHO = ["Aino Rebane", "Tomas Berzins", "Greta Vold", "Luka Petric", "Mira Sand", "Olaf Dahl"]


def write_articles(root: Path, tag: str, count: int, *, big_chars: int = 0) -> Path:
    folder = root / "articles" / tag
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        text = STORY.format(tag=tag, n=n, who=WHO[n % len(WHO)])
        if big_chars:  # one paragraph of many statements
            sentence = '"The harbour stays open," {who} said. '
            body = "".join(sentence.format(who=WHO[i % len(WHO)]) for i in range(big_chars // 38))
            # The body names its story: the headline is not part of the stored text, and
            # articles with the same text are stored once.
            text = f"{tag} story {n}\n\nThe {tag} round, story {n}. {body}\n"
        (folder / f"{tag}-{n:03}.txt").write_text(text, encoding="utf-8")
    return folder


# --- Scenarios -------------------------------------------------------------------------------


@dataclass
class Outcome:
    name: str
    recovery: float | None
    lost: int
    duplicated: int
    notes: list[str] = field(default_factory=list)
    ok: bool = True

    @property
    def recovered(self) -> bool:
        return self.ok and self.recovery is not None and self.lost == 0 and not self.duplicated

    def line(self) -> str:
        took = f"{self.recovery:.1f} s" if self.recovery is not None else "never"
        verdict = "recovered" if self.recovered else "NOT RECOVERED"
        notes = f"; {'; '.join(self.notes)}" if self.notes else ""
        return (
            f"{self.name:<17} {verdict:<13} in {took:>7}, lost {self.lost}, "
            f"duplicated {self.duplicated}{notes}"
        )


class FaultTest:
    def __init__(self, root: Path, db: Postgres, service: Service):
        self.root, self.db, self.service = root, db, service

    def enqueue(self, tag: str, count: int, **kwargs) -> int:
        folder = write_articles(self.root, tag, count, **kwargs)
        self.service.manage("ingest", str(folder), "--enqueue", "--no-progress")
        return count

    def finish(self, name: str, tag: str, total: int, fault_end: float, notes=None, ok=True):
        notes = list(notes or [])
        left = RECOVERY_LIMIT - (time.monotonic() - fault_end)
        waited = wait_annotated(self.db, tag, total, max(left, 1))
        recovery = time.monotonic() - fault_end if waited is not None else None
        done = statuses(self.db, tag).get("annotated", 0)
        if waited is None:  # say where the rest are, then give them time to finish
            notes.append(f"after {RECOVERY_LIMIT:.0f} s: {statuses(self.db, tag)}")
            wait_annotated(self.db, tag, total, 120)
            done = statuses(self.db, tag).get("annotated", 0)
        return Outcome(name, recovery, total - done, duplicated(self.db, tag), notes, ok)

    def pages_while_away(self) -> tuple[bool, str]:
        """Every page answers 503 with Retry-After within PAGE_LIMIT seconds."""
        answers = {p: self.service.get(p, timeout=30) for p in ["/", "/speakers/", "/healthz"]}
        ok = all(
            a.status == 503 and a.seconds <= PAGE_LIMIT and (a.retry_after or p == "/healthz")
            for p, a in answers.items()
        )
        slowest = max(a.seconds for a in answers.values())
        codes = ",".join(sorted({str(a.status) for a in answers.values()}))
        return ok, f"pages {codes} within {slowest:.1f} s while away"

    def db_stopped_idle(self) -> Outcome:
        tag = "idle"
        self.db.stop()
        time.sleep(2)
        ok, note = self.pages_while_away()
        time.sleep(3)
        self.db.start()
        fault_end = time.monotonic()
        total = self.enqueue(tag, 5)
        return self.finish("db-stopped-idle", tag, total, fault_end, [note], ok)

    def db_stopped_busy(self) -> Outcome:
        tag = "busy"
        total = self.enqueue(tag, 12)
        while statuses(self.db, tag).get("annotated", 0) < 1:
            time.sleep(0.2)
        self.db.stop()
        ok, note = self.pages_while_away()
        time.sleep(3)
        self.db.start()
        return self.finish("db-stopped-busy", tag, total, time.monotonic(), [note], ok)

    def db_frozen(self) -> Outcome:
        tag = "frozen"
        # Longer articles, so that the freeze lands in the middle of annotating.
        total = self.enqueue(tag, 6, big_chars=20_000)
        while statuses(self.db, tag).get("annotating", 0) < 1:
            time.sleep(0.05)
        self.db.freeze()
        try:
            ok, note = self.pages_while_away()
            time.sleep(max(0.0, 10 - PAGE_LIMIT))
        finally:
            self.db.thaw()
        fault_end = time.monotonic()
        back = self.service.get("/")
        notes = [note, f"first page after {back.seconds:.1f} s ({back.status})"]
        return self.finish("db-frozen", tag, total, fault_end, notes, ok and back.status == 200)

    def worker_killed(self) -> Outcome:
        tag = "killed"
        # Articles of a few thousand words take seconds each: the kill lands mid-annotation.
        total = self.enqueue(tag, 6, big_chars=20_000)
        deadline = time.monotonic() + 60
        owner = None
        while owner is None and time.monotonic() < deadline:
            rows = query(
                self.db,
                "SELECT lease_owner FROM statements_article WHERE title LIKE %s "
                "AND status = 'annotating' AND lease_owner <> ''",
                (f"{tag} %",),
            )
            owner = rows[0][0] if rows else None
            time.sleep(0.05)
        if owner is None:
            return self.finish(
                "worker-killed",
                tag,
                total,
                time.monotonic(),
                ["no article seen annotating: nothing killed"],
                ok=False,
            )
        os.kill(int(owner.rsplit(":", 1)[1]), signal.SIGKILL)
        return self.finish("worker-killed", tag, total, time.monotonic(), [f"SIGKILLed {owner}"])

    def big_then_small(self) -> Outcome:
        tag, big_tag = "small", "big"
        self.enqueue(big_tag, 1, big_chars=300_000)
        time.sleep(1)
        total = self.enqueue(tag, 3)
        fault_end = time.monotonic()
        outcome = self.finish("big-then-small", tag, total, fault_end)
        waits = query(
            self.db,
            "SELECT extract(epoch FROM annotated_at - created_at) FROM "
            "statements_article WHERE title LIKE %s",
            (f"{tag} %",),
        )
        longest = max((w[0] or 0 for w in waits), default=0)
        big = wait_annotated(self.db, big_tag, 1, 300)
        outcome.ok = longest <= SMALL_WAIT_LIMIT and big is not None
        outcome.recovery = longest
        outcome.notes.append(f"small ones waited at most {longest:.1f} s behind the big one")
        outcome.notes.append(f"the big one done {'' if big is not None else 'NOT '}after it")
        [(big_id, quotes)] = query(
            self.db,
            "SELECT a.id, count(q.id) FROM statements_article a LEFT JOIN statements_quote q "
            "ON q.article_id = a.id WHERE a.title LIKE %s GROUP BY a.id",
            (f"{big_tag} %",),
        )
        page = self.service.get(f"/articles/{big_id}/", timeout=60)
        outcome.notes.append(
            f"its page ({quotes} statements): {page.status}, {page.size / 1e6:.1f} MB "
            f"in {page.seconds:.1f} s"
        )
        outcome.lost += 0 if big is not None else 1
        return outcome

    def two_ingests(self) -> Outcome:
        tag = "twice"
        folder = write_articles(self.root, tag, 12)
        started = time.monotonic()
        runs = [
            self.service.manage(
                "ingest", str(folder), "--no-progress", "--batch-size", "2", wait=False
            )
            for _ in range(2)
        ]
        codes = [run.wait(timeout=300) for run in runs]
        took = time.monotonic() - started
        stored = query(
            self.db, "SELECT count(*) FROM statements_article WHERE title LIKE %s", (f"{tag} %",)
        )[0][0]
        # Both runs annotate in the foreground: everything is done when they end, and the
        # recovery is what is still left to do then (nothing, if they shared the work).
        outcome = self.finish(
            "two-ingests", tag, 12, time.monotonic(), ok=codes == [0, 0] and stored == 12
        )
        outcome.notes.append(f"{stored} articles stored, exit codes {codes}, {took:.0f} s")
        return outcome

    def gunicorn_reload(self) -> Outcome:
        paths = ["/", "/speakers/", "/healthz", "/?q=harbour"]
        failures, done, slowest, lock = [], [0], [0.0], threading.Lock()

        def client(n: int) -> None:
            for i in range(25):
                answer = self.service.get(paths[(n + i) % len(paths)])
                with lock:
                    done[0] += 1
                    slowest[0] = max(slowest[0], answer.seconds)
                    if answer.status != 200:
                        failures.append(answer.status)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        while done[0] < 50:
            time.sleep(0.01)
        self.service.supervisorctl("signal", "HUP", "web")
        for t in threads:
            t.join()
        notes = [
            f"{done[0]} requests, {len(failures)} failed {sorted(set(failures))}",
            f"slowest {slowest[0]:.1f} s",
        ]
        # Its "recovery": the longest a request waited while the workers were replaced.
        return Outcome("gunicorn-reload", slowest[0], 0, 0, notes, not failures)

    def scenarios(self):
        return [
            self.db_stopped_idle,
            self.db_stopped_busy,
            self.db_frozen,
            self.worker_killed,
            self.big_then_small,
            self.two_ingests,
            self.gunicorn_reload,
        ]


def main() -> int:
    root = Path(tempfile.mkdtemp(prefix="newsroom-faulttest-"))
    root.chmod(0o755)  # the postgres user reaches its data folder through it
    db = Postgres(root / "pg")
    (root / "pg").mkdir()
    service = Service(root, db)
    outcomes: list[Outcome] = []
    try:
        say(f"PostgreSQL on port {db.port}, the service on port {service.port}, files in {root}")
        db.init()
        service.start()
        say("serving; injecting faults")
        test = FaultTest(root, db, service)
        only = set(filter(None, os.environ.get("FAULTTEST_ONLY", "").split(",")))
        for scenario in test.scenarios():
            if only and scenario.__name__.replace("_", "-") not in only:
                continue
            outcome = scenario()
            outcomes.append(outcome)
            print(outcome.line(), flush=True)
    finally:
        service.stop()
        try:
            db.thaw()
            db.stop()
        except Exception as exc:  # noqa: BLE001 - already stopped, or never started
            say(f"stopping PostgreSQL: {exc}")
        if os.environ.get("FAULTTEST_KEEP"):
            say(f"files kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    recovered = sum(o.recovered for o in outcomes)
    longest = max((o.recovery or 0 for o in outcomes), default=0)
    print(
        f"faults {len(outcomes)}, recovered {recovered}, lost {sum(o.lost for o in outcomes)}, "
        f"duplicated {sum(o.duplicated for o in outcomes)}, max recovery {longest:.1f} s"
    )
    return 0 if recovered == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
