"""Topic tags of statements: their own words first, else the dominant topics of the passage.

The *passage* of a statement is its paragraph (or paragraphs) with the paragraph before and
the one after: in wire copy and meeting coverage a paragraph is one to three sentences, so
this is the statement with its neighbouring sentences, headline included for the lead.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from .cues import CUE_MATCHER
from .matchers import COUNTRY_MATCHER, TOPIC_MATCHER
from .pipeline import GUARD
from .topics import TopicRule, neutral_phrases
from .types import Annotation

_NEUTRAL = ""  # slug of the phrases that tag nothing
# Components that do not touch a term's lemmas.
_NOT_FOR_LEMMAS = ("parser", "ner", GUARD, CUE_MATCHER, COUNTRY_MATCHER, TOPIC_MATCHER)
_MATCHERS: dict[tuple, tuple[PhraseMatcher, PhraseMatcher, dict[str, tuple[str, str, bool]]]] = {}
# A passage topic is dominant when it scores at least this share of the best one.
DOMINANT_SHARE = 0.5
MAX_PASSAGE_TOPICS = 1
MAX_STATEMENT_TOPICS = 2


@dataclass(frozen=True, slots=True)
class TermHit:
    start: int
    end: int
    slug: str
    term: str
    strong: bool


@dataclass(slots=True)
class TopicEvidence:
    strong: set[str] = field(default_factory=set)  # distinct strong terms
    weak: set[str] = field(default_factory=set)  # distinct weak terms
    score: int = 0  # 2 per strong occurrence, 1 per weak one

    @property
    def qualifies(self) -> bool:
        return bool(self.strong) or len(self.weak) >= 2


_NONE = TopicEvidence()


def _matchers(nlp: Language, rules: Sequence[TopicRule]):
    key = (id(nlp), tuple(r.key() for r in rules))
    found = _MATCHERS.get(key)
    if found is None:
        by_lemma = PhraseMatcher(nlp.vocab, attr="LEMMA")
        by_form = PhraseMatcher(nlp.vocab, attr="LOWER")
        meaning: dict[str, tuple[str, str, bool]] = {}
        entries = [(_NEUTRAL, term, False) for term in neutral_phrases()]
        for rule in rules:
            entries += [(rule.slug, term, True) for term in rule.keywords]
            entries += [(rule.slug, term, False) for term in rule.weak]
        for slug, term, strong in entries:
            term = term.strip().lower()
            if term:
                meaning.setdefault(f"{slug}|{int(strong)}|{term}", (slug, term, strong))
        names = list(meaning)
        terms = [meaning[name][1] for name in names]
        # lemmas come from the tagger: the parser, NER and our matchers are not needed here
        skip = [name for name in _NOT_FOR_LEMMAS if name in nlp.pipe_names]
        forms, parsed = nlp.tokenizer.pipe(terms), nlp.pipe(terms, disable=skip)
        for name, form, lemmas in zip(names, forms, parsed, strict=True):
            by_form.add(name, [form])
            by_lemma.add(name, [lemmas])
        found = (by_lemma, by_form, meaning)
        if len(_MATCHERS) > 32:  # topic sets edited in the admin: keep the cache small
            _MATCHERS.clear()
        _MATCHERS[key] = found
    return found


def term_hits(
    nlp: Language, parts: Sequence[tuple[Doc, int]], rules: Sequence[TopicRule]
) -> list[TermHit]:
    """Topic terms in the text, longest first: words inside a longer term ("security" in
    "food security", "Guinea" style overlaps) count only for the longer one, and neutral
    phrases ("Security Council") hide their words. Sorted by position."""
    by_lemma, by_form, meaning = _matchers(nlp, rules)
    spans: dict[tuple[int, int], set[tuple[str, str, bool]]] = {}
    for doc, off in parts:
        strings = doc.vocab.strings
        for matcher in (by_form, by_lemma):
            for match_id, s, e in matcher(doc):
                span = doc[s:e]
                where = (span.start_char + off, span.end_char + off)
                slug, _term, strong = meaning[strings[match_id]]
                # terms are told apart by the words' lemmas: "voting" and "vote" are one term
                spans.setdefault(where, set()).add((slug, span.lemma_.lower(), strong))
    taken: list[tuple[int, int]] = []
    hits: list[TermHit] = []
    for start, end in sorted(spans, key=lambda se: (se[0] - se[1], se[0])):
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        hits += [TermHit(start, end, *m) for m in spans[(start, end)] if m[0] != _NEUTRAL]
    hits.sort(key=lambda h: (h.start, h.slug))
    return hits


def evidence(hits: Sequence[TermHit]) -> dict[str, TopicEvidence]:
    out: dict[str, TopicEvidence] = {}
    for h in hits:
        ev = out.setdefault(h.slug, TopicEvidence())
        (ev.strong if h.strong else ev.weak).add(h.term)
        ev.score += 2 if h.strong else 1
    return out


def dominant(ev: dict[str, TopicEvidence]) -> list[str]:
    """The qualifying topics that lead the evidence: the best and those close to it."""
    ranked = sorted(((e.score, slug) for slug, e in ev.items() if e.qualifies), key=lambda x: -x[0])
    if not ranked:
        return []
    best = ranked[0][0]
    return [slug for score, slug in ranked if score >= best * DOMINANT_SHARE][:MAX_PASSAGE_TOPICS]


class Paragraphs:
    """Paragraph spans of a text: blocks between blank lines, or lines when there are none."""

    def __init__(self, text: str) -> None:
        sep = "\n\n" if "\n\n" in text.strip() else "\n"
        self.spans: list[tuple[int, int]] = []
        pos = 0
        for block in text.split(sep):
            if block.strip():
                self.spans.append((pos, pos + len(block)))
            pos += len(block) + len(sep)
        self.starts = [s for s, _ in self.spans]

    def passage(self, start: int, end: int) -> tuple[int, int]:
        """From the paragraph before the one holding `start` to the one after `end`'s."""
        if not self.spans:
            return start, end
        first = max(bisect_right(self.starts, start) - 1, 0)
        last = max(bisect_right(self.starts, max(end - 1, start)) - 1, first)
        return self.spans[max(first - 1, 0)][0], self.spans[min(last + 1, len(self.spans) - 1)][1]


class TopicTagger:
    """Topics of any span of one text, from the term hits found once over the whole text."""

    def __init__(self, text: str, hits: list[TermHit]) -> None:
        self.hits = hits
        self.starts = [h.start for h in hits]
        self.paragraphs = Paragraphs(text)

    def _within(self, start: int, end: int) -> list[TermHit]:
        i = bisect_left(self.starts, start)
        j = bisect_left(self.starts, end)
        return [h for h in self.hits[i:j] if h.end <= end]

    def own(self, start: int, end: int) -> list[str]:
        """Topics the statement's own words carry: a strong term, two weak ones, or a weak
        one whose topic has strong terms in the passage."""
        own = evidence(self._within(start, end))
        context = evidence(self._within(*self.paragraphs.passage(start, end)))
        strong = [slug for slug, ev in own.items() if ev.strong]
        supported = [slug for slug in own if slug not in strong and context.get(slug, _NONE).strong]
        # two weak words of a topic count only where no topic has a strong word
        paired = [] if strong else [slug for slug, ev in own.items() if len(ev.weak) >= 2]
        tags = sorted(strong + supported + paired, key=lambda slug: -own[slug].score)
        return tags[:MAX_STATEMENT_TOPICS]

    def topics(self, start: int, end: int) -> list[str]:
        """The statement's own topics, else the dominant topics of its passage."""
        return self.own(start, end) or dominant(
            evidence(self._within(*self.paragraphs.passage(start, end)))
        )

    def document(self) -> list[str]:
        """The text's qualifying topics, most evidence first."""
        ev = evidence(self.hits)
        ranked = sorted((slug for slug, e in ev.items() if e.qualifies), key=lambda s: -ev[s].score)
        return ranked


def tag_topics(
    nlp: Language,
    text: str,
    parts: Sequence[tuple[Doc, int]],
    annotation: Annotation,
    rules: Sequence[TopicRule],
) -> Annotation:
    """Set the topics of each statement and of the whole text (in place; returned)."""
    if not rules:
        return annotation
    tagger = TopicTagger(text, term_hits(nlp, parts, rules))
    for quote in annotation.quotes:
        quote.topics = tagger.topics(quote.start, quote.end)
    annotation.topics = tagger.document()
    return annotation
