"""`manage.py` with a slow save, for tests that kill a process in the middle of one.

    python -m tests.reliability.hooked_manage MARKER_FILE SLOW_CALL manage-args...

The SLOW_CALL-th save of annotations (1-based) writes everything inside its transaction,
then writes MARKER_FILE and sleeps: the test kills the process at that point, with the
statements written but not committed.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def main() -> None:
    marker, slow_call, *args = sys.argv[1:]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    from statements.services import annotation_store

    real = annotation_store._write_annotations
    calls = 0

    def slow_save(items):
        nonlocal calls
        calls += 1
        real(items)
        if calls == int(slow_call):
            Path(marker).write_text(",".join(str(a.pk) for a, _ in items))
            time.sleep(120)

    annotation_store._write_annotations = slow_save
    from django.core.management import execute_from_command_line

    execute_from_command_line(["manage.py", *args])


if __name__ == "__main__":
    main()
