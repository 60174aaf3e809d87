"""Page timings at scale, on the database that DATABASE_URL names (run by bench/run.py).

`python bench/pages.py SIZE...` migrates, fills the database with `make_fake_corpus`
(2,000 speakers, SIZE statements, one article per ten statements and at least 10,000;
a database that already holds exactly that corpus is reused), then requests each page
through the real URL stack with Django's test client, twice: first with the cache off (a
dummy backend: every aggregate computed, what the first visitor after a write gets), then
with it on after a few warm-up requests. Each time REQUESTS timed requests, and one more
inside CaptureQueriesContext to count queries. Prints one JSON object:
{"SIZE": {"cold": {"page": {"p50_ms", "p95_ms", "queries", ...}}, "warm": {...},
"load_average": [...]}}.

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
from django.db.models import Count, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from statements import tallies  # noqa: E402
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
SPEAKERS = 2_000
NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def articles_for(size: int) -> int:
    """Ten statements an article, as ingested news has: the article page stays the size
    it is in real use whatever the corpus."""
    return max(10_000, size // 10)


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
    by_speakers = list(
        Speaker.objects.exclude(country=None)
        .values("country")
        .annotate(n=Count("quotes"))
        .order_by("-n")
        .values_list("country", flat=True)[:3]
    )
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
    busiest = RelationTally.objects.pairs().order_by("-statements")
    pairs = busiest.values_list("source", "target")[:5]
    return {
        "list": ["/", "/?page=2", "/?page=40"],
        "list_speaker": [f"/?speaker={s}" for s in speakers],
        "list_country": [f"/?country={c}" for c in countries],
        "list_topic": [f"/?topic={t}" for t in topics],
        "list_text": ["/?q=sanctions", "/?q=ceasefire", "/?q=talks", "/?q=nuclear+warheads"],
        "speaker_search": [f"/speakers/?q={s}" for s in surnames],
        "speaker_page": [f"/speakers/{s}/" for s in speakers],
        "article_page": [f"/articles/{pk}/" for pk in articles],
        "country_page": [f"/countries/{c.lower()}/" for c in by_speakers]
        + [f"/countries/{c.lower()}/?section=about" for c in countries[:2]],
        "topic_page": [f"/topics/{t}/" for t in topics],
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


def time_pages(urls_by_page: dict[str, list[str]], *, warmup: int) -> dict:
    client = Client()
    results = {}
    for name, urls in urls_by_page.items():
        if PAGES and name not in PAGES:
            continue
        for url in urls:
            for _ in range(warmup):
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


def holds_corpus(size: int) -> bool:
    """Whether the database already holds the fake corpus of this size (it is
    deterministic: same seed, same data), so that a million statements are made once."""
    articles = Article.objects.count()
    return (
        articles == articles_for(size)
        and Article.objects.filter(pipeline_version="fake").count() == articles
        and Quote.objects.count() == size
        and Speaker.objects.count() == SPEAKERS
    )


def fill(size: int) -> None:
    started = time.perf_counter()
    if holds_corpus(size):
        # What the watcher does within minutes of an upgrade: tally the frequent words.
        tallied = tallies.refresh_words()
        print(
            f"{connection.vendor} {size:,} statements: corpus reused"
            f" ({len(tallied)} words tallied in {time.perf_counter() - started:.0f} s)",
            file=sys.stderr,
        )
        return
    call_command(
        "make_fake_corpus",
        statements=size,
        articles=articles_for(size),
        speakers=SPEAKERS,
        flush=True,
        verbosity=0,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # What autovacuum does after a bulk load: statistics, and the visibility map
            # that lets index-only scans skip the table.
            cursor.execute("VACUUM ANALYZE")
    print(
        f"{connection.vendor} {size:,} statements: corpus in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )


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
        fill(size)
        urls = page_urls()
        print(f"  cache off (load average {os.getloadavg()[0]:.2f})", file=sys.stderr)
        with override_settings(CACHES=NO_CACHE):
            cold = time_pages(urls, warmup=1)
        print(f"  cache on (load average {os.getloadavg()[0]:.2f})", file=sys.stderr)
        warm = time_pages(urls, warmup=WARMUP)
        out[str(size)] = {
            "cold": cold,
            "warm": warm,
            "load_average": [round(x, 2) for x in os.getloadavg()],
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
