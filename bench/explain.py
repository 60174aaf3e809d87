"""Each page's queries and their plans, with the cache off: `python bench/explain.py [PAGE...]`.

Requests the first URL of each page of bench/pages.py against the database DATABASE_URL
names (filled already, e.g. by `make bench`), captures its queries and prints each one
with its plan: EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite. A plan line
that reads a whole large table (a sequential scan, or SQLite's SCAN without an index) is
marked with "<<".
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages import NO_CACHE, fetch, page_urls  # noqa: E402  (sets Django up)

# isort: split
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

LARGE_TABLES = ("statements_quote", "statements_article", "statements_quote_countries",
                "statements_quote_topics", "statements_tally")  # fmt: skip
SCAN = re.compile(r"Seq Scan on (\w+)|SCAN (\w+)(?! USING)")


def plan(sql: str, params) -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}", params)
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return [f"{'  ' * (row[1] > 0)}{row[-1]}" for row in cursor.fetchall()]


def main() -> None:
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    wanted = set(sys.argv[1:])
    client = Client()
    with override_settings(CACHES=NO_CACHE):
        for page, urls in page_urls().items():
            if (wanted and page not in wanted) or page == "export_csv_10k":
                continue
            fetch(client, urls[0])  # warm the database's buffers
            with CaptureQueriesContext(connection) as captured:
                fetch(client, urls[0])
            queries = list(captured.captured_queries)
            print(f"=== {page} {urls[0]}: {len(queries)} queries")
            for i, query in enumerate(queries, 1):
                sql = query["sql"]
                print(f"--- {i}. {query['time']} s: {sql[:300]}")
                # The captured SQL has its parameters inlined: run it as it is.
                for line in plan(sql, None):
                    match = SCAN.search(line)
                    table = match and (match.group(1) or match.group(2))
                    flag = "  <<" if table in LARGE_TABLES else ""
                    print(f"    {line}{flag}")


if __name__ == "__main__":
    main()
