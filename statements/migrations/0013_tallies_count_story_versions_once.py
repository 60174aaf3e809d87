"""Both tallies' triggers now leave out the statements of later versions of a story
(Article.duplicate_of), as lists and exports do: reinstall them and recount."""

from django.db import migrations


def reinstall(apps, schema_editor):
    from statements import relations_tally, tallies

    connection = schema_editor.connection
    for sql in tallies.reinstall_sql(connection.vendor, words=False):
        schema_editor.execute(sql, params=None)
    relations_tally.drop_triggers(connection)
    relations_tally.create_triggers(connection)
    relations_tally.rebuild(connection)


class Migration(migrations.Migration):
    dependencies = [("statements", "0012_speaker_kinds")]

    # Reversing keeps the new triggers: they count what the old ones did, and more exactly.
    operations = [migrations.RunPython(reinstall, migrations.RunPython.noop, elidable=False)]
