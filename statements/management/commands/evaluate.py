"""python manage.py evaluate --gold FILE.jsonl : score the pipeline against gold attributions."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from statements.nlp import evaluation


class Command(BaseCommand):
    help = (
        "Run the pipeline over the texts of a gold JSONL file and print content P/R/F1 "
        "(loose and strict), speaker accuracy and end-to-end P/R/F1, and where gold resolves "
        "speakers, speaker id accuracy, e2e id P/R/F1 and speaker-country accuracy."
    )

    def add_arguments(self, parser):
        parser.add_argument("--gold", required=True, type=Path, help="gold JSONL file")
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")
        parser.add_argument("--pred-out", type=Path, help="also write the predictions here")
        parser.add_argument("--limit", type=int, help="only the first N gold documents")
        parser.add_argument("--n-process", type=int, default=1)

    def handle(self, *args, gold: Path, limit: int | None, **options):
        if not gold.is_file():
            raise CommandError(f"No such gold file: {gold}")
        try:
            gold_docs = evaluation.read_jsonl(str(gold))[:limit]
        except (ValueError, UnicodeDecodeError) as exc:
            raise CommandError(f"{gold} is not JSON Lines: {exc}") from exc
        predictions = evaluation.predict(gold_docs, n_process=options["n_process"])
        if options["pred_out"]:
            with options["pred_out"].open("w", encoding="utf-8") as out:
                out.writelines(json.dumps(p, ensure_ascii=False) + "\n" for p in predictions)
        result = evaluation.score(gold_docs, predictions)
        self.stdout.write(
            json.dumps(result, indent=1) if options["json"] else evaluation.table(result)
        )
