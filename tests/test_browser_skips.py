"""The terminal line that says browser tests were skipped."""

from __future__ import annotations

import pytest

from tests.browser_skips import browser_skip_summary


def skipped(reason: str, *, browser: bool = True) -> pytest.TestReport:
    keywords = {"test_x": 1, **({"browser": 1} if browser else {})}
    return pytest.TestReport(
        nodeid="tests/test_x.py::test_x",
        location=("tests/test_x.py", 1, "test_x"),
        keywords=keywords,
        outcome="skipped",
        longrepr=("tests/test_x.py", 1, f"Skipped: {reason}"),
        when="setup",
    )


def test_says_how_many_browser_tests_skipped_why_and_how_to_install_chromium():
    reports = [skipped("Chromium not found at /usr/bin/chromium") for _ in range(3)]
    reports.append(skipped("evaluation data not found", browser=False))
    line = browser_skip_summary(reports)
    assert line.startswith("BROWSER TESTS NOT RUN: 3 skipped")
    assert "Chromium not found at /usr/bin/chromium" in line
    assert "apt-get install -y chromium" in line


def test_silent_when_no_browser_test_was_skipped():
    assert browser_skip_summary([skipped("no eval data", browser=False)]) == ""
    assert browser_skip_summary([]) == ""
