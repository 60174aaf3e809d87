"""Malloc tuning for batch annotation: set where malloc is glibc's, skipped elsewhere."""

from __future__ import annotations

import platform

import pytest

from statements import memory


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc malloc only")
def test_glibc_takes_the_thresholds():
    assert memory.keep_freed_memory()


def test_without_mallopt_nothing_is_set(monkeypatch):
    class NoMallopt:
        def __init__(self, name):
            pass

    monkeypatch.setattr(memory.ctypes, "CDLL", NoMallopt)
    assert memory.keep_freed_memory() is False
