"""Scores on the shared gold data, and the project's scorer against the shared one."""

import importlib.util
import json

from statements.nlp import annotate
from statements.nlp.evaluation import predict, read_jsonl, score


def test_seed_recall_and_canonical_speakers(nlp, eval_dir):
    gold = read_jsonl(str(eval_dir / "seed-gold.jsonl"))
    res = score(gold, predict(gold))
    assert res["all"]["e2e"]["r"] >= 0.5
    assert res["all"]["e2e"]["f1"] >= 0.85
    names = {s.name for s in annotate(gold[0]["text"]).speakers}
    assert {"Jens Stoltenberg", "Kay Bailey Hutchinson"} <= names


def test_a_few_dev_articles(nlp, eval_dir):
    gold = read_jsonl(str(eval_dir / "polnear-dev" / "polnear-dev.jsonl"))[:6]
    res = score(gold, predict(gold))
    assert res["docs"]["quote_text_mismatch"] == 0
    assert res["all"]["loose"]["p"] >= 0.7
    assert res["all"]["e2e"]["f1"] >= 0.45


def test_same_figures_as_the_shared_scorer(nlp, eval_dir):
    spec = importlib.util.spec_from_file_location("shared_score", eval_dir / "score.py")
    shared = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(shared)
    gold = read_jsonl(str(eval_dir / "seed-gold.jsonl"))
    gold += read_jsonl(str(eval_dir / "polnear-dev" / "polnear-dev.jsonl"))[:4]
    diplo = eval_dir / "diplo-dev" / "diplo-dev.jsonl"
    if diplo.exists():  # resolved speakers and their countries
        gold += read_jsonl(str(diplo))[:6]
    preds = predict(gold)
    # a speaker's country given only in the document's speakers list
    with_country = [q for d in preds for q in d["quotes"] if (q["speaker"] or {}).get("country")]
    assert with_country
    with_country[0]["speaker"].pop("country")
    # perturb: a quote at the very end of a text, an empty one, a wrong id
    text = gold[0]["text"]
    preds[0]["quotes"].append({"start": len(text) - 5, "end": len(text), "text": text[-5:],
                               "speaker": {"name": None, "mention": None}})  # fmt: skip
    preds[0]["quotes"].append({"start": 3, "end": 3, "text": "", "speaker": None})
    preds.append({"id": "nope", "quotes": []})
    ours, theirs = score(gold, preds), shared.evaluate(gold, preds)
    assert json.dumps(ours, sort_keys=True) == json.dumps(theirs, sort_keys=True)
