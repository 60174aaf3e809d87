"""The line `make test` prints when browser tests were skipped, and why.

Without Chromium every browser test skips and the suite still goes green: say so in the
terminal summary, so that a green run on such a machine is not mistaken for a full one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

INSTALL_HINT = "install it with `apt-get install -y chromium` (see README, Development)"


def _reason(report) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def browser_skip_summary(skipped: Iterable) -> str:
    """One line saying how many browser tests were skipped and the most common reason,
    or "" when none was. `skipped` are the run's skipped test reports."""
    reasons = Counter(_reason(r) for r in skipped if "browser" in r.keywords)
    if not reasons:
        return ""
    count = sum(reasons.values())
    reason, _ = reasons.most_common(1)[0]
    line = f"BROWSER TESTS NOT RUN: {count} skipped ({reason})"
    return line if "chromium" in line.lower() and "apt-get" in line else f"{line}; {INSTALL_HINT}"
