"""python manage.py ingest PATH_OR_URL... : store and annotate articles from files, folders
and web pages."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import reset_queries
from tqdm import tqdm

from statements.dbstats import refresh_planner_statistics
from statements.fetching import FetchError
from statements.memory import keep_freed_memory
from statements.models import Article
from statements.services.annotation import CLAIM_ANY, articles_annotate
from statements.services.annotation_queue import articles_enqueue
from statements.services.ingest import article_ingest
from statements.services.story_versions import shingles_remembered
from statements.services.web_import import is_web_address, web_article_fetch, web_article_store
from statements.textio import BadArticle, display_path, iter_article_paths, read_article


class Command(BaseCommand):
    help = (
        "Ingest .txt, .md and .html articles from files and folders (recursively), and "
        "article pages from web addresses."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="*", help="files, folders, or web addresses (http:// or https://)"
        )
        parser.add_argument("--source", default="", help="source name stored on each article")
        parser.add_argument("--batch-size", type=int, default=16)
        parser.add_argument(
            "--reannotate",
            action="store_true",
            help="re-run the pipeline on stored articles (all, or those under PATHS); "
            "statements verified or deleted by staff are kept as they are",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            metavar="N",
            help="run the pipeline in N processes (the results are the same as with one)",
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="store the articles as pending and queue one annotation task each, for "
            "`manage.py db_worker` processes (on this or other machines) to run",
        )

    def handle(self, *args, **options):
        # What is loaded by now (Django, spaCy's code) lives as long as the run: frozen, full
        # collections stop re-scanning it while the run makes and drops many objects.
        gc.freeze()
        keep_freed_memory()  # pipeline batches reuse each other's memory (statements/memory.py)
        try:
            return self.ingest(**options)
        finally:
            gc.unfreeze()

    def ingest(self, *, paths: list[str], reannotate: bool, **options):
        self.verbosity = options["verbosity"]
        self.show_progress = not options["no_progress"] and self.verbosity > 0
        workers = options["workers"]
        if workers < 1:
            raise CommandError("--workers must be 1 or more.")
        if options["enqueue"] and (reannotate or workers > 1):
            raise CommandError(
                "--enqueue leaves annotation to the task workers; it does not "
                "go with --reannotate or --workers."
            )
        urls = [p for p in paths if is_web_address(p)]
        paths = [Path(p) for p in paths if not is_web_address(p)]
        if reannotate:
            return self.reannotate(paths, options["batch_size"], workers)
        if not paths and not urls:
            raise CommandError("Give at least one file, folder or web address to ingest.")
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise CommandError(f"No such file or folder: {', '.join(missing)}")

        files = [*urls, *iter_article_paths(paths)]
        self.created_ids: set[int] = set()
        counts = {"new": 0, "present": 0, "failed": 0}
        self.enqueueing = options["enqueue"]
        # Versions of one story mostly arrive together: each article's shingles are kept
        # for the ones after it (story_versions.shingles_remembered).
        with shingles_remembered():
            new_articles = self.store(files, options["source"], counts)
            if options["enqueue"]:
                queued = articles_enqueue(articles=new_articles)
            else:
                # Only the process that claims an article annotates it: two runs on one folder never
                # annotate an article twice, and a rerun finishes what a killed run left pending.
                for result in articles_annotate(
                    articles=new_articles, batch_size=options["batch_size"], workers=workers
                ):
                    # With DEBUG on, Django keeps the last 9,000 queries (bulk inserts included);
                    # a long ingest must not hold on to them.
                    reset_queries()
                    if result.error is not None:
                        title, error = result.article.title, result.error
                        self.report_failure(title, f"annotation failed: {error}", counts)
                        counts["new"] -= result.article.pk in self.created_ids
        if counts["new"]:
            refresh_planner_statistics()
        self.stdout.write(
            f"{counts['new']} new, {counts['present']} already present, {counts['failed']} failed"
        )
        if options["enqueue"]:
            self.stdout.write(f"{queued} queued for annotation by `manage.py db_worker`")
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
            if isinstance(path, str):
                yield from self.store_url(path, counts, bar)
                continue
            try:
                size = path.stat().st_size
                if size > max_bytes:
                    raise BadArticle(f"too large ({size:,} bytes; the limit is {max_bytes:,})")
                text = read_article(name=path.name, data=path.read_bytes(), max_bytes=max_bytes)
            except (BadArticle, OSError) as exc:
                self.report_failure(display_path(path), str(exc), counts, bar)
                continue
            result = article_ingest(text=text, source_name=source)
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
                if result.article.status == Article.Status.PENDING and not self.enqueueing:
                    yield result.article  # stored by a run that stopped before annotating it

    def store_url(self, url: str, counts: dict, bar) -> Iterator[Article]:
        """Fetch one web page and store its article (annotated with the files)."""
        try:
            page = web_article_fetch(url=url)
        except (FetchError, BadArticle) as exc:
            self.report_failure(url, str(exc), counts, bar)
            return
        result = web_article_store(page=page, requested_url=url, enqueue=False)
        if result.created:
            counts["new"] += 1
            self.created_ids.add(result.article.pk)
            yield result.article
        else:
            counts["present"] += 1
            if self.verbosity > 1:
                bar.write(f"{url}: already stored as article {result.article.pk}")

    def report_failure(self, name: str, reason: str, counts: dict, bar=None) -> None:
        counts["failed"] += 1
        message = self.style.ERROR(f"{name}: {reason}")
        if bar is not None:
            bar.write(message, file=sys.stderr)
        else:
            self.stderr.write(message)

    def reannotate(self, paths: list[Path], batch_size: int, workers: int = 1) -> None:
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
        for result in articles_annotate(
            articles=bar, claim_from=CLAIM_ANY, batch_size=batch_size, workers=workers
        ):
            reset_queries()
            if result.error is not None:
                failed += 1
                title, error = result.article.title, result.error
                bar.write(self.style.ERROR(f"{title}: annotation failed: {error}"))
        self.stdout.write(f"{total - failed} re-annotated, {failed} failed")
        if failed:
            sys.exit(1)
