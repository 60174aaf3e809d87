"""Folding of names for search and for merging the same person across articles."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from unidecode import unidecode

_NON_WORD = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=65536)
def fold(name: str) -> str:
    """Case- and accent-folded form: "Erdoğan" -> "erdogan", "Le Drian" -> "le drian".

    Punctuation becomes a single space so that "U.S." and "US" both fold to "u s" / "us"
    consistently within one spelling; callers compare folded strings, never raw ones.
    """
    text = unicodedata.normalize("NFKC", name or "").casefold()
    text = unidecode(text).lower()
    text = text.replace("'s ", " ").replace("’s ", " ")
    return _NON_WORD.sub(" ", text.replace(".", "")).strip()


def fold_compact(name: str) -> str:
    """Folded form without spaces: "secretary-general" == "Secretary General"."""
    return fold(name).replace(" ", "")
