"""The relations tally keeps the matrix's row and column totals as rows of its own
(statements/relations_tally.py, ROW_TOTAL and COLUMN_TOTAL): reinstall its triggers and recount."""

from django.db import migrations


def with_totals(apps, schema_editor):
    from statements import relations_tally

    connection = schema_editor.connection
    relations_tally.drop_triggers(connection)
    relations_tally.create_triggers(connection)
    relations_tally.rebuild(connection)


def without_totals(apps, schema_editor):
    from statements import relations_tally

    connection = schema_editor.connection
    relations_tally.drop_triggers(connection)
    relations_tally.create_triggers(connection, totals=False)
    apps.get_model("statements", "RelationTally").objects.filter(
        source__in=[relations_tally.ROW_TOTAL, relations_tally.COLUMN_TOTAL]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("statements", "0016_tally_words")]

    operations = [migrations.RunPython(with_totals, without_totals, elidable=False)]
