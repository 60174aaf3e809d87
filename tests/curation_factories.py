"""Plain factory functions for the curation tests (uploads, tasks, admin corrections)."""

from __future__ import annotations

import itertools
import re

from django.contrib.auth import get_user_model

from statements.models import Article, Quote, Speaker
from statements.nlp.names import fold
from statements.nlp.types import Annotation, QuoteAnnotation, SpeakerProfile
from statements.textio import content_hash

_seq = itertools.count(1)

ARTICLE_BODY = (
    "Ministers meet in Brussels\n\n"
    '"We will keep talking," Jane Doe said on Monday.\n'
    "Doe added that the talks would resume in March.\n"
)


def make_user(*, staff: bool = False, superuser: bool = False, username: str = ""):
    User = get_user_model()
    username = username or f"user{next(_seq)}"
    if superuser:
        return User.objects.create_superuser(username, f"{username}@example.org", "pw")
    return User.objects.create_user(username, f"{username}@example.org", "pw", is_staff=staff)


def make_article(*, body: str = "", title: str = "", status=Article.Status.ANNOTATED, **fields):
    body = body or f"{ARTICLE_BODY}\nItem {next(_seq)}.\n"
    return Article.objects.create(
        title=title or body.splitlines()[0],
        body=body,
        content_hash=content_hash(body),
        status=status,
        **fields,
    )


def make_speaker(*, name: str = "", **fields) -> Speaker:
    name = name or f"Speaker {next(_seq)}"
    return Speaker.objects.create(
        name=name,
        slug=f"{fold(name).replace(' ', '-')}-{next(_seq)}",
        search_name=fold(name),
        **fields,
    )


def make_quote(*, article: Article, text: str, speaker: Speaker | None = None, **fields) -> Quote:
    start = article.body.index(text)
    return Quote.objects.create(
        article=article,
        speaker=speaker,
        text=text,
        kind=fields.pop("kind", Quote.Kind.DIRECT),
        start=start,
        end=start + len(text),
        **fields,
    )


_QUOTED = re.compile(r'"([^"]+)"')


def fake_annotation(text: str, *, speaker: str = "Jane Doe") -> Annotation:
    """A tiny deterministic stand-in for the pipeline: every "..." is a direct statement of
    one speaker."""
    quotes = [
        QuoteAnnotation(
            start=m.start(1),
            end=m.end(1),
            text=m.group(1),
            kind="direct",
            cue=None,
            speaker=0,
            mention=None,
        )
        for m in _QUOTED.finditer(text)
    ]
    return Annotation(quotes=quotes, speakers=[SpeakerProfile(name=speaker)])


def use_fake_pipeline(monkeypatch, *, fail: bool = False, calls: list | None = None) -> list:
    """Replace the spaCy pipeline with `fake_annotation` (or one that raises); returns the
    list of texts it was called with."""
    from statements import nlp

    calls = [] if calls is None else calls

    def annotate(text, **kwargs):
        calls.append(text)
        if fail:
            raise RuntimeError("pipeline exploded")
        return fake_annotation(text)

    def annotate_many(items, **kwargs):
        for text, context in items:
            yield annotate(text), context

    monkeypatch.setattr(nlp, "annotate", annotate)
    monkeypatch.setattr(nlp, "annotate_many", annotate_many)
    return calls
