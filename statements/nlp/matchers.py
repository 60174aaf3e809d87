"""Phrase matchers for countries and topics, compiled once per pipeline (and topic set)."""

from __future__ import annotations

from collections.abc import Sequence

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from .countries import longest_first, not_countries, surface_index
from .topics import TopicRule

_COUNTRY: dict[int, PhraseMatcher] = {}
_NOT_A_COUNTRY = "NOT_A_COUNTRY"
_TOPIC: dict[tuple, tuple[PhraseMatcher, PhraseMatcher]] = {}


def country_matcher(nlp: Language) -> PhraseMatcher:
    matcher = _COUNTRY.get(id(nlp))
    if matcher is None:
        # Case-sensitive: "US" is a country, "us" is not.
        matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        by_code: dict[str, list[str]] = {}
        for form, code in surface_index().items():
            by_code.setdefault(code, []).append(form)
        for code, forms in by_code.items():
            matcher.add(code, list(nlp.tokenizer.pipe(forms)))
        matcher.add(_NOT_A_COUNTRY, list(nlp.tokenizer.pipe(not_countries())))
        _COUNTRY[id(nlp)] = matcher
    return matcher


def country_mentions(nlp: Language, doc: Doc) -> list[tuple[int, int, str]]:
    """(start char, end char, ISO code) for each country name, demonym or capital, longest
    first ('Equatorial Guinea' is not also Guinea; 'New Mexico' is not Mexico); names inside
    a longer person name ('Jordan' in 'Michael Jordan') are skipped."""
    out = []
    strings = doc.vocab.strings
    for match_id, s, e in country_matcher(nlp)(doc):
        span = doc[s:e]
        if span.root.ent_type_ == "PERSON" and (
            (s > 0 and doc[s - 1].ent_type_ == "PERSON" and doc[s - 1].ent_iob_ != "O")
            or (e < len(doc) and doc[e].ent_iob_ == "I")
        ):
            continue
        code = strings[match_id]
        out.append((span.start_char, span.end_char, "" if code == _NOT_A_COUNTRY else code))
    return longest_first(out)


def topic_matchers(nlp: Language, topics: Sequence[TopicRule]) -> tuple[PhraseMatcher, ...]:
    key = (id(nlp), tuple(t.key() for t in topics))
    pair = _TOPIC.get(key)
    if pair is None:
        by_lemma = PhraseMatcher(nlp.vocab, attr="LEMMA")
        by_form = PhraseMatcher(nlp.vocab, attr="LOWER")
        for topic in topics:
            words = [k for k in topic.keywords if k and k.strip()]
            if not words:
                continue
            by_form.add(topic.slug, list(nlp.tokenizer.pipe([w.lower() for w in words])))
            by_lemma.add(topic.slug, list(nlp.pipe([w.lower() for w in words])))
        pair = (by_lemma, by_form)
        if len(_TOPIC) > 32:  # topic sets edited in the admin: keep the cache small
            _TOPIC.clear()
        _TOPIC[key] = pair
    return pair


def topic_mentions(
    nlp: Language, doc: Doc, topics: Sequence[TopicRule]
) -> list[tuple[int, int, str]]:
    out = []
    strings = doc.vocab.strings
    for matcher in topic_matchers(nlp, topics):
        for match_id, s, e in matcher(doc):
            span = doc[s:e]
            code = strings[match_id]
        out.append((span.start_char, span.end_char, "" if code == _NOT_A_COUNTRY else code))
    return longest_first(out)
