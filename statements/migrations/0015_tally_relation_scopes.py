"""Each relation (speaker's country > mentioned country) is a tally scope of its own, for
the pair pages: new triggers, and a recount."""

from django.db import migrations


def reinstall(apps, schema_editor):
    from statements import tallies

    for sql in tallies.reinstall_sql(schema_editor.connection.vendor, words=False):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("statements", "0014_tally_relations_per_kind_and_topic")]

    # Reversing keeps the triggers: the scope rows they add are read by nothing older.
    operations = [migrations.RunPython(reinstall, migrations.RunPython.noop, elidable=False)]
