"""Full-text search on Quote.text, in each database's own way (see statements/search.py).

Not model fields: PostgreSQL gets a stored generated tsvector column with a GIN index,
SQLite an FTS5 table kept in sync by triggers; other databases get nothing (the search
falls back to a substring match there).
"""

from django.db import migrations


def create(apps, schema_editor):
    from statements import search

    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in search.PG_CREATE:
            schema_editor.execute(sql)
    elif vendor == "sqlite":
        schema_editor.execute(search.SQLITE_CREATE_TABLE)
        for sql in search.SQLITE_TRIGGERS:
            schema_editor.execute(sql)
        schema_editor.execute(search.SQLITE_REBUILD)


def drop(apps, schema_editor):
    from statements import search

    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": search.PG_DROP, "sqlite": search.SQLITE_DROP}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("statements", "0003_speaker_name_trigram")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
