"""Benchmark: the pipeline's own work after spaCy, as a ratio to bare `nlp.pipe`.

    python -m statements.nlp.bench [--gold FILE.jsonl | --texts DIR] [--repeat 3] [--json]

"bare" is the stock model (`spacy.load`) piping the texts; "annotate_many" is our whole
pipeline (sentence repair component, quote scanning, cue matching, speaker table, countries,
topics). The target is a ratio <= 1.15. The best of `--repeat` runs is kept for each.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

DEFAULT_GOLD = Path(__file__).resolve().parents[2] / ".." / "shared" / "eval" / "polnear-dev"


def load_texts(gold: str | None, texts_dir: str | None) -> list[str]:
    if texts_dir:
        return [p.read_text(encoding="utf-8") for p in sorted(Path(texts_dir).glob("*.txt"))]
    path = Path(gold) if gold else DEFAULT_GOLD / "polnear-dev.jsonl"
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f if line.strip()]


def _timed(fn) -> tuple[float, float]:
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def run(texts: list[str], *, repeat: int = 3, batch_size: int = 32) -> dict:
    """Best-of-`repeat` wall and CPU seconds for bare spaCy and for annotate_many, the two
    interleaved so that load from other processes hits both alike. CPU time (this process)
    is the figure to trust on a busy machine."""
    import spacy

    from . import annotate_many, get_nlp
    from .pipeline import resolve_model

    bare = spacy.load(resolve_model())
    ours = get_nlp()
    # warm both up (lazy tables, matchers, first-batch allocations)
    list(bare.pipe(texts[:4]))
    list(annotate_many((t, None) for t in texts[:4]))

    def run_bare() -> None:
        for _ in bare.pipe(texts, batch_size=batch_size):
            pass

    def run_ours() -> None:
        for _ in annotate_many(((t, None) for t in texts), batch_size=batch_size):
            pass

    bare_runs, ours_runs = [], []
    for _ in range(repeat):
        bare_runs.append(_timed(run_bare))
        ours_runs.append(_timed(run_ours))
    bw, bc = min(w for w, _ in bare_runs), min(c for _, c in bare_runs)
    ow, oc = min(w for w, _ in ours_runs), min(c for _, c in ours_runs)
    return {
        "texts": len(texts),
        "chars": sum(map(len, texts)),
        "model": resolve_model(),
        "pipes": ours.pipe_names,
        "bare_seconds": round(bw, 3),
        "annotate_many_seconds": round(ow, 3),
        "ratio": round(ow / bw, 3),
        "bare_cpu_seconds": round(bc, 3),
        "annotate_many_cpu_seconds": round(oc, 3),
        "cpu_ratio": round(oc / bc, 3),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gold", help="gold JSONL whose texts are used (default: PolNeAR dev)")
    ap.add_argument("--texts", help="a folder of .txt files instead")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    texts = load_texts(args.gold, args.texts)
    res = run(texts, repeat=args.repeat, batch_size=args.batch_size)
    if args.json:
        print(json.dumps(res))
    else:
        print(
            f"{res['texts']} texts, {res['chars']:,} chars\n"
            f"  wall: bare nlp.pipe {res['bare_seconds']}s, annotate_many "
            f"{res['annotate_many_seconds']}s, ratio {res['ratio']}\n"
            f"  cpu:  bare nlp.pipe {res['bare_cpu_seconds']}s, annotate_many "
            f"{res['annotate_many_cpu_seconds']}s, ratio {res['cpu_ratio']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
