"""Continuation sentences of meeting coverage: reported speech carried on without a cue.

UN meeting coverage reports a speaker over several sentences and names the cue once: "The
representative said the talks had stalled. The parties could not wait for another year."
The second sentence is the speaker's too. The rule is strict: only in texts written as
meeting coverage (delegates, representatives, committees named throughout), only in the
paragraph of a reported statement and directly after it (or after another continuation),
and only for sentences that read as the speaker's words, not as the reporter's narration
of the meeting (no new actor, no meeting business, no question).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from spacy.tokens import Doc, Span

from .lexicon import load_data

MIN_WORDS = 6
NARRATOR_SUBJECTS = {"he", "she", "they", "i", "we", "you"}
QUOTE_MARKS = set('"“”„«»‘’')


@dataclass(frozen=True)
class ContinuationLexicon:
    meeting_terms: re.Pattern[str]  # words that mark meeting coverage
    min_meeting_terms: int
    un_terms: re.Pattern[str]  # the United Nations and its organs
    narration_openers: frozenset[str]  # first words of the reporter's narration
    meeting_actions: frozenset[str]  # verbs of meeting business ('adopted', 'elected')


@cache
def lexicon() -> ContinuationLexicon:
    data = load_data("continuations.json")
    return ContinuationLexicon(
        meeting_terms=_words(data["meeting_terms"]),
        min_meeting_terms=int(data["min_meeting_terms"]),
        un_terms=_words(data["un_terms"]),
        narration_openers=frozenset(data["narration_openers"]),
        meeting_actions=frozenset(data["meeting_actions"]),
    )


def _words(words: list[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)")


def is_meeting_coverage(text: str) -> bool:
    """Whether the text reads as coverage of a United Nations meeting: delegates, councils,
    envoys named often, and the Organization or one of its organs."""
    lex = lexicon()
    if lex.un_terms.search(text) is None:
        return False
    for found, _ in enumerate(lex.meeting_terms.finditer(text), start=1):
        if found >= lex.min_meeting_terms:
            return True
    return False


def continuations(
    doc: Doc,
    reported: list[tuple[int, int]],
    paragraph_of: Callable[[int], int],
    headline_end: int = 0,
) -> list[tuple[int, int]]:
    """Char spans (local to `doc`) of the sentences that carry on a reported statement.
    `reported`: local char spans of the statements found with a cue and a speaker;
    `paragraph_of`: paragraph index of a local char offset."""
    lex = lexicon()
    spans = sorted(reported)
    out: list[tuple[int, int]] = []
    carrying = False  # the sentence before (same paragraph) was reported speech
    prev_para = -1
    for sent in doc.sents:
        para = paragraph_of(sent.start_char)
        if para != prev_para:
            carrying, prev_para = False, para
        if sent.start_char < headline_end:
            continue
        if any(s < sent.end_char and sent.start_char < e for s, e in spans):
            carrying = True
            continue
        if carrying and _reads_as_speech(sent, lex):
            out.append(_content(sent))
        else:
            carrying = False
    return out


def _reads_as_speech(sent: Span, lex: ContinuationLexicon) -> bool:
    words = [t for t in sent if not (t.is_punct or t.is_space)]
    last = next((t for t in reversed(sent) if not t.is_space), sent[-1])
    if len(words) < MIN_WORDS or last.text not in (".", ";"):
        return False
    if sent[0].text in QUOTE_MARKS or words[0].lower_ in lex.narration_openers:
        return False  # a quotation standing alone is attributed as a quote
    root = sent.root
    if root.pos_ not in ("VERB", "AUX") or root.lemma_.lower() in lex.meeting_actions:
        return False
    subjects = [t for t in root.children if t.dep_ in ("nsubj", "nsubjpass")]
    # a person named or referred to as the subject: the reporter narrating what they did
    return not any(t.lower_ in NARRATOR_SUBJECTS or t.ent_type_ == "PERSON" for t in subjects)


def _content(sent: Span) -> tuple[int, int]:
    end = sent.end
    while end > sent.start and (sent.doc[end - 1].is_punct or sent.doc[end - 1].is_space):
        end -= 1
    return sent.start_char, sent.doc[end - 1].idx + len(sent.doc[end - 1])
