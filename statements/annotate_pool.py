"""Run the pipeline in several processes, for `ingest --workers N`.

Each worker process loads the spaCy pipeline once and turns batches of texts into plain
`Annotation`s (small, picklable); the main process keeps reading files and saving results
to the database. Results come back in input order, so what is stored is the same as with
one process, and only a few batches are in flight at a time, so memory stays flat however
many files there are.

No Django here: the workers import this module and `statements.nlp` only.
"""

from __future__ import annotations

import multiprocessing
import pickle
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from statements import nlp

_topics: Sequence[nlp.TopicRule] | None = None


class PipelineError(Exception):
    """An exception raised in a worker that could not be sent back as it was."""


def _init_worker(topics: Sequence[nlp.TopicRule] | None) -> None:
    global _topics
    _topics = topics
    nlp.get_nlp()  # load the model now, before the first batch arrives


def annotate_texts(
    texts: Sequence[str], topics: Sequence[nlp.TopicRule] | None
) -> list[nlp.Annotation | Exception]:
    """One batch: annotations in order; a crash on the batch is retried one text at a time
    so that it is pinned on the text that caused it (as `services.annotate_stream` does)."""
    try:
        return [
            annotation
            for annotation, _ in nlp.annotate_many(
                ((text, n) for n, text in enumerate(texts)), topics=topics, batch_size=len(texts)
            )
        ]
    except Exception:  # noqa: BLE001 - pinned on the culprit below
        results: list[nlp.Annotation | Exception] = []
        for text in texts:
            try:
                results.append(nlp.annotate(text, topics=topics))
            except Exception as exc:  # noqa: BLE001 - reported on the article
                results.append(exc)
        return results


def _work(texts: list[str]) -> list[nlp.Annotation | Exception]:
    results = annotate_texts(texts, _topics)
    for i, result in enumerate(results):
        if isinstance(result, Exception):
            try:
                pickle.dumps(result)
            except Exception:  # noqa: BLE001 - send what can be sent
                results[i] = PipelineError(f"{type(result).__name__}: {result}")
    return results


class AnnotatePool:
    """`with AnnotatePool(workers=2) as pool: for item, result in pool.annotate(items): ...`"""

    def __init__(self, *, workers: int, topics: Sequence[nlp.TopicRule] | None = None):
        # spawn: the workers start clean, without the parent's database connections or
        # threads (tqdm's monitor), on every platform.
        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(topics,),
        )
        self.workers = workers

    def __enter__(self) -> AnnotatePool:
        return self

    def __exit__(self, *exc_info) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def annotate(
        self,
        items: Iterable[Any],
        *,
        batch_size: int = 16,
        text: Callable[[Any], str] = str,
        in_flight: int | None = None,
    ) -> Iterator[tuple[Any, nlp.Annotation | Exception]]:
        """(item, annotation or exception) for each item, in input order. At most
        `in_flight` batches (default two per worker) are queued or running at a time."""
        limit = in_flight or 2 * self.workers
        pending: deque[tuple[list[Any], Future]] = deque()
        batch: list[Any] = []

        def submit() -> None:
            pending.append((batch, self._executor.submit(_work, [text(i) for i in batch])))

        for item in items:
            batch.append(item)
            if len(batch) >= batch_size:
                submit()
                batch = []
                while len(pending) >= limit:
                    yield from self._collect(pending.popleft())
        if batch:
            submit()
        while pending:
            yield from self._collect(pending.popleft())

    @staticmethod
    def _collect(entry: tuple[list[Any], Future]) -> Iterator[tuple[Any, Any]]:
        batch, future = entry
        yield from zip(batch, future.result(), strict=True)
