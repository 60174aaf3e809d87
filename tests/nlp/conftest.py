"""Fixtures for the NLP tests: the spaCy model is loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from statements.nlp import annotate, get_nlp

EVAL_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "eval"


@pytest.fixture(scope="session")
def nlp():
    return get_nlp()


@pytest.fixture(scope="session")
def ann(nlp):
    """annotate() with the session's model, checking the offset invariants on every call."""

    def run(text: str, **kwargs):
        result = annotate(text, **kwargs)
        for q in result.quotes:
            assert text[q.start : q.end] == q.text
            for span in (q.cue, q.mention):
                if span is not None:
                    assert text[span.start : span.end] == span.text
            assert q.speaker is None or 0 <= q.speaker < len(result.speakers)
        return result

    return run


@pytest.fixture(scope="session")
def eval_dir() -> Path:
    if not (EVAL_DIR / "seed-gold.jsonl").exists():
        pytest.skip(f"shared evaluation data not found at {EVAL_DIR.resolve()}")
    return EVAL_DIR


def speaker_of(result, quote) -> str | None:
    return result.speakers[quote.speaker].name if quote.speaker is not None else None


def find(result, fragment: str):
    """The statement whose text contains `fragment`."""
    for q in result.quotes:
        if fragment in q.text:
            return q
    raise AssertionError(f"no statement with {fragment!r}: {[q.text for q in result.quotes]}")
