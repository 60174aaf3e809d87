"""Keeping the memory a pipeline batch frees for the next batch (glibc malloc).

spaCy's batches allocate large arrays and free them at the end of the batch. With glibc's
defaults the freed top of the heap is given back to the system as soon as more than a
little is free, and the next batch faults every page of it in again: in an ingest that was
over half of its system time. A process that annotates batch after batch keeps up to
TRIM_BYTES free instead; its peak memory is the same, it only does not shrink between
batches. No Django here: the pool's worker processes call it too.
"""

from __future__ import annotations

import ctypes

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
TRIM_BYTES = 256 << 20
# glibc's own upper bound for its adaptive threshold: larger blocks are mapped on their own.
MMAP_BYTES = 32 << 20


def keep_freed_memory() -> bool:
    """Raise malloc's trim threshold for this process; False where malloc is not glibc's.
    Setting it stops glibc adapting its mmap threshold, so that one is set to the bound
    the adaptation would reach."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_BYTES)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_BYTES)
    )
