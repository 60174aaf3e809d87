"""Trigram indexes for speaker search on PostgreSQL ("Stoltenburg" finds "Stoltenberg").

The indexes are plain SQL rather than `Meta.indexes` because SQLite has no GIN and no
pg_trgm: on SQLite this migration does nothing (TrigramExtension checks the vendor too).
They serve `search_name LIKE '%...%'` and the `%` / `%>` trigram operators used by
`selectors.speaker_search`.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    ("statements_speaker", "statements_speaker_search_name_trgm"),
    ("statements_speakeralias", "statements_speakeralias_search_name_trgm"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_name gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("statements", "0002_load_countries_and_topics")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
