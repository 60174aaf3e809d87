"""Phrase matchers for countries and topics, built once per pipeline as spaCy components.

`newsroom_countries` marks every country name, demonym and capital in
`doc.spans[COUNTRY_SPANS]` (labelled with the ISO code). Topics are chosen per call (the
admin edits them), so `newsroom_topics` runs nothing on the Doc: it keeps the compiled
matchers of the last topic sets for `topic_mentions`.
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from .countries import longest_first, not_countries, surface_index
from .topics import TopicRule

COUNTRY_MATCHER = "newsroom_countries"
COUNTRY_SPANS = "newsroom_countries"
NOT_A_COUNTRY = "NOT_A_COUNTRY"  # 'New Mexico': a longer name that hides a country's
TOPIC_MATCHER = "newsroom_topics"
TOPIC_SETS_KEPT = 32  # topic sets edited in the admin: keep the cache small


class CountryMatcher:
    def __init__(self, nlp: Language):
        # Case-sensitive: "US" is a country, "us" is not.
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        by_code: dict[str, list[str]] = {}
        for form, code in surface_index().items():
            by_code.setdefault(code, []).append(form)
        for code, forms in by_code.items():
            self.matcher.add(code, list(nlp.tokenizer.pipe(forms)))
        self.matcher.add(NOT_A_COUNTRY, list(nlp.tokenizer.pipe(not_countries())))

    def __call__(self, doc: Doc) -> Doc:
        doc.spans[COUNTRY_SPANS] = self.matcher(doc, as_spans=True)
        return doc


@Language.factory(COUNTRY_MATCHER)
def make_country_matcher(nlp: Language, name: str) -> CountryMatcher:
    return CountryMatcher(nlp)


class TopicMatchers:
    def __init__(self, nlp: Language):
        self.nlp = nlp
        self.cache: dict[tuple, tuple[PhraseMatcher, PhraseMatcher]] = {}

    def __call__(self, doc: Doc) -> Doc:
        return doc

    def for_topics(self, topics: Sequence[TopicRule]) -> tuple[PhraseMatcher, PhraseMatcher]:
        """A lemma matcher and a word-form matcher for the topic set, compiled once."""
        key = tuple(t.key() for t in topics)
        pair = self.cache.get(key)
        if pair is None:
            pair = self._compile(topics)
            if len(self.cache) > TOPIC_SETS_KEPT:
                self.cache.clear()
            self.cache[key] = pair
        return pair

    def _compile(self, topics: Sequence[TopicRule]) -> tuple[PhraseMatcher, PhraseMatcher]:
        nlp = self.nlp
        by_lemma = PhraseMatcher(nlp.vocab, attr="LEMMA")
        by_form = PhraseMatcher(nlp.vocab, attr="LOWER")
        for topic in topics:
            words = [k.lower() for k in topic.keywords if k and k.strip()]
            if words:
                by_form.add(topic.slug, list(nlp.tokenizer.pipe(words)))
                by_lemma.add(topic.slug, list(nlp.pipe(words)))
        return by_lemma, by_form


@Language.factory(TOPIC_MATCHER)
def make_topic_matchers(nlp: Language, name: str) -> TopicMatchers:
    return TopicMatchers(nlp)


def country_mentions(doc: Doc) -> list[tuple[int, int, str]]:
    """(start char, end char, ISO code) for each country name, demonym or capital, longest
    first ('Equatorial Guinea' is not also Guinea; 'New Mexico' is not Mexico); names inside
    a longer person name ('Jordan' in 'Michael Jordan') are skipped."""
    out = []
    for span in doc.spans[COUNTRY_SPANS]:
        s, e = span.start, span.end
        if span.root.ent_type_ == "PERSON" and (
            (s > 0 and doc[s - 1].ent_type_ == "PERSON" and doc[s - 1].ent_iob_ != "O")
            or (e < len(doc) and doc[e].ent_iob_ == "I")
        ):
            continue
        code = span.label_
        out.append((span.start_char, span.end_char, "" if code == NOT_A_COUNTRY else code))
    return longest_first(out)


def topic_mentions(
    nlp: Language, doc: Doc, topics: Sequence[TopicRule]
) -> list[tuple[int, int, str]]:
    out = []
    for matcher in nlp.get_pipe(TOPIC_MATCHER).for_topics(topics):
        for span in matcher(doc, as_spans=True):
            out.append((span.start_char, span.end_char, span.label_))
    return out
