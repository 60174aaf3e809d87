"""An independent recount of the tallies, from the ORM and Python (no tally SQL)."""

from __future__ import annotations

from collections import Counter

from django.db import connection

from statements.models import Quote, Tally, TallyWord


def recount() -> dict[tuple[str, str, str, str], int]:
    """Every (scope, value) pair count, from the visible statements as the ORM reads them."""
    counts: Counter = Counter()
    quotes = (
        Quote.objects.visible()
        .select_related("speaker", "article")
        .prefetch_related("countries", "topics")
    )
    words = _tallied_words_by_quote()
    for quote in quotes:
        _count(counts, quote, words.get(quote.pk, ()))
    return dict(counts)


def _count(counts: Counter, quote: Quote, words) -> None:
    """Add the pairs of one statement's items."""
    items = _items(quote)
    month = quote.article.published
    months = [("m", month.strftime("%Y-%m"))] if month else []
    relations = _relations(quote)
    for a in items:
        for b in items:
            counts[(*a, *b)] += 1
        if a[0] in ("s", "*"):
            for b in months:
                counts[(*a, *b)] += 1
        if a[0] in ("*", "k", "t"):
            for b in relations:
                counts[(*a, *b)] += 1
    for a in relations:  # a relation as a scope: what its pair page counts
        if a[1] != ">":
            for b in items + months:
                counts[(*a, *b)] += 1
    for word in words:  # a tallied word as a scope: a search for it
        for b in items + relations:
            counts[("w", word, *b)] += 1


def _tallied_words_by_quote() -> dict[int, set[str]]:
    """PostgreSQL: each statement's tallied words, from its search vector's lexemes."""
    if connection.vendor != "postgresql":
        return {}
    tallied = set(TallyWord.objects.values_list("lexeme", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, tsvector_to_array(search_vector) FROM statements_quote")
        return {pk: set(lexemes) & tallied for pk, lexemes in cursor.fetchall()}


def _items(quote: Quote) -> list[tuple[str, str]]:
    items = [("*", ""), ("k", quote.kind)]
    if quote.speaker_id is not None:
        items.append(("s", str(quote.speaker_id)))
        if quote.speaker.country_id:
            items.append(("p", quote.speaker.country_id))
    items += [("c", c.code) for c in quote.countries.all()]
    items += [("t", str(t.pk)) for t in quote.topics.all()]
    return items


def _relations(quote: Quote) -> list[tuple[str, str]]:
    """`TR>US` for each other country a speaker of Turkey mentions; `>` once for a statement
    that mentions a country and whose speaker has none."""
    source = quote.speaker.country_id if quote.speaker_id is not None else None
    mentioned = [c.code for c in quote.countries.all()]
    if source:
        return [("r", f"{source}>{code}") for code in mentioned if code != source]
    return [("r", ">")] if mentioned else []


def stored() -> dict[tuple[str, str, str, str], int]:
    rows = Tally.objects.exclude(scope_dim="#").exclude(n=0)
    return {(t.scope_dim, t.scope_key, t.value_dim, t.value_key): t.n for t in rows}
