"""Near-duplicate texts: the same story re-sent with small edits.

Exact, not estimated: two texts are versions of one story when the Jaccard similarity of
their word 3-shingles is at least 0.9. Finding the candidates to compare must not read
every stored article, so each article keeps a bottom-k sketch (the k smallest shingle
hashes) in an indexed table: texts that similar share most of their smallest hashes, and
only articles sharing at least one are compared in full. MinHash LSH (datasketch) would
estimate the same similarity with more code and an index of its own to keep in step with
the database; this needs one indexed column and gives the exact figure.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Three words: one changed word then alters 3 shingles, so even a 70-word brief re-sent
# with a word changed stays above 0.9 (with 5 it would need some 100 words).
SHINGLE_WORDS = 3
SKETCH_SIZE = 24
SIMILARITY = 0.9
_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def _hash(shingle: str) -> int:
    # 63 bits: fits a signed 64-bit database integer on every backend.
    return int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest()) >> 1


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[int]:
    """Hashes of every run of `size` consecutive words (all the words, for a shorter text)."""
    tokens = words(text)
    if len(tokens) <= size:
        return {_hash(" ".join(tokens))} if tokens else set()
    return {_hash(" ".join(tokens[i : i + size])) for i in range(len(tokens) - size + 1)}


def sketch(hashes: set[int], k: int = SKETCH_SIZE) -> list[int]:
    """The k smallest hashes: a sample of shingles that two near-identical texts share."""
    return sorted(hashes)[:k]


def jaccard(a: set[int], b: set[int]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def similar(a: str, b: str, threshold: float = SIMILARITY) -> bool:
    return jaccard(shingles(a), shingles(b)) >= threshold
