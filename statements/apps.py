import os

from django.apps import AppConfig
from django.conf import settings


class StatementsConfig(AppConfig):
    name = "statements"
    verbose_name = "Statements"

    def ready(self) -> None:
        # The pipeline (no Django imports) reads its model name from the environment; a
        # settings module that names another model wins. Nothing is loaded here: the model
        # loads lazily on first use.
        os.environ["SPACY_MODEL"] = settings.SPACY_MODEL
