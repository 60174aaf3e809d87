"""Topic coverage and precision on statements we labelled ourselves.

    .venv/bin/python bench/topics_eval.py [--own-only] [--labels bench/topic_labels.jsonl]

`bench/topic_labels.jsonl` names each statement by corpus, document id and character
offsets into `../shared/eval/<corpus>/text/<doc>.txt` (the texts stay outside the
repository) and lists the topics a reader would file it under (possibly none). Statements
were those the pipeline found on diplo-dev and the first 30 PolNeAR dev texts, sampled
evenly. Prints, per corpus and overall: coverage (statements with at least one topic),
precision and recall of the topic tags (micro-averaged over tags).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"
sys.path.insert(0, str(ROOT))

from statements.nlp import default_topics, get_nlp, split_parts  # noqa: E402
from statements.nlp.topic_tags import TopicTagger, term_hits  # noqa: E402


def predict(labels: list[dict], *, own_only: bool) -> list[list[str]]:
    nlp = get_nlp()
    rules = default_topics()
    taggers: dict[tuple[str, str], TopicTagger] = {}
    out = []
    for row in labels:
        key = (row["corpus"], row["doc"])
        if key not in taggers:
            text = (EVAL / row["corpus"] / "text" / f"{row['doc']}.txt").read_text("utf-8")
            pieces = split_parts(text)
            parts = list(
                zip(nlp.pipe(text[s:e] for s, e in pieces), (s for s, _ in pieces), strict=True)
            )
            taggers[key] = TopicTagger(text, term_hits(nlp, parts, rules))
        tagger = taggers[key]
        span = (row["start"], row["end"])
        out.append(tagger.own(*span) if own_only else tagger.topics(*span))
    return out


def scores(pairs: list[tuple[list[str], list[str]]]) -> dict[str, float]:
    covered = sum(1 for pred, _ in pairs if pred)
    tagged = sum(len(pred) for pred, _ in pairs)
    gold = sum(len(g) for _, g in pairs)
    right = sum(len(set(pred) & set(g)) for pred, g in pairs)
    return {
        "statements": len(pairs),
        "coverage": covered / len(pairs) if pairs else 0.0,
        "precision": right / tagged if tagged else 0.0,
        "recall": right / gold if gold else 0.0,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--labels", default=str(ROOT / "bench" / "topic_labels.jsonl"))
    ap.add_argument("--own-only", action="store_true", help="no passage fallback")
    ap.add_argument("--errors", action="store_true", help="print the statements tagged wrongly")
    args = ap.parse_args()
    if not EVAL.is_dir():
        print(f"skipped: {EVAL} is absent (the labelled texts live there)")
        return 0
    with open(args.labels, encoding="utf-8") as f:
        labels = [json.loads(line) for line in f if line.strip()]
    predicted = predict(labels, own_only=args.own_only)
    by_corpus: dict[str, list] = defaultdict(list)
    for row, pred in zip(labels, predicted, strict=True):
        by_corpus[row["corpus"]].append((pred, row["topics"]))
        if args.errors and set(pred) != set(row["topics"]):
            print(f"{row['doc']}:{row['start']}-{row['end']} pred={pred} gold={row['topics']}")
    print(f"{'corpus':<14}{'statements':>11}{'coverage':>10}{'precision':>11}{'recall':>8}")
    everything = [pair for pairs in by_corpus.values() for pair in pairs]
    for name, pairs in [*sorted(by_corpus.items()), ("all", everything)]:
        s = scores(pairs)
        print(
            f"{name:<14}{s['statements']:>11}{s['coverage']:>10.3f}"
            f"{s['precision']:>11.3f}{s['recall']:>8.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
