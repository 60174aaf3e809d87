"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.browser_skips import browser_skip_summary

PROJECT_DIR = Path(__file__).resolve().parent.parent
SEEDS_DIR = PROJECT_DIR / "seeds"
SEED_FILE = SEEDS_DIR / "000_17c3880eb98f23c3.txt"
# The evaluation data lives beside the project in CI and on the team's machines only.
SHARED_EVAL_DIR = PROJECT_DIR.parent / "shared" / "eval"

# Tests run Django's async-unsafe ORM from Playwright's event loop thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Cached aggregates (statements/datacache.py) must not leak from one test's data into
    the next one's: the database is rolled back, the cache is not."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def web():
    """A web server on 127.0.0.1 serving pages and feeds a test puts in `web.routes`."""
    from tests.webserver import TestWebServer

    with TestWebServer() as server:
        yield server


@pytest.fixture
def allow_private(settings):
    """The test web server is on 127.0.0.1, which the fetch guard refuses by default."""
    settings.NEWSROOM_FETCH_ALLOW_PRIVATE = True


@pytest.fixture
def shared_eval_dir() -> Path:
    if not (SHARED_EVAL_DIR / "seed-gold.jsonl").exists():
        pytest.skip(f"evaluation data not found at {SHARED_EVAL_DIR} (only in the team's checkout)")
    return SHARED_EVAL_DIR


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium: Playwright cannot download its own browser here."""
    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not shutil.which(executable):
        pytest.skip(f"Chromium not found at {executable}")
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def base_url(pytestconfig) -> str | None:
    """The browser tests open `live_server.url` directly, so no base URL is needed.

    pytest-playwright provides this fixture itself when pytest-base-url is not installed,
    as a method of a plugin object, which pytest 9 deprecates (PytestRemovedIn10Warning);
    defining it here means that one never runs. Same values: --base-url, else the ini.
    """
    return pytestconfig.getoption("--base-url") or pytestconfig.getini("base_url") or None


@pytest.fixture(autouse=True)
def _exact_tallies(request):
    """Tests that commit are cleaned up by a flush, and SQLite's flush deletes the tally's
    rows and the statements' in any order, which leaves the counts wrong for the next test:
    start such a test from a recount (what a migrate does, statements/tallies.py)."""
    if not {"transactional_db", "live_server"} & set(request.fixturenames):
        return
    request.getfixturevalue("transactional_db")
    from django.db import connection

    from statements.tallies import ensure_tallies

    ensure_tallies(connection)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say plainly, after the short summary (the last thing before the counts), when browser
    tests were skipped and why."""
    result = yield
    line = browser_skip_summary(terminalreporter.stats.get("skipped", []))
    if line:
        terminalreporter.write_sep("=", line, yellow=True, bold=True)
    return result
