"""A web worker renders the main pages once before taking requests (newsroom/warmup.py), and
pages remember the URLs they link to (statements/models.page_url)."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from newsroom import warmup
from tests.factories import make_quote, make_speaker

pytestmark = pytest.mark.django_db


def test_the_warm_up_renders_the_main_pages_and_an_object_page_of_each_kind(settings):
    settings.ALLOWED_HOSTS = ["news.example.org"]
    make_quote(speaker=make_speaker("Ada Turan", country="TR"), topics=("trade",))
    paths = warmup.warm_paths()
    assert {"/", "/speakers/", "/relations/"} <= set(paths)
    assert "/speakers/ada-turan/" in paths and "/countries/tr/" in paths
    assert any(p.startswith("/articles/") for p in paths)
    assert any(p.startswith("/topics/") and p != "/topics/" for p in paths)
    assert warmup.warm_up() >= 0


def test_the_warm_up_stops_at_the_first_failing_page(monkeypatch, settings):
    settings.ALLOWED_HOSTS = ["news.example.org"]
    asked = []

    def database_away(self, path, *args, **kwargs):
        asked.append(path)
        raise OperationalError("connection refused")

    monkeypatch.setattr("django.test.Client.get", database_away)
    warmup.warm_up()  # logs, never raises: the worker starts anyway
    assert asked == ["/"]


def test_remembered_page_urls_follow_a_change_of_urlconf(settings):
    speaker = make_speaker("Ada Turan", country="TR")
    assert speaker.get_absolute_url() == "/speakers/ada-turan/"
    assert speaker.country.get_absolute_url() == "/countries/tr/"
    settings.ROOT_URLCONF = "tests.urls_under_prefix"
    assert speaker.get_absolute_url() == "/news/speakers/ada-turan/"
