"""python manage.py ingest PATH... : store and annotate articles from files and folders."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from statements import services
from statements.models import Article
from statements.textio import BadArticle, display_path, iter_article_paths, read_article


class Command(BaseCommand):
    help = "Ingest .txt, .md and .html articles from files and folders (recursively)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path, help="files or folders")
        parser.add_argument("--source", default="", help="source name stored on each article")
        parser.add_argument("--batch-size", type=int, default=16)
        parser.add_argument(
            "--reannotate",
            action="store_true",
            help="re-run the pipeline on stored articles (all, or those under PATHS); "
            "statements verified or deleted by staff are kept as they are",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, paths: list[Path], reannotate: bool, **options):
        self.verbosity = options["verbosity"]
        self.show_progress = not options["no_progress"] and self.verbosity > 0
        if reannotate:
            return self.reannotate(paths, options["batch_size"])
        if not paths:
            raise CommandError("Give at least one file or folder to ingest.")
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise CommandError(f"No such file or folder: {', '.join(missing)}")

        files = list(iter_article_paths(paths))
        self.created_ids: set[int] = set()
        counts = {"new": 0, "present": 0, "failed": 0}
        new_articles = self.store(files, options["source"], counts)
        # Only the process that claims an article annotates it: two runs on the same folder
        # never annotate one article twice, and a rerun finishes what a killed run left pending.
        claimed = (a for a in new_articles if services.article_claim(article=a))
        for article, outcome in services.annotate_stream(
            articles=claimed, batch_size=options["batch_size"]
        ):
            error = services.annotation_save_or_fail(article=article, outcome=outcome)
            if error:
                self.report_failure(article.title, f"annotation failed: {error}", counts)
                counts["new"] -= article.pk in self.created_ids
        self.stdout.write(
            f"{counts['new']} new, {counts['present']} already present, {counts['failed']} failed"
        )
        if counts["failed"]:
            sys.exit(1)

    def store(self, files: list[Path], source: str, counts: dict) -> Iterator[Article]:
        """Read, validate and store each file, yielding the new articles as they are stored
        so that annotation streams behind reading."""
        bar = tqdm(
            files,
            desc="Ingesting",
            unit="file",
            disable=not self.show_progress or len(files) < 2,
            file=sys.stderr,
        )
        max_bytes = settings.NEWSROOM_MAX_ARTICLE_BYTES
        for path in bar:
            try:
                size = path.stat().st_size
                if size > max_bytes:
                    raise BadArticle(f"too large ({size:,} bytes; the limit is {max_bytes:,})")
                text = read_article(name=path.name, data=path.read_bytes(), max_bytes=max_bytes)
            except (BadArticle, OSError) as exc:
                self.report_failure(display_path(path), str(exc), counts, bar)
                continue
            result = services.article_ingest(text=text, source_name=source)
            if result.created:
                counts["new"] += 1
                self.created_ids.add(result.article.pk)
                yield result.article
            else:
                counts["present"] += 1
                if self.verbosity > 1:
                    bar.write(
                        f"{display_path(path)}: already stored as article {result.article.pk}"
                    )
                if result.article.status == Article.Status.PENDING:
                    yield result.article  # stored by a run that stopped before annotating it

    def report_failure(self, name: str, reason: str, counts: dict, bar=None) -> None:
        counts["failed"] += 1
        message = self.style.ERROR(f"{name}: {reason}")
        if bar is not None:
            bar.write(message, file=sys.stderr)
        else:
            self.stderr.write(message)

    def reannotate(self, paths: list[Path], batch_size: int) -> None:
        articles = Article.objects.order_by("pk")
        total = articles.count()
        failed = 0
        bar = tqdm(
            articles.iterator(chunk_size=200),
            total=total,
            desc="Re-annotating",
            unit="article",
            disable=not self.show_progress or total < 2,
            file=sys.stderr,
        )
        # Each article's statements are replaced in one transaction: a run stopped half-way
        # leaves every article either as it was or fully re-annotated, never mixed.
        for article, outcome in services.annotate_stream(articles=bar, batch_size=batch_size):
            error = services.annotation_save_or_fail(article=article, outcome=outcome)
            if error:
                failed += 1
                bar.write(self.style.ERROR(f"{article.title}: annotation failed: {error}"))
        self.stdout.write(f"{total - failed} re-annotated, {failed} failed")
        if failed:
            sys.exit(1)
