"""Frequent words are tally scopes of their own on PostgreSQL (statements/tallies.py): the
table of tallied words, triggers that count them, and a recount. The words come with the
next `tally_words` run (the watcher's, or after a bulk load)."""

import django.db.models.functions.datetime
from django.db import migrations, models


def reinstall(apps, schema_editor, *, words=True):
    from statements import tallies

    for sql in tallies.reinstall_sql(schema_editor.connection.vendor, words=words):
        schema_editor.execute(sql, params=None)


def reinstall_without_words(apps, schema_editor):
    reinstall(apps, schema_editor, words=False)


class Migration(migrations.Migration):
    dependencies = [("statements", "0015_tally_relation_scopes")]

    operations = [
        migrations.CreateModel(
            name="TallyWord",
            fields=[
                ("lexeme", models.CharField(max_length=20, primary_key=True, serialize=False)),
                (
                    "added",
                    models.DateTimeField(db_default=django.db.models.functions.datetime.Now()),
                ),
            ],
        ),
        # Reversing puts back triggers that read no words before the table goes.
        migrations.RunPython(reinstall, reinstall_without_words, elidable=False),
    ]
