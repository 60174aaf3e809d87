"""Page timings at scale, on the database that DATABASE_URL names (run by bench/run.py).

`python bench/pages.py SIZE...` migrates, fills the database with `make_fake_corpus`
(10,000 articles, 2,000 speakers, SIZE statements), then requests each page through the
real URL stack with Django's test client: a few warm-up requests, then REQUESTS timed
ones, and one more inside CaptureQueriesContext to count queries. Prints one JSON object:
{"SIZE": {"page": {"p50_ms", "p95_ms", "queries", ...}}}.

BENCH_PAGES=relations,relation_pair times only those pages; BENCH_CACHE=dummy turns the
cache off (every cached aggregate computed on every request).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, F, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from statements.models import (  # noqa: E402
    Article,
    Country,
    Quote,
    RelationTally,
    Speaker,
    Topic,
)

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "50"))
# Only these pages (comma-separated names, e.g. "relations,relation_pair"); all when empty.
PAGES = set(filter(None, os.environ.get("BENCH_PAGES", "").split(",")))
WARMUP = 3
EXPORT_ROWS = 10_000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def fetch(client: Client, url: str) -> tuple[int, int]:
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, len(body)


def page_urls() -> dict[str, list[str]]:
    """Each page with a few realistic values to rotate through: the busiest speakers,
    countries and topics (the slowest lists), a common word, a popular surname."""
    visible = Quote.objects.visible()

    def busiest(model, field: str) -> list:
        ranked = model.objects.annotate(n=Count("quotes")).order_by("-n")
        return list(ranked.values_list(field, flat=True)[:5])

    speakers = busiest(Speaker, "slug")
    countries = busiest(Country, "code")
    topics = busiest(Topic, "slug")
    surnames = [Speaker.objects.get(slug=slug).search_name.split()[-1][:5] for slug in speakers[:5]]
    articles = list(
        Article.objects.annotate(n=Count("quotes", filter=Q(quotes__is_deleted=False)))
        .order_by("-n", "pk")
        .values_list("pk", flat=True)[:5]
    )
    # The export: the newest EXPORT_ROWS statements, chosen by date like a user would.
    dates = visible.order_by("-article__published").values_list("article__published", flat=True)
    total = visible.count()
    since = dates[min(EXPORT_ROWS, total) - 1] if total else None
    export = "/?format=csv" if total <= EXPORT_ROWS else f"/?format=csv&date_from={since}"
    pairs = (
        RelationTally.objects.exclude(source="")
        .exclude(target="")
        .exclude(source=F("target"))
        .order_by("-statements")
        .values_list("source", "target")[:5]
    )
    return {
        "list": ["/", "/?page=2", "/?page=40"],
        "list_speaker": [f"/?speaker={s}" for s in speakers],
        "list_country": [f"/?country={c}" for c in countries],
        "list_topic": [f"/?topic={t}" for t in topics],
        "list_text": ["/?q=sanctions", "/?q=ceasefire", "/?q=talks", "/?q=nuclear+warheads"],
        "speaker_search": [f"/speakers/?q={s}" for s in surnames],
        "speaker_page": [f"/speakers/{s}/" for s in speakers],
        "article_page": [f"/articles/{pk}/" for pk in articles],
        "export_csv_10k": [export],
        "relations": ["/relations/", "/relations/?size=40", "/relations/?rows=US,TR,RU"],
        "relations_filtered": [
            f"/relations/?topic={topics[0]}",
            "/relations/?kind=direct",
            f"/relations/?date_from={since or '2026-01-01'}",
            "/relations/?q=sanctions",
        ],
        "relation_pair": [f"/relations/{s.lower()}/{t.lower()}/" for s, t in pairs],
    }


def time_pages() -> dict:
    client = Client()
    results = {}
    for name, urls in page_urls().items():
        if PAGES and name not in PAGES:
            continue
        for url in urls:
            for _ in range(WARMUP):
                status, size = fetch(client, url)
                if status != 200:
                    raise SystemExit(f"{url} answered {status}")
        with CaptureQueriesContext(connection) as queries:
            fetch(client, urls[0])
        query_count = len(queries.captured_queries)  # read now: the next request resets it
        timings = []
        for i in range(REQUESTS):
            started = time.perf_counter()
            fetch(client, urls[i % len(urls)])
            timings.append((time.perf_counter() - started) * 1000)
        entry = {
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(percentile(timings, 0.95), 1),
            "queries": query_count,
            "requests": REQUESTS,
            "url": urls[0],
        }
        if name == "export_csv_10k":
            entry["rows"] = _csv_rows(client, urls[0])
        results[name] = entry
        print(
            f"  {name:16} p50 {entry['p50_ms']:8.1f} ms  p95 {entry['p95_ms']:8.1f} ms  "
            f"{entry['queries']:3d} queries",
            file=sys.stderr,
        )
    return results


def _csv_rows(client: Client, url: str) -> int:
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return max(0, body.decode("utf-8").count("\n") - 1)


def main() -> None:
    sizes = [int(s) for s in sys.argv[1:]] or [10_000, 100_000]
    # As in production (no debug query log), but reachable by the test client.
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if os.environ.get("BENCH_CACHE") == "dummy":  # cold: every aggregate computed per request
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    call_command("migrate", verbosity=0)
    out = {}
    for size in sizes:
        started = time.perf_counter()
        call_command("make_fake_corpus", statements=size, flush=True, verbosity=0)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # what autovacuum does after a bulk load
        print(
            f"{connection.vendor} {size:,} statements: corpus in "
            f"{time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
        out[str(size)] = time_pages()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
