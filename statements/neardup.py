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
from array import array
from collections import OrderedDict

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
    # a repeated shingle is hashed once; blake2b is most of the cost
    runs = {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}
    blake2b, to_int = hashlib.blake2b, int.from_bytes
    return {to_int(blake2b(s.encode(), digest_size=8).digest()) >> 1 for s in runs}


def sketch(hashes: set[int], k: int = SKETCH_SIZE) -> list[int]:
    """The k smallest hashes: a sample of shingles that two near-identical texts share."""
    return sorted(hashes)[:k]


def jaccard(a: set[int], b: set[int]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def overlap(hashes: set[int], other: array | set[int]) -> float:
    """`jaccard` of a set and a packed one (ShingleCache), without unpacking it."""
    if not hashes and not other:
        return 1.0
    shared = len(hashes.intersection(other))
    return shared / (len(hashes) + len(other) - shared)


class ShingleCache:
    """Shingle sets of recently seen texts by content hash, packed 8 bytes a shingle, the
    `size` most recent kept: a new text's candidates are mostly texts stored shortly before
    it, and comparing with them then needs neither their body nor blake2b again."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._sets: OrderedDict[str, array] = OrderedDict()

    def get(self, key: str) -> array | None:
        found = self._sets.get(key)
        if found is not None:
            self._sets.move_to_end(key)
        return found

    def put(self, key: str, hashes: set[int]) -> array:
        packed = self._sets[key] = array("Q", hashes)
        self._sets.move_to_end(key)
        while len(self._sets) > self.size:
            self._sets.popitem(last=False)
        return packed


def similar(a: str, b: str, threshold: float = SIMILARITY) -> bool:
    return jaccard(shingles(a), shingles(b)) >= threshold
