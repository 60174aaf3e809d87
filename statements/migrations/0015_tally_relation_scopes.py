"""Each relation (speaker's country > mentioned country) is a tally scope of its own, for
the pair pages: new triggers, and a recount."""

from django.db import migrations


def reinstall(apps, schema_editor):
    from statements import tallies

    vendor = schema_editor.connection.vendor
    for sql in tallies.uninstall_sql(vendor) + tallies.install_sql(vendor):
        schema_editor.execute(sql, params=None)
    if vendor == "postgresql":
        schema_editor.execute("SET LOCAL work_mem = '256MB'", params=None)
    for sql in tallies.rebuild_sql(vendor):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("statements", "0014_tally_relations_per_kind_and_topic")]

    # Reversing keeps the triggers: the scope rows they add are read by nothing older.
    operations = [migrations.RunPython(reinstall, migrations.RunPython.noop, elidable=False)]
