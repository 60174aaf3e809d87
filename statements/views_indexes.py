"""Index pages: every country and every topic with its statement counts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from statements.selectors_indexes import country_index, topic_index


@require_safe
def country_list(request: HttpRequest) -> HttpResponse:
    countries = country_index()
    context = {"title": "Countries", "countries": countries}
    return render(request, "statements/country_list.html", context)


@require_safe
def topic_list(request: HttpRequest) -> HttpResponse:
    topics = topic_index()
    context = {
        "title": "Topics",
        "topics": [t for t in topics if t.statements],
        "empty_topics": [t for t in topics if not t.statements],
    }
    return render(request, "statements/topic_list.html", context)
