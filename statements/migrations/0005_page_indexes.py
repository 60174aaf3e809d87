"""Indexes for the pages at 100,000+ statements (see bench/ and docs in statements/search.py).

- Drop the single-column indexes on Quote.kind and Quote.is_deleted: too unselective to
  help, and SQLite (no statistics unless ANALYZE runs) picks them over the article date
  index, sorting every statement on every list page.
- (speaker, is_deleted): speaker search, speaker pages and counts read only the index.
- PostgreSQL: an index in exactly the list's order (published DESC NULLS LAST, id DESC)
  so the newest articles are read in order instead of sorting the article table per
  page. SQLite reads its `published` index backwards for the same order (NULLs sort
  first there, so DESC puts them last), so it needs nothing more.
"""

from django.db import migrations, models

PG_INDEX = (
    "CREATE INDEX IF NOT EXISTS statements_article_newest_first "
    "ON statements_article (published DESC NULLS LAST, id DESC)"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS statements_article_newest_first")


class Migration(migrations.Migration):
    dependencies = [("statements", "0004_quote_text_search")]

    operations = [
        migrations.AlterField(
            model_name="quote",
            name="kind",
            field=models.CharField(
                choices=[("direct", "Direct"), ("indirect", "Indirect"), ("mixed", "Mixed")],
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="quote",
            name="is_deleted",
            field=models.BooleanField(default=False),
        ),
        migrations.AddIndex(
            model_name="quote",
            index=models.Index(fields=["speaker", "is_deleted"], name="quote_speaker_visible"),
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]
