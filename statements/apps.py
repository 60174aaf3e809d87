from django.apps import AppConfig
from django.core.signals import setting_changed
from django.db.models.signals import post_migrate


def _repair_search_index(sender, using, **kwargs):
    from django.db import connections

    from statements.search import ensure_search_index
    from statements.tallies import ensure_tallies

    ensure_search_index(connections[using])
    ensure_tallies(connections[using])


def _repair_relation_triggers(sender, using, **kwargs):
    from django.db import connections

    from statements.relations_tally import ensure_triggers

    ensure_triggers(connections[using])


def _forget_page_urls(setting, **kwargs):
    """Remembered URLs (models.page_url) follow a change of URLconf, as Django's own do."""
    if setting == "ROOT_URLCONF":
        from statements.models import _reversed

        _reversed.cache_clear()


class StatementsConfig(AppConfig):
    name = "statements"
    verbose_name = "Statements"

    def ready(self):
        post_migrate.connect(_repair_search_index, sender=self)
        post_migrate.connect(_repair_relation_triggers, sender=self)
        setting_changed.connect(_forget_page_urls)
        from statements.datacache import connect_signals

        connect_signals()
