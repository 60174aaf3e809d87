"""Atom feeds of the statement lists: `format=atom` on any browsing page's URL gives its
newest statements, so a reader can follow a speaker, a country or a topic."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html

from statements.models import Quote

FEED_SIZE = 50
TITLE_WORDS = 100  # characters of the statement in an entry's title


@dataclass(frozen=True, slots=True)
class FeedPage:
    title: str
    link: str  # the page the feed follows
    feed_url: str
    statements: Sequence[Quote]  # newest first, with their list rows fetched


def _speaker_name(quote: Quote) -> str:
    if quote.speaker:
        return quote.speaker.name
    return quote.mention_text or "Unknown speaker"


def _shortened(text: str) -> str:
    return text if len(text) <= TITLE_WORDS else text[: TITLE_WORDS - 1].rstrip() + "…"


class StatementFeed(Feed):
    feed_type = Atom1Feed
    author_name = "Newsroom"
    subtitle = "Who said what in diplomatic news, newest first."

    def get_object(self, request: HttpRequest, *, page: FeedPage) -> FeedPage:
        return page

    def title(self, page: FeedPage) -> str:
        return f"{page.title} · Newsroom"

    def link(self, page: FeedPage) -> str:
        return page.link

    def feed_url(self, page: FeedPage) -> str:
        return page.feed_url

    def items(self, page: FeedPage) -> Sequence[Quote]:
        return page.statements

    def item_title(self, quote: Quote) -> str:
        # Plain text (the generator escapes it): "Name: “statement…”".
        return f"{_speaker_name(quote)}: “{_shortened(quote.text)}”"

    def item_description(self, quote: Quote) -> str:
        speaker = _speaker_name(quote)
        role = quote.speaker.role if quote.speaker and quote.speaker.role else ""
        country = quote.speaker.country.name if quote.speaker and quote.speaker.country else ""
        who = ", ".join(part for part in (speaker, role, country) if part)
        return format_html(
            "<blockquote><p>{}</p></blockquote><p>— {}{}</p><p>In <em>{}</em></p>",
            f"“{quote.text}”" if quote.kind == Quote.Kind.DIRECT else quote.text,
            who,
            f" ({quote.cue_text})" if quote.cue_text else "",
            quote.article.title,
        )

    def item_link(self, quote: Quote) -> str:
        return quote.get_absolute_url()  # the statement's place in its article

    def item_author_name(self, quote: Quote) -> str:
        return _speaker_name(quote)

    def item_pubdate(self, quote: Quote) -> dt.datetime:
        # The article's publication day; the statement's own time when the day is unknown.
        published = quote.article.published
        if published is None:
            return quote.created_at
        return dt.datetime.combine(published, dt.time(), tzinfo=dt.UTC)

    def item_updateddate(self, quote: Quote) -> dt.datetime:
        return max(filter(None, (quote.verified_at, self.item_pubdate(quote))))

    def item_categories(self, quote: Quote) -> list[str]:
        return [c.name for c in quote.countries.all()] + [t.name for t in quote.topics.all()]


def feed_response(request: HttpRequest, *, page: FeedPage) -> HttpResponse:
    return StatementFeed()(request, page=page)
