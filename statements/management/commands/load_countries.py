"""python manage.py load_countries : refresh countries (pycountry + our aliases) and add
default topics."""

from django.core.management.base import BaseCommand

from statements import services


class Command(BaseCommand):
    help = "Load or refresh the country table and add missing default topics."

    def handle(self, *args, **options):
        countries = services.countries_load()
        topics = services.topics_load()
        self.stdout.write(f"{countries} countries loaded, {topics} new topics")
