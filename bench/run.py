"""`make bench`: ingest throughput, parallel ingest, memory, and page timings at scale.

Prints a table and writes bench-results.json at the project root. Every measured run is a
fresh subprocess (a fresh database, a fresh interpreter), so the numbers include what a
user waits for: interpreter start, model load, migrations excepted.

Environment:
  BENCH_DOCS       documents for the ingest benchmarks (default 1000: each eval text ~12 times)
  BENCH_WORKERS    processes for the parallel ingest (default 2)
  BENCH_SIZES      statement counts for the page benchmarks (default "10000,100000,1000000";
                   SQLite stops at SQLITE_MAX_SIZE, 100,000)
  BENCH_PG_URL     PostgreSQL database name to start from (default: DATABASE_URL's server
                   with "_bench" appended to its name, else newsroom_perf_bench on
                   127.0.0.1); each size gets its own database, that name + "_10k",
                   "_100k", "_1m", filled once and reused while it holds the same corpus
  BENCH_SQLITE_DIR where to keep the SQLite files the same way (default: a temporary
                   folder, filled anew each run)
  BENCH_SKIP       comma-separated parts to skip: ingest, sqlite, postgresql

Pages are timed with the cache off ("pages_cold") and on ("pages"), both shaped
{db: {size: {page: {"p50_ms", "p95_ms", "queries", ...}}}}; "pages_load" holds the load
average after each size's timings (the machine may be shared).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.inputs import EVAL_TEXTS, eval_texts, write_copies  # noqa: E402

PROJECT_DIR = Path(__file__).resolve().parent.parent
PY = sys.executable
BATCH_SIZE = 16
SQLITE_MAX_SIZE = 100_000
LARGE = 1_000_000
SKIP = set(filter(None, os.environ.get("BENCH_SKIP", "").split(",")))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


CPU_SECONDS: dict[str, float] = {}  # "last": user+sys CPU seconds of the last run


def run(
    args: list[str], *, env: dict | None = None, quiet: bool = True
) -> tuple[float, float, str]:
    """Run a command to completion: (wall seconds, peak RSS in MB of that process, stdout).

    Its CPU time (with the processes it started and waited for, e.g. --workers' pool) goes
    to CPU_SECONDS["last"]: on a shared machine wall time depends on the neighbours, CPU
    time much less."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        args,
        cwd=PROJECT_DIR,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL if quiet else None,
        text=True,
    )
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    CPU_SECONDS["last"] = usage.ru_utime + usage.ru_stime
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args[:4])}... failed with exit code {proc.returncode}")
    return elapsed, usage.ru_maxrss / 1024, out  # ru_maxrss is in KB on Linux


def fresh_sqlite(tmp: Path, name: str) -> dict:
    db = tmp / f"{name}.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{db}"}
    run([PY, "manage.py", "migrate", "--noinput"], env=env)
    return env


def ingest_bench(tmp: Path) -> dict | None:
    if not eval_texts():
        log(f"ingest: skipped, no evaluation texts at {EVAL_TEXTS} (only in the team's checkout)")
        return None
    docs = int(os.environ.get("BENCH_DOCS", "1000"))
    workers = int(os.environ.get("BENCH_WORKERS", "2"))
    folder = tmp / "docs"
    paths = write_copies(folder, docs)
    small = tmp / "docs100"
    write_copies(small, min(100, docs))
    log(f"ingest: {docs} documents ({len(eval_texts())} eval texts, copied) in {folder}")

    spacy_s, spacy_rss, out = run(
        [PY, "bench/spacy_pipe.py", str(BATCH_SIZE), *map(str, paths)],
        env={"DATABASE_URL": "sqlite://:memory:"},
    )
    pipe_s = float(out.split()[1])
    spacy_cpu = CPU_SECONDS["last"]
    loads = {"spacy": os.getloadavg()[0]}
    log(f"  bare nlp.pipe: {spacy_s:.1f} s ({pipe_s:.1f} s in nlp.pipe), {spacy_rss:.0f} MB")

    ingest = [PY, "manage.py", "ingest", "--no-progress", "--batch-size", str(BATCH_SIZE)]
    env = fresh_sqlite(tmp, "ingest1")
    ingest_s, rss_1000, out = run([*ingest, str(folder)], env=env)
    ingest_cpu = CPU_SECONDS["last"]
    loads["ingest"] = os.getloadavg()[0]
    log(f"  ingest, 1 process: {ingest_s:.1f} s, {rss_1000:.0f} MB  ({out.strip()})")

    env = fresh_sqlite(tmp, "ingest100")
    _, rss_100, _ = run([*ingest, str(small)], env=env)
    log(f"  ingest of 100 documents: {rss_100:.0f} MB")

    env = fresh_sqlite(tmp, f"ingest{workers}")
    parallel_s, _, out = run([*ingest, "--workers", str(workers), str(folder)], env=env)
    parallel_cpu = CPU_SECONDS["last"]
    loads["parallel"] = os.getloadavg()[0]
    log(f"  ingest, {workers} workers: {parallel_s:.1f} s  ({out.strip()})")

    return {
        "docs": docs,
        "batch_size": BATCH_SIZE,
        "spacy_docs_per_s": round(docs / spacy_s, 2),
        "spacy_pipe_only_docs_per_s": round(docs / pipe_s, 2),
        "ingest_docs_per_s": round(docs / ingest_s, 2),
        "ratio": round(spacy_s / ingest_s, 3),
        "workers": workers,
        "parallel_docs_per_s": round(docs / parallel_s, 2),
        "parallel_speedup": round(ingest_s / parallel_s, 2),
        "peak_rss_mb": {"100": round(rss_100), str(docs): round(rss_1000)},
        "rss_ratio": round(rss_1000 / rss_100, 2),
        # CPU seconds (user+sys, children included) and the 1-minute load average after
        # each run: the wall-clock rates above are only as good as the machine was quiet.
        "cpu_s": {
            "spacy": round(spacy_cpu, 1),
            "ingest": round(ingest_cpu, 1),
            "parallel": round(parallel_cpu, 1),
        },
        "ratio_cpu": round(spacy_cpu / ingest_cpu, 3),
        "load_average": {k: round(v, 2) for k, v in loads.items()},
    }


def postgres_url(explicit: str | None = None) -> str | None:
    """The PostgreSQL database to fill (created if missing), or None when no server answers."""
    explicit = explicit or os.environ.get("BENCH_PG_URL")
    base = os.environ.get("DATABASE_URL", "")
    if explicit:
        url = explicit
    elif base.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(base)
        url = urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_bench"))
    else:
        url = "postgres://postgres@127.0.0.1:5432/newsroom_perf_bench"
    try:
        import psycopg
    except ImportError:
        return None
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    name = parts.path.lstrip("/")
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        log(f"postgresql: skipped, no server at {admin} ({str(exc).strip().splitlines()[0]})")
        return None
    return url


def pages_bench(url: str, sizes: list[int]) -> dict:
    if not sizes:
        return {}
    _, _, out = run(
        [PY, "bench/pages.py", *map(str, sizes)], env={"DATABASE_URL": url}, quiet=False
    )
    return json.loads(out.strip().splitlines()[-1])


def size_suffix(size: int) -> str:
    return f"{size // 1_000_000}m" if size >= LARGE else f"{size // 1000}k"


def sized_url(url: str, size: int) -> str:
    """One database per corpus size (name + "_10k", "_100k", "_1m"), created if missing:
    each keeps its corpus, and a later run reuses it instead of filling it again."""
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}_{size_suffix(size)}"
    return postgres_url(urlunsplit(parts._replace(path=f"/{name}")))


def record(results: dict, db: str, by_size: dict) -> None:
    for size, entry in by_size.items():
        results["pages"].setdefault(db, {})[size] = entry["warm"]
        results["pages_cold"].setdefault(db, {})[size] = entry["cold"]
        results["pages_load"].setdefault(db, {})[size] = entry["load_average"]


def table(results: dict) -> str:
    lines = []
    ingest = results.get("ingest")
    if ingest:
        lines += [
            f"Ingest of {ingest['docs']} documents (batch size {ingest['batch_size']})",
            f"  bare spaCy nlp.pipe      {ingest['spacy_docs_per_s']:8.2f} docs/s",
            f"  ingest, 1 process        {ingest['ingest_docs_per_s']:8.2f} docs/s   "
            f"ratio {ingest['ratio']:.2f} (goal >= 0.85; by CPU time {ingest['ratio_cpu']:.2f})",
            f"  ingest, {ingest['workers']} workers        {ingest['parallel_docs_per_s']:8.2f} "
            f"docs/s   speedup {ingest['parallel_speedup']:.2f}x (goal >= 1.6x)",
            "  peak RSS                 "
            + ", ".join(f"{n} docs {mb} MB" for n, mb in ingest["peak_rss_mb"].items())
            + f"   ratio {ingest['rss_ratio']:.2f} (goal <= 1.3)",
            f"  CPU s {ingest['cpu_s']}, load average after each {ingest['load_average']}",
            "",
        ]
    for key, cache in (("pages_cold", "cache off"), ("pages", "cache on")):
        lines += _pages_table(results.get(key, {}), cache, results.get("pages_load", {}))
    return "\n".join(lines)


def _pages_table(pages: dict, cache: str, loads: dict) -> list[str]:
    lines = []
    for db, by_size in pages.items():
        sizes = list(by_size)
        header = f"{'page':16}" + "".join(f" | {int(s):>9,} p50    p95  q" for s in sizes)
        load = ", ".join(f"{int(s):,}: {loads.get(db, {}).get(s, ['?'])[0]}" for s in sizes)
        lines += [
            f"Pages on {db}, {cache} (ms; q = queries; load average after: {load})",
            header,
            "-" * len(header),
        ]
        for page in by_size[sizes[0]]:
            row = f"{page:16}"
            for size in sizes:
                e = by_size[size].get(page, {})
                row += f" | {e.get('p50_ms', 0):13.1f} {e.get('p95_ms', 0):6.1f}"
                row += f" {e.get('queries', 0):2d}"
            lines.append(row)
        lines.append("")
    return lines


def main() -> None:
    started = time.perf_counter()
    results: dict = {"pages": {}, "pages_cold": {}, "pages_load": {}}
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "10000,100000,1000000").split(",")]
    with tempfile.TemporaryDirectory(prefix="newsroom-bench-") as tmp_name:
        tmp = Path(tmp_name)
        if "ingest" not in SKIP:
            ingest = ingest_bench(tmp)
            if ingest:
                results["ingest"] = ingest
        if "sqlite" not in SKIP:
            folder = Path(os.environ.get("BENCH_SQLITE_DIR") or tmp)
            folder.mkdir(parents=True, exist_ok=True)
            for size in (s for s in sizes if s <= SQLITE_MAX_SIZE):
                path = folder / f"pages-{size_suffix(size)}.sqlite3"
                log(f"pages on SQLite ({path})")
                record(results, "sqlite", pages_bench(f"sqlite:///{path}", [size]))
        if "postgresql" not in SKIP:
            base = postgres_url()
            for size in sizes if base else []:
                url = sized_url(base, size)
                log(f"pages on PostgreSQL ({urlsplit(url).path.lstrip('/')})")
                record(results, "postgresql", pages_bench(url, [size]))
    results["machine"] = {
        "cpus": os.cpu_count(),
        "load_average_at_end": os.getloadavg(),
        "seconds": round(time.perf_counter() - started),
    }
    (PROJECT_DIR / "bench-results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    print(f"bench-results.json written ({results['machine']['seconds']} s)")


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()
