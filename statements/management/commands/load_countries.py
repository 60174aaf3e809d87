"""python manage.py load_countries : refresh countries (pycountry + our aliases) and add
default topics."""

from django.core.management.base import BaseCommand

from statements.services.reference import countries_load, topics_load


class Command(BaseCommand):
    help = "Load or refresh the country table and add missing default topics."

    def handle(self, *args, **options):
        countries = countries_load()
        topics = topics_load()
        self.stdout.write(f"{countries} countries loaded, {topics} new topics")
