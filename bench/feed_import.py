"""Benchmark: a feed of 50 new entries imported and annotated with nobody waiting on a page.

Runs the processes `make run` starts (`db_worker` and the feed clock `feeds poll --every`)
against a fresh database, serves 50 made-up article pages and an RSS feed from a local
web server, adds the feed with `manage.py feeds add`, and times until every entry is
stored and annotated. Then it checks that the next poll of the unchanged feed is one
conditional request that stores nothing.

    .venv/bin/python bench/feed_import.py            # SQLite in a temporary folder
    BENCH_FEED_DB=postgres://postgres@127.0.0.1:5432/newsroom_x \
        .venv/bin/python bench/feed_import.py

With BENCH_FEED_DB the database is emptied (migrated from zero) first.
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from email.utils import formatdate
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
ENTRIES = int(os.environ.get("BENCH_FEED_ENTRIES", "50"))
PLACES = ["Vienna", "Geneva", "Nairobi", "Jakarta", "Lima", "Oslo", "Accra", "Hanoi", "Quito"]
TOPICS = ["water rights", "fishing quotas", "a rail link", "grain exports", "border posts"]


def article_page(n: int, rng: random.Random) -> str:
    place, topic = rng.choice(PLACES), rng.choice(TOPICS)
    minister = (
        f"Minister {rng.choice('ABCDEFGH')}. {rng.choice(['Lind', 'Okafor', 'Tran', 'Ruiz'])}"
    )
    paragraphs = [
        f"Delegations met in {place} on day {n} of the talks on {topic}, officials said, "
        f"after {rng.randint(2, 9)} rounds that ended without agreement.",
        f'"We are closer than we have been for {rng.randint(2, 12)} years," {minister} told '
        f"reporters, adding that a draft on {topic} would be ready within {n % 5 + 2} weeks.",
        f"The opposition warned that the plan for {topic} would cost {rng.randint(10, 99)} "
        f"million and said it would vote against it in round {n}.",
    ]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>Talks on {topic}, day {n}</title>"
        f"<meta property='article:published_time' content='2025-04-{n % 28 + 1:02d}T09:00:00Z'>"
        "</head><body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>Talks on {topic}, day {n}</h1>{body}</article>"
        "<footer>© Bench Herald · Privacy · Terms</footer></body></html>"
    )


def write_site(folder: Path, port: int) -> None:
    rng = random.Random(7)
    items = []
    for n in range(ENTRIES):
        (folder / f"story-{n}.html").write_text(article_page(n, rng), encoding="utf-8")
        items.append(
            f"<item><title>Day {n}</title><link>http://127.0.0.1:{port}/story-{n}.html</link>"
            f"<guid>bench-{n}</guid><pubDate>{formatdate(usegmt=True)}</pubDate></item>"
        )
    (folder / "rss.xml").write_text(
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Bench Herald</title>"
        f"<link>http://127.0.0.1:{port}/</link><description>x</description>"
        f"{''.join(items)}</channel></rss>",
        encoding="utf-8",
    )


class CountingHandler(SimpleHTTPRequestHandler):
    """Python's file server (it answers If-Modified-Since with 304), counting requests."""

    log: list[tuple[str, int, bool]] = []

    def log_request(self, code="-", size="-"):
        conditional = "If-Modified-Since" in self.headers or "If-None-Match" in self.headers
        CountingHandler.log.append((self.path, int(code), conditional))


def manage(env, *args, **kwargs):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT, env=env, check=True, **kwargs
    )


def annotated_count(env) -> int:
    out = manage(
        env,
        "shell",
        "-c",
        "from statements.models import Article; "
        "print(Article.objects.filter(status='annotated').count())",
        capture_output=True,
        text=True,
    ).stdout
    return int(out.strip().splitlines()[-1])


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="newsroom-feed-bench-"))
    site = tmp / "site"
    site.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(CountingHandler, directory=site))
    port = server.server_address[1]
    write_site(site, port)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    db = os.environ.get("BENCH_FEED_DB") or f"sqlite:///{tmp / 'bench.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": db, "NEWSROOM_FETCH_ALLOW_PRIVATE": "1"}
    if db.startswith("postgres"):
        manage(env, "migrate", "statements", "zero", "--noinput", "-v", "0")
    manage(env, "migrate", "--noinput", "-v", "0")
    if db.startswith("sqlite"):
        sqlite3.connect(db.removeprefix("sqlite:///")).execute("PRAGMA journal_mode=WAL")

    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval", "1", "--no-reload", "-v", "0"],
            cwd=PROJECT,
            env=env,
        ),
        subprocess.Popen(
            [sys.executable, "manage.py", "feeds", "poll", "--every", "5"],
            cwd=PROJECT,
            env=env,
            stdout=subprocess.DEVNULL,
        ),
    ]
    try:
        start = time.monotonic()
        manage(env, "feeds", "add", f"http://127.0.0.1:{port}/rss.xml", "--every", "1")
        done = 0
        while done < ENTRIES and time.monotonic() - start < 900:
            time.sleep(2)
            done = annotated_count(env)
        elapsed = time.monotonic() - start
        fetched = sum(1 for path, *_ in CountingHandler.log if path.startswith("/story-"))
        print(
            f"{done}/{ENTRIES} entries stored and annotated in {elapsed:.1f} s "
            f"({elapsed / max(done, 1):.2f} s per article, {fetched} pages fetched)"
        )

        CountingHandler.log.clear()
        manage(env, "feeds", "poll", "--all")
        requests = CountingHandler.log
        print(
            f"second poll of the unchanged feed: {len(requests)} request(s), "
            f"{sum(c for *_, c in requests)} conditional, statuses "
            f"{sorted({code for _, code, _ in requests})}, "
            f"articles now {annotated_count(env)}"
        )
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        server.shutdown()


if __name__ == "__main__":
    main()
