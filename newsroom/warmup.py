"""Warm a web worker before it takes requests.

A fresh process pays for much on the first request of each page: Django compiles the
page's templates (the cached loader then keeps them), view modules and their imports load,
the URL patterns are compiled. Measured under gunicorn at 100,000 statements: a page's
first view in a worker took 110-250 ms where the next took 40 ms, and with three workers
and a dozen kinds of page those first views are about a tenth of a short load test's
requests, enough to set its p95 (400 ms without the warm-up). gunicorn's
`post_worker_init` hook (newsroom/gunicorn.conf.py) renders the main pages once, in the
worker, before it accepts connections; then freezes what the warm-up left in memory out
of the garbage collector's reach, so that collections during requests walk only what
requests allocate.
"""

from __future__ import annotations

import gc
import logging
import time

logger = logging.getLogger(__name__)

# One of each kind of page; the selectors choose real ones where a page needs an object.
PAGES = ("/", "/?q=talks", "/speakers/", "/countries/", "/topics/", "/relations/", "/about/")


def warm_paths() -> list[str]:
    from statements.models import Article, Country, Speaker, Topic

    paths = list(PAGES)
    for model in (Speaker, Topic, Article):
        obj = model.objects.order_by("pk").first()
        if obj is not None:
            paths.append(obj.get_absolute_url())
    country = Country.objects.filter(speakers__isnull=False).order_by("code").first()
    if country is not None:
        paths.append(country.get_absolute_url())
    return paths


def warm_up() -> float:
    """Render the main pages once; returns the seconds spent. Errors are logged, never
    raised, and the first page that fails ends the warm-up: a worker must start at once
    when the database is away (each try would wait for the connect timeout)."""
    from django.conf import settings
    from django.db import connections
    from django.test import Client

    started = time.perf_counter()
    host = next((h for h in settings.ALLOWED_HOSTS if h and not h.startswith(".")), "localhost")
    client = Client(HTTP_HOST=host.replace("*", "localhost"))
    try:
        for path in warm_paths():
            status = client.get(path, secure=True).status_code
            if status >= 500:
                logger.warning("Warm-up stopped: %s answered %s", path, status)
                break
    except Exception:  # noqa: BLE001 - warming is an optimisation; the worker serves anyway
        logger.warning("Warm-up stopped early", exc_info=True)
    finally:
        connections.close_all()  # the worker's threads open their own
    gc.collect()
    gc.freeze()
    return time.perf_counter() - started
