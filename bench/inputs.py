"""The ingest benchmark's input: the polnear-dev texts, each copied several times with a
unique first line, written to a temporary folder (never committed)."""

from __future__ import annotations

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
EVAL_TEXTS = PROJECT_DIR.parent / "shared" / "eval" / "polnear-dev" / "text"


def eval_texts() -> list[Path]:
    """The source texts, or [] when ../shared is not there (only in the team's checkout)."""
    return sorted(EVAL_TEXTS.glob("*.txt")) if EVAL_TEXTS.is_dir() else []


def write_copies(target: Path, docs: int) -> list[Path]:
    """`docs` files in `target`: the eval texts round-robin, copy k ending with a line
    "Copy k." so that each has its own content hash. In the body, not the headline: the
    headline is stored apart from the text, and two texts differing only there are one
    article."""
    sources = eval_texts()
    if not sources:
        raise FileNotFoundError(f"no texts in {EVAL_TEXTS}")
    texts = [p.read_text(encoding="utf-8") for p in sources]
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(docs):
        copy, n = divmod(i, len(texts))
        path = target / f"{i:05d}_{sources[n].stem[:40]}.txt"
        path.write_text(f"{texts[n].rstrip()}\n\nCopy {copy}.\n", encoding="utf-8")
        paths.append(path)
    return paths
