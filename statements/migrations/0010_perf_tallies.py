"""Statement counts kept current by triggers (statements/tallies.py), filled from the data."""

from django.db import migrations, models


# pg_trgm declares its similarity operators as cheap as "=" (cost 1): at a few thousand
# names the planner then prefers computing trigram similarity for every name (a sequential
# scan, ~30 ms) to the trigram indexes (~2 ms). Their real cost is ~100x a comparison.
TRGM_FUNCTIONS = ("similarity_op", "word_similarity_op", "word_similarity_commutator_op")


def trgm_cost(cost: int) -> str:
    alters = " ".join(f"ALTER FUNCTION {fn}(text, text) COST {cost};" for fn in TRGM_FUNCTIONS)
    # Only the extension's owner may: elsewhere, leave it (the searches work, slower).
    return f"DO $$ BEGIN {alters} EXCEPTION WHEN insufficient_privilege THEN NULL; END $$"


def install(apps, schema_editor):
    from statements import tallies

    vendor = schema_editor.connection.vendor
    # Words are counted from migration 0016 on, which makes their table.
    for sql in tallies.install_sql(vendor, words=False):
        schema_editor.execute(sql, params=None)
    if vendor == "postgresql":
        schema_editor.execute(trgm_cost(200), params=None)
        # Room on each page for a row's new version: counts change in place (HOT updates).
        schema_editor.execute("ALTER TABLE statements_tally SET (fillfactor = 70)", params=None)
        schema_editor.execute("SET LOCAL work_mem = '256MB'", params=None)
    for sql in tallies.rebuild_sql(vendor, words=False):
        schema_editor.execute(sql, params=None)


def uninstall(apps, schema_editor):
    from statements import tallies

    for sql in tallies.uninstall_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(trgm_cost(1), params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('statements', '0009_article_lease_worker_heartbeat'),
    ]

    operations = [
        migrations.CreateModel(
            name='Tally',
            fields=[
                ('pk', models.CompositePrimaryKey('scope_dim', 'scope_key', 'value_dim', 'value_key', blank=True, editable=False, primary_key=True, serialize=False)),
                ('scope_dim', models.CharField(max_length=1)),
                ('scope_key', models.CharField(max_length=20)),
                ('value_dim', models.CharField(max_length=1)),
                ('value_key', models.CharField(max_length=20)),
                ('n', models.BigIntegerField(default=0)),
            ],
            options={
                'verbose_name_plural': 'tallies',
            },
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
