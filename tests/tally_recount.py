"""An independent recount of the tallies, from the ORM and Python (no tally SQL)."""

from __future__ import annotations

from collections import Counter

from statements.models import Quote, Tally


def recount() -> dict[tuple[str, str, str, str], int]:
    """Every (scope, value) pair count, from the visible statements as the ORM reads them."""
    counts: Counter = Counter()
    quotes = (
        Quote.objects.visible()
        .select_related("speaker", "article")
        .prefetch_related("countries", "topics")
    )
    for quote in quotes:
        items = [("*", ""), ("k", quote.kind)]
        if quote.speaker_id is not None:
            items.append(("s", str(quote.speaker_id)))
            if quote.speaker.country_id:
                items.append(("p", quote.speaker.country_id))
        items += [("c", c.code) for c in quote.countries.all()]
        items += [("t", str(t.pk)) for t in quote.topics.all()]
        month = quote.article.published
        source = quote.speaker.country_id if quote.speaker_id is not None else None
        mentioned = [c.code for c in quote.countries.all()]
        if source:
            relations = [("r", f"{source}>{code}") for code in mentioned if code != source]
        else:
            relations = [("r", ">")] if mentioned else []
        for a in items:
            for b in items:
                counts[(*a, *b)] += 1
            if month and a[0] in ("s", "*"):
                counts[(*a, "m", month.strftime("%Y-%m"))] += 1
            if a[0] in ("*", "k", "t"):
                for relation in relations:
                    counts[(*a, *relation)] += 1
    return dict(counts)


def stored() -> dict[tuple[str, str, str, str], int]:
    rows = Tally.objects.exclude(scope_dim="#").exclude(n=0)
    return {(t.scope_dim, t.scope_key, t.value_dim, t.value_key): t.n for t in rows}
