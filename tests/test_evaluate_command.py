import json
import sys

import pytest
from django.core.management import call_command


def shared_score(shared_eval_dir):
    sys.path.insert(0, str(shared_eval_dir))
    try:
        import score
    finally:
        sys.path.pop(0)
    return score


@pytest.fixture
def dev_sample(shared_eval_dir, tmp_path):
    """The first few PolNeAR dev articles, as a gold file of their own."""
    lines = (shared_eval_dir / "polnear-dev" / "polnear-dev.jsonl").read_text().splitlines()[:4]
    path = tmp_path / "dev-sample.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def diplo_sample(shared_eval_dir, tmp_path):
    """The first few diplomatic texts: gold with resolved speakers and their countries."""
    lines = (shared_eval_dir / "diplo-dev" / "diplo-dev.jsonl").read_text().splitlines()[:5]
    path = tmp_path / "diplo-sample.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("gold_name", ["seed", "dev", "diplo"])
def test_evaluate_matches_the_shared_scorer(
    gold_name, shared_eval_dir, dev_sample, diplo_sample, tmp_path, capsys
):
    samples = {"dev": dev_sample, "diplo": diplo_sample}
    gold = samples.get(gold_name, shared_eval_dir / "seed-gold.jsonl")
    pred = tmp_path / "pred.jsonl"
    call_command("evaluate", "--gold", str(gold), "--json", "--pred-out", str(pred))
    ours = json.loads(capsys.readouterr().out)
    score = shared_score(shared_eval_dir)
    theirs = score.evaluate(score.read_jsonl(gold), score.read_jsonl(pred))
    assert ours == theirs
    assert ours["docs"]["quote_text_mismatch"] == 0
    if gold_name == "seed":
        assert ours["all"]["e2e"]["f1"] >= 0.9
    if gold_name == "diplo":  # the resolved-speaker and speaker-country columns
        assert ours["all"]["speaker_id_n"] > 0 and ours["all"]["country_n"] > 0


def test_evaluate_prints_a_table(shared_eval_dir, capsys):
    call_command("evaluate", "--gold", str(shared_eval_dir / "seed-gold.jsonl"))
    out = capsys.readouterr().out
    assert "end-to-end" in out
    assert out.splitlines()[2].startswith("all")
    assert "speaker id acc" in out and "speaker country acc" in out


def test_missing_gold_file_is_a_clear_error(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No such gold file"):
        call_command("evaluate", "--gold", str(tmp_path / "nope.jsonl"))
