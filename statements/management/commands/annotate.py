"""python manage.py annotate PATH... : the fixed JSON interface; writes nothing to the database."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from statements import nlp
from statements.services.annotation import pipeline_model
from statements.textio import BadArticle, decode_text


class Command(BaseCommand):
    help = "Annotate files (or - for standard input) and print one JSON object per file."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="files to annotate; - reads standard input")
        parser.add_argument("--format", choices=["jsonl"], default="jsonl")
        parser.add_argument("--batch-size", type=int, default=16)

    def handle(self, *args, paths: list[str], batch_size: int, **options):
        failed = 0

        def inputs():
            nonlocal failed
            for raw in paths:
                try:
                    data = sys.stdin.buffer.read() if raw == "-" else Path(raw).read_bytes()
                    if len(data) > settings.NEWSROOM_MAX_ARTICLE_BYTES:
                        raise BadArticle(f"too large ({len(data):,} bytes)")
                    text = decode_text(data) if data.strip() else data.decode("utf-8", "strict")
                except (OSError, BadArticle, UnicodeDecodeError) as exc:
                    failed += 1
                    self.stderr.write(f"{raw}: {exc}")
                    continue
                yield text, raw

        for annotation, raw in nlp.annotate_many(
            inputs(), batch_size=batch_size, model=pipeline_model()
        ):
            doc_id = "stdin" if raw == "-" else Path(raw).stem
            line = annotation.to_json(doc_id=doc_id, source=raw)
            self.stdout.write(json.dumps(line, ensure_ascii=False))
        if failed:
            raise CommandError(f"{failed} input(s) could not be read", returncode=1)
