"""The tally also counts relations (speaker's country > mentioned country) overall, per
kind and per topic, for the relations matrix filtered by one of them: new triggers, and a
recount."""

from django.db import migrations


def reinstall(apps, schema_editor):
    from statements import tallies

    for sql in tallies.reinstall_sql(schema_editor.connection.vendor, words=False):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("statements", "0013_tallies_count_story_versions_once")]

    # Reversing keeps the triggers: the relation rows they add are read by nothing older.
    operations = [migrations.RunPython(reinstall, migrations.RunPython.noop, elidable=False)]
