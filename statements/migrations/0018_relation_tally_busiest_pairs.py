"""An index of the relations matrix's pairs by their count: the busiest pairs are its first
entries and the number of pairs an index-only count (statements/models.py, RELATION_PAIRS)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('statements', '0017_relation_tally_totals'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='relationtally',
            index=models.Index(models.OrderBy(models.F('statements'), descending=True), models.F('source'), models.F('target'), condition=models.Q(('statements__gt', 0), models.Q(('source__in', ['', '>', '<']), _negated=True), models.Q(('target', ''), _negated=True), models.Q(('source', models.F('target')), _negated=True)), name='relation_tally_busiest'),
        ),
    ]
