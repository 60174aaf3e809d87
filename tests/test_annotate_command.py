import json
import subprocess
import sys

import pytest
from django.core.management import call_command

from statements.models import Article
from tests.conftest import PROJECT_DIR, SEED_FILE


def annotate(*paths, capsys) -> list[dict]:
    call_command("annotate", *map(str, paths))
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


@pytest.mark.django_db
def test_output_matches_the_fixed_schema(capsys):
    [line] = annotate(SEED_FILE, capsys=capsys)
    text = SEED_FILE.read_text(encoding="utf-8")
    assert line["id"] == SEED_FILE.stem
    assert line["source"] == str(SEED_FILE)
    assert {"quotes", "speakers", "countries", "topics"} <= line.keys()
    assert line["quotes"]
    for quote in line["quotes"]:
        assert quote["kind"] in {"direct", "indirect", "mixed"}
        assert text[quote["start"] : quote["end"]] == quote["text"]
        if quote["cue"]:
            assert text[quote["cue"]["start"] : quote["cue"]["end"]] == quote["cue"]["text"]
        mention = quote["speaker"]["mention"]
        if mention:
            assert text[mention["start"] : mention["end"]] == mention["text"]
    # Annotating writes nothing.
    assert not Article.objects.exists()


def test_stdin_and_one_line_per_input(tmp_path):
    other = tmp_path / "other.txt"
    other.write_text('Headline\n\n"It is over," the spokesman said.\n', encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "manage.py", "annotate", "-", str(other)],
        input=SEED_FILE.read_bytes(),
        capture_output=True,
        cwd=PROJECT_DIR,
        check=True,
    )
    lines = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [line["id"] for line in lines] == ["stdin", "other"]
    assert lines[1]["quotes"][0]["text"].startswith("It is over")


@pytest.mark.django_db
def test_seed_gold_recall(shared_eval_dir, capsys):
    """End-to-end recall on the seed's gold attributions, scored by the shared scorer."""
    sys.path.insert(0, str(shared_eval_dir))
    try:
        import score
    finally:
        sys.path.pop(0)
    predictions = annotate(SEED_FILE, capsys=capsys)
    result = score.evaluate(score.read_jsonl(shared_eval_dir / "seed-gold.jsonl"), predictions)
    assert result["docs"]["quote_text_mismatch"] == 0
    assert result["all"]["e2e"]["r"] >= 0.5
