"""In Chromium: staff add a feed in the admin, and its articles arrive by themselves.

A real `manage.py db_worker` process (real pipeline) polls the feed the admin queued, fetches
the entries from a local web server, stores and annotates them; the page only reloads.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest
from django.db import connection
from playwright.sync_api import Page, expect

from statements.models import Article, Feed
from tests.conftest import PROJECT_DIR
from tests.curation_factories import make_user
from tests.web_fixtures import rss, serve_story
from tests.webserver import Page as WebPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host = db.get("HOST") or "127.0.0.1"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture
def worker(settings):
    """`manage.py db_worker` on the test database, as `make run` starts it."""
    if connection.vendor == "sqlite" and ":memory:" in str(connection.settings_dict["NAME"]):
        pytest.skip("needs a database file the worker process can open")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "NEWSROOM_FETCH_ALLOW_PRIVATE": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.5", "-v", "0"],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def log_in(page: Page, base: str) -> None:
    make_user(superuser=True, username="editor")
    page.goto(base + "/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    expect(page).to_have_url(re.compile(r"/admin/$"))


def test_a_feed_added_in_the_admin_brings_its_articles(live_server, page: Page, web, worker):
    entries = [(f"herald-{n}", serve_story(web, n), f"Story {n}") for n in (1, 2)]
    web.routes["/rss"] = WebPage(rss(entries), content_type="application/rss+xml", etag='"v1"')
    log_in(page, live_server.url)

    page.goto(live_server.url + "/admin/statements/feed/add/")
    page.fill("#id_url", web.url("/rss"))
    page.fill("#id_name", "Herald world news")
    page.fill("#id_poll_every", "30")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    # Nobody runs anything: the worker polls the feed, fetches and annotates the stories.
    deadline = time.monotonic() + 120
    while Article.objects.filter(status="annotated").count() < 2 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert worker.poll() is None, worker.stdout.read().decode()
    page.reload()
    row = page.locator("#result_list tbody tr", has_text="Herald world news")
    expect(row).to_contain_text("OK")
    expect(row.locator("td.field-articles_found")).to_have_text("2")
    assert Feed.objects.get().last_error == ""

    page.goto(live_server.url + "/upload/")
    imports = page.locator(".import-table")
    expect(imports).to_contain_text("feed “Herald world news”")
    expect(imports.locator(".import-status-stored")).to_have_count(2)

    article = Article.objects.order_by("pk").first()
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    expect(page.locator("h1")).to_have_text(re.compile("Border talks to resume, round"))
    expect(page.locator(".statement-index h2")).not_to_have_text("0 statements")
