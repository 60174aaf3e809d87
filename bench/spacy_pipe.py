"""Bare spaCy over files, as the ingest would see them: `python bench/spacy_pipe.py BATCH FILE...`.

Loads the same pipeline the ingest uses (statements.nlp.get_nlp) and runs nlp.pipe over
the texts with the same batch size; prints the seconds spent in nlp.pipe."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from statements.nlp import get_nlp  # noqa: E402


def main() -> None:
    batch_size = int(sys.argv[1])
    paths = [Path(p) for p in sys.argv[2:]]
    nlp = get_nlp()
    started = time.perf_counter()
    texts = (p.read_text(encoding="utf-8") for p in paths)
    n = sum(1 for _ in nlp.pipe(texts, batch_size=batch_size))
    print(f"{n} {time.perf_counter() - started:.3f}")


if __name__ == "__main__":
    main()
