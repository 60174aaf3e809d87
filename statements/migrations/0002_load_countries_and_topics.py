"""Countries from pycountry plus our alias table, and the default topics.

`manage.py load_countries` refreshes them later (a newer pycountry, edited aliases).
"""

from django.db import migrations


def load(apps, schema_editor):
    from statements import nlp

    Country = apps.get_model("statements", "Country")
    Topic = apps.get_model("statements", "Topic")
    Country.objects.bulk_create(
        [Country(code=code, name=name, aliases=aliases) for code, name, aliases in nlp.iter_countries()],
        ignore_conflicts=True,
    )
    Topic.objects.bulk_create(
        [Topic(slug=t.slug, name=t.name, keywords=list(t.keywords)) for t in nlp.default_topics()],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("statements", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
