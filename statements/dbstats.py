"""Planner statistics after bulk writes.

SQLite keeps no statistics unless ANALYZE runs; without them it may read every statement
and sort them for a list page (250 ms at 100,000 statements) instead of walking the
article date index (under 1 ms). PostgreSQL's autovacuum gets there eventually; after a
bulk load we do not wait for it.
"""

from __future__ import annotations

from django.db import connections

TABLES = (
    "statements_article",
    "statements_quote",
    "statements_quote_countries",
    "statements_quote_topics",
    "statements_speaker",
    "statements_speakeralias",
)


def refresh_planner_statistics(using: str = "default") -> None:
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor in ("sqlite", "postgresql"):
            for table in TABLES:
                cursor.execute(f'ANALYZE "{table}"')
