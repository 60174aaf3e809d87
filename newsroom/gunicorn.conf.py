"""Gunicorn settings for `make serve` and `make loadtest`, sized for the machine.

Pages are short CPU work around short database reads: one process per core (plus one,
so a core never idles while a process waits on the database), a few threads each to
overlap those waits. WEB_WORKERS / WEB_THREADS override. Each thread keeps one persistent
database connection (CONN_MAX_AGE), so the server holds workers x threads connections:
keep that under the database's max_connections, with the task workers' beside it.
"""

import os


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


workers = _env_int("WEB_WORKERS", _cores() + 1)
threads = _env_int("WEB_THREADS", 4)
worker_class = "gthread"
timeout = 60
graceful_timeout = 20
# Longer than the pauses of browsers and proxies that reuse a connection: with gunicorn's
# 2 s default a client reusing it just as the server closes it gets "connection reset".
keepalive = 75
# Recycle workers now and then (memory held by a large export, a leak in a library).
max_requests = 2000
max_requests_jitter = 200


def post_worker_init(worker):
    """Render the main pages once before taking requests (newsroom/warmup.py): a page's
    first view in a fresh worker costs several times the next."""
    from newsroom.warmup import warm_up

    worker.log.info("Worker %s warmed up in %.1f s", worker.pid, warm_up())
