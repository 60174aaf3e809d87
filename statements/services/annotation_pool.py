"""The pipeline runs behind the annotation runner: in this process, or in a pool of processes.

Both annotate a stream of items batch by batch, in input order, and pin a crash on a batch
on the one text that caused it (the batch is retried one text at a time). In the pool each
worker process loads the spaCy pipeline once and turns batches of texts into plain
`Annotation`s (small, picklable); the parent keeps reading and saving. Only a few batches
are in flight at a time, so memory stays flat however many items there are, and the results
are the same as in one process.

No Django here: pool workers import this module and `statements.nlp` only.
"""

from __future__ import annotations

import multiprocessing
import pickle
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Protocol

from statements import nlp
from statements.memory import keep_freed_memory

type Outcome = nlp.Annotation | Exception


class PipelineError(Exception):
    """An exception raised in a worker that could not be sent back as it was."""


def annotate_batch[C](
    items: Sequence[tuple[str, C]], *, topics: Sequence[nlp.TopicRule] | None, model: str | None
) -> list[tuple[C, Outcome]]:
    """(context, annotation or exception) for each (text, context), in order; a crash on the
    batch is retried one text at a time so that it is pinned on the text that caused it."""
    try:
        return [
            (context, annotation)
            for annotation, context in nlp.annotate_many(
                items, topics=topics, batch_size=len(items), model=model
            )
        ]
    except Exception:  # noqa: BLE001 - pinned on the culprit below
        results: list[tuple[C, Outcome]] = []
        for text, context in items:
            try:
                results.append((context, nlp.annotate(text, topics=topics, model=model)))
            except Exception as exc:  # noqa: BLE001 - reported on the article
                results.append((context, exc))
        return results


class Annotator(Protocol):
    def annotate(
        self, items: Iterable[Any], *, batch_size: int, text: Callable[[Any], str]
    ) -> Iterator[tuple[Any, Outcome]]: ...


class InlineAnnotator:
    """Batches annotated in this process."""

    def __init__(self, *, topics: Sequence[nlp.TopicRule] | None, model: str | None = None):
        self.topics, self.model = topics, model

    def __enter__(self) -> InlineAnnotator:
        return self

    def __exit__(self, *exc_info) -> None:
        pass

    def annotate(
        self, items: Iterable[Any], *, batch_size: int, text: Callable[[Any], str]
    ) -> Iterator[tuple[Any, Outcome]]:
        batch: list[Any] = []
        for item in items:
            batch.append(item)
            if len(batch) >= batch_size:
                yield from self._run(batch, text)
                batch = []
        if batch:
            yield from self._run(batch, text)

    def _run(self, batch: list[Any], text: Callable[[Any], str]) -> list[tuple[Any, Outcome]]:
        return annotate_batch([(text(i), i) for i in batch], topics=self.topics, model=self.model)


_topics: Sequence[nlp.TopicRule] | None = None
_model: str | None = None


def _init_worker(topics: Sequence[nlp.TopicRule] | None, model: str | None) -> None:
    global _topics, _model
    _topics, _model = topics, model
    keep_freed_memory()
    nlp.get_nlp(model)  # load the model now, before the first batch arrives


def _work(texts: list[str]) -> list[Outcome]:
    results = [
        outcome
        for _, outcome in annotate_batch(
            [(t, n) for n, t in enumerate(texts)], topics=_topics, model=_model
        )
    ]
    for i, result in enumerate(results):
        if isinstance(result, Exception):
            try:
                pickle.dumps(result)
            except Exception:  # noqa: BLE001 - send what can be sent
                results[i] = PipelineError(f"{type(result).__name__}: {result}")
    return results


class PoolAnnotator:
    """Batches annotated in `workers` processes: `with PoolAnnotator(...) as pool: ...`."""

    def __init__(
        self,
        *,
        workers: int,
        topics: Sequence[nlp.TopicRule] | None = None,
        model: str | None = None,
    ):
        # spawn: the workers start clean, without the parent's database connections or
        # threads (tqdm's monitor), on every platform.
        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(topics, model),
        )
        self.workers = workers

    def __enter__(self) -> PoolAnnotator:
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
    ) -> Iterator[tuple[Any, Outcome]]:
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
    def _collect(entry: tuple[list[Any], Future]) -> Iterator[tuple[Any, Outcome]]:
        batch, future = entry
        yield from zip(batch, future.result(), strict=True)
