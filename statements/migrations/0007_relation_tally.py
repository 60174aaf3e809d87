"""The relations tally (statements/relations_tally.py): statements per (speaker's country,
mentioned country) pair, kept by database triggers on SQLite and PostgreSQL.

The triggers and the first count are the current ones of relations_tally.py, which read
Article.duplicate_of (migration 0008): on a database that has not got that far, 0013
installs them instead."""

from django.db import migrations, models


def create(apps, schema_editor):
    from statements import relations_tally

    columns = {
        c.name
        for c in schema_editor.connection.introspection.get_table_description(
            schema_editor.connection.cursor(), "statements_article"
        )
    }
    if "duplicate_of_id" not in columns:
        return  # 0013 installs them
    relations_tally.create_triggers(schema_editor.connection)
    relations_tally.rebuild(schema_editor.connection)


def drop(apps, schema_editor):
    from statements import relations_tally

    relations_tally.drop_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("statements", "0006_topics_weak_keywords")]

    operations = [
        migrations.CreateModel(
            name="RelationTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("source", models.CharField(blank=True, max_length=2)),
                ("target", models.CharField(max_length=2)),
                ("statements", models.IntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("source", "target"), name="relation_tally_pair")
                ],
            },
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]
