"""Score the pipeline against gold attributions (PolNeAR-style JSONL). Stdlib only.

    python -m statements.nlp.evaluation --gold FILE [--json] [--pred-out PRED.jsonl]

The metrics are those of the shared scorer (`eval/score.py`):

* content P/R/F1 with one-to-one greedy matching (highest character Jaccard first, then the
  largest overlap), over characters that are neither whitespace nor quotation marks; for a
  discontinuous gold span the characters between its fragments count neither way.
  *loose*: any shared character; *strict*: Jaccard >= 0.8;
* speaker accuracy over loose pairs whose gold has a source: right if the predicted mention
  overlaps a gold source fragment, or if the last word of the gold source (or of its
  canonical ``speaker`` name) is a word of the predicted speaker name;
* end-to-end P/R/F1: loose match with a right speaker (no source in gold: match suffices);
* where gold names the canonical ``speaker``: resolved-speaker ("speaker id") accuracy over
  loose pairs (the last word of the gold speaker is a word of the predicted name; for a
  delegation, "Representative of X" with a ``speaker_country``, the predicted speaker's
  country must be X) and its end-to-end twin "e2e id"; where gold has a
  ``speaker_country``, speaker-country accuracy (the quote's ``speaker.country``, else the
  country the document's ``speakers`` list gives that name);
* rows ``all``, ``direct`` (gold content wholly inside double quotation marks) and ``other``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Iterable

QUOTE_CHARS = frozenset("\"“”„‟«»‘’'")
DOUBLE_MARKS = frozenset('"“”„‟«»')
END_PUNCT = frozenset(".,;:?!")
ROWS = ("all", "direct", "other")
_WORD = re.compile(r"[^\W\d_]+")
_POSSESSIVE = re.compile(r"['’]s\b")


def is_direct(text: str, frags: list) -> bool:
    """Content opens at (or right after) a double mark and closes at one (or right before
    one, possibly after one final punctuation mark)."""
    start, end = frags[0][0], frags[-1][1]
    seg = text[start:end].strip()
    if not seg:
        return False
    opens = seg[0] in DOUBLE_MARKS or (start > 0 and text[start - 1] in DOUBLE_MARKS)
    # Like the shared scorer, the end of the text counts as a closing mark (an empty string
    # is "in" any string there), so a quote at the very end closes.
    nxt, nxt2 = text[end : end + 1], text[end + 1 : end + 2]
    closes = (
        seg[-1] in DOUBLE_MARKS
        or (len(seg) > 1 and seg[-2] in DOUBLE_MARKS and seg[-1] in END_PUNCT)
        or _among(nxt, DOUBLE_MARKS)
        or (_among(nxt, END_PUNCT) and _among(nxt2, DOUBLE_MARKS))
    )
    return opens and closes


def _among(ch: str, chars: frozenset[str]) -> bool:
    return ch == "" or ch in chars


def char_set(text: str, frags: Iterable) -> set[int]:
    out: set[int] = set()
    n = len(text)
    for start, end in frags:
        for i in range(max(start, 0), min(end, n)):
            ch = text[i]
            if not ch.isspace() and ch not in QUOTE_CHARS:
                out.add(i)
    return out


def greedy_match(gold: list[set], gaps: list[set], pred: list[set], threshold: float) -> dict:
    pairs = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            shared = len(g & p)
            if not shared:
                continue
            jaccard = shared / len(g | (p - gaps[gi]))
            if jaccard >= threshold:
                pairs.append((jaccard, shared, gi, pi))
    pairs.sort(reverse=True)
    matched: dict[int, int] = {}
    taken: set[int] = set()
    for _j, _s, gi, pi in pairs:
        if gi not in matched and pi not in taken:
            matched[gi] = pi
            taken.add(pi)
    return matched


def words(s: str | None) -> list[str]:
    return [w.lower() for w in _WORD.findall(_POSSESSIVE.sub("", s or ""))]


def speaker_right(text: str, gold: dict, quote: dict) -> bool:
    speaker = quote.get("speaker") or {}
    mention = speaker.get("mention")
    if mention and any(mention["start"] < e and s < mention["end"] for s, e in gold["source"]):
        return True
    name = words(speaker.get("name"))
    source_text = " ".join(text[s:e] for s, e in gold["source"])
    for ref in (source_text, gold.get("speaker")):
        last = words(ref)[-1:]
        if last and last[0] in name:
            return True
    return False


_DELEGATION = re.compile(r"(?i)(representative|delegate|delegation)s? of ")


def identity_right(gold: dict, quote: dict) -> bool | None:
    """Whether the resolved speaker is the gold one; None where gold names none."""
    ref = gold.get("speaker")
    if not ref:
        return None
    speaker = quote.get("speaker") or {}
    want = gold.get("speaker_country")
    if want and _DELEGATION.match(ref):
        return (speaker.get("country") or "").upper() == want.upper()
    last = words(ref)[-1:]
    return bool(last) and last[0] in words(speaker.get("name"))


def country_right(gold: dict, quote: dict) -> bool | None:
    want = gold.get("speaker_country")
    if not want:
        return None
    return ((quote.get("speaker") or {}).get("country") or "").upper() == want.upper()


def _count_speakers(text: str, a: dict, quote: dict, rows: tuple[str, ...], tally: Counter):
    """Speaker columns of one loose pair."""
    right = not a["source"] or speaker_right(text, a, quote)
    identity = identity_right(a, quote)
    country = country_right(a, quote)
    for row in rows:
        tally[row, "tp_e2e"] += right
        if a["source"]:
            tally[row, "spk_n"] += 1
            tally[row, "spk_ok"] += right
        if identity is not None:
            tally[row, "id_n"] += 1
            tally[row, "id_ok"] += identity
        tally[row, "tp_e2e_id"] += right if identity is None else identity
        if country is not None:
            tally[row, "cty_n"] += 1
            tally[row, "cty_ok"] += country


def _count_doc(text: str, gold: list[dict], quotes: list[dict], tally: Counter) -> None:
    gsets = [char_set(text, a["content"]) for a in gold]
    gaps = [
        char_set(text, [[a["content"][0][0], a["content"][-1][1]]]) - g
        for a, g in zip(gold, gsets, strict=True)
    ]
    psets = [char_set(text, [[q["start"], q["end"]]]) for q in quotes]
    grow = ["direct" if is_direct(text, a["content"]) else "other" for a in gold]
    prow = ["direct" if is_direct(text, [[q["start"], q["end"]]]) else "other" for q in quotes]
    loose = greedy_match(gsets, gaps, psets, 1e-9)
    strict = greedy_match(gsets, gaps, psets, 0.8)
    for kind, matched in (("loose", loose), ("strict", strict)):
        back = {pi: gi for gi, pi in matched.items()}
        for pi in range(len(psets)):
            row = grow[back[pi]] if pi in back else prow[pi]
            tally["all", "pred_" + kind] += 1
            tally[row, "pred_" + kind] += 1
        for gi in matched:
            tally["all", "tp_" + kind] += 1
            tally[grow[gi], "tp_" + kind] += 1
    for gi, a in enumerate(gold):
        rows = ("all", grow[gi])
        for row in rows:
            tally[row, "gold"] += 1
        if gi in loose:
            _count_speakers(text, a, quotes[loose[gi]], rows, tally)


def prf(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"p": p, "r": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def _with_countries(doc: dict) -> list[dict]:
    """The document's quotes, each speaker given the country its `speakers` entry names
    when the quote does not (as the shared scorer reads them)."""
    countries = {sp.get("name"): sp.get("country") for sp in doc.get("speakers") or []}
    quotes = doc.get("quotes") or []
    for q in quotes:
        speaker = q.get("speaker") or {}
        if speaker.get("name") in countries and not speaker.get("country"):
            q["speaker"] = {**speaker, "country": countries[speaker["name"]]}
    return quotes


def score(gold_docs: list[dict], pred_docs: list[dict]) -> dict:
    """Figures for predictions (manage.py annotate lines) against gold documents."""
    gold = {d["id"]: d for d in gold_docs}
    preds: dict[str, list] = {}
    unknown = mismatched = 0
    for d in pred_docs:
        key = d.get("id")
        if key not in gold and d.get("source"):
            key = os.path.splitext(os.path.basename(d["source"]))[0]
        if key not in gold:
            unknown += 1
            continue
        preds.setdefault(key, []).extend(_with_countries(d))
    tally: Counter = Counter()
    for key, g in gold.items():
        quotes = preds.get(key, [])
        mismatched += sum(
            "text" in q and q["text"] != g["text"][q["start"] : q["end"]] for q in quotes
        )
        _count_doc(g["text"], g["attributions"], quotes, tally)
    result: dict = {
        "docs": {
            "gold": len(gold),
            "predicted": len(preds),
            "unknown_pred_docs": unknown,
            "quote_text_mismatch": mismatched,
        }
    }
    for row in ROWS:
        n = tally[row, "spk_n"]
        result[row] = {
            "gold": tally[row, "gold"],
            "pred": tally[row, "pred_loose"],
            "loose": prf(tally[row, "tp_loose"], tally[row, "pred_loose"], tally[row, "gold"]),
            "strict": prf(tally[row, "tp_strict"], tally[row, "pred_strict"], tally[row, "gold"]),
            "speaker_acc": tally[row, "spk_ok"] / n if n else None,
            "speaker_n": n,
            "e2e": prf(tally[row, "tp_e2e"], tally[row, "pred_loose"], tally[row, "gold"]),
            "speaker_id_acc": _ratio(tally[row, "id_ok"], tally[row, "id_n"]),
            "speaker_id_n": tally[row, "id_n"],
            "e2e_id": prf(tally[row, "tp_e2e_id"], tally[row, "pred_loose"], tally[row, "gold"]),
            "country_acc": _ratio(tally[row, "cty_ok"], tally[row, "cty_n"]),
            "country_n": tally[row, "cty_n"],
        }
    return result


def _ratio(ok: int, n: int) -> float | None:
    return ok / n if n else None


def read_jsonl(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def predict(gold_docs: list[dict], *, batch_size: int = 16, n_process: int = 1) -> list[dict]:
    """Run the pipeline over the gold texts; one `manage.py annotate` line per document."""
    from . import annotate_many  # spaCy is loaded only when predicting

    items = ((d["text"], d["id"]) for d in gold_docs)
    return [
        annotation.to_json(doc_id=doc_id, source=f"{doc_id}.txt")
        for annotation, doc_id in annotate_many(items, batch_size=batch_size, n_process=n_process)
    ]


def evaluate_gold(path: str, *, pred_out: str | None = None, n_process: int = 1) -> dict:
    """Annotate the texts of a gold JSONL file and score the result."""
    gold = read_jsonl(path)
    preds = predict(gold, n_process=n_process)
    if pred_out:
        with open(pred_out, "w", encoding="utf-8") as f:
            for line in preds:
                f.write(json.dumps(line, ensure_ascii=False) + "\n")
    return score(gold, preds)


def table(res: dict) -> str:
    def f(m: dict) -> str:
        return f"{100 * m['p']:5.1f} {100 * m['r']:5.1f} {100 * m['f1']:5.1f}"

    d = res["docs"]
    lines = [
        f"docs: {d['gold']} gold, {d['predicted']} with predictions, "
        f"{d['unknown_pred_docs']} unknown ids; {d['quote_text_mismatch']} quotes whose text "
        "!= text[start:end]",
        f"{'':7}{'gold':>6}{'pred':>6} | {'loose P   R    F1':17} | {'strict P  R    F1':17} |"
        f" {'speaker acc (n)':15} | {'end-to-end P R F1':17}",
    ]
    for row in ROWS:
        r = res[row]
        acc = (
            f"{100 * r['speaker_acc']:5.1f} ({r['speaker_n']})"
            if r["speaker_acc"] is not None
            else "  -"
        )
        lines.append(
            f"{row:7}{r['gold']:6}{r['pred']:6} | {f(r['loose'])} | {f(r['strict'])} |"
            f" {acc:15} | {f(r['e2e'])}"
        )
    if any(res[row]["speaker_id_n"] or res[row]["country_n"] for row in ROWS):
        lines += _identity_lines(res, f)
    return "\n".join(lines)


def _identity_lines(res: dict, f) -> list[str]:
    def pct(value: float | None, n: int) -> str:
        return f"{100 * value:5.1f} ({n})" if value is not None else "  -"

    lines = [
        f"{'':19} | {'speaker id acc (n)':18} | {'e2e id P  R    F1':17} | speaker country acc (n)"
    ]
    for row in ROWS:
        r = res[row]
        lines.append(
            f"{row:19} | {pct(r['speaker_id_acc'], r['speaker_id_n']):18} | {f(r['e2e_id'])} |"
            f" {pct(r['country_acc'], r['country_n'])}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Annotate a gold JSONL file's texts and score them.")
    ap.add_argument("--gold", required=True, help="gold JSONL (id, text, attributions)")
    ap.add_argument("--pred", help="score this prediction JSONL instead of running the pipeline")
    ap.add_argument("--pred-out", help="also write the predictions here")
    ap.add_argument("--n-process", type=int, default=1)
    ap.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = ap.parse_args(argv)
    if args.pred:
        res = score(read_jsonl(args.gold), read_jsonl(args.pred))
    else:
        res = evaluate_gold(args.gold, pred_out=args.pred_out, n_process=args.n_process)
    print(json.dumps(res, indent=1) if args.json else table(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
