"""Article pages and feeds of our own making, served by tests/webserver.py."""

from __future__ import annotations

import datetime as dt
from html import escape

from tests.webserver import Page, TestWebServer

BOILERPLATE_TOP = (
    "<header><nav><a href='/'>Home</a> <a href='/world'>World</a> <a href='/sport'>Sport</a>"
    "</nav></header>"
)
BOILERPLATE_BOTTOM = (
    "<aside><h2>Most read</h2><ul><li><a href='/x'>Markets rally on rate hopes</a></li>"
    "<li><a href='/y'>Storm closes airport</a></li></ul></aside>"
    "<section id='comments'><h2>Comments</h2><p class='comment'>What a disgrace, as usual."
    "</p></section>"
    "<footer><p>© Example Herald. All rights reserved. Privacy | Terms | Contact</p></footer>"
)


def article_html(
    *,
    title: str,
    paragraphs: list[str],
    published: dt.date | None = None,
    author: str = "",
    canonical: str = "",
    site: str = "Example Herald",
) -> bytes:
    meta = [f'<meta property="og:site_name" content="{escape(site)}">']
    if published:
        meta.append(
            f'<meta property="article:published_time" content="{published.isoformat()}T08:00:00Z">'
        )
    if author:
        meta.append(f'<meta name="author" content="{escape(author)}">')
    if canonical:
        meta.append(f'<link rel="canonical" href="{escape(canonical)}">')
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    byline = f"<p class='byline'>By {escape(author)}</p>" if author else ""
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)} | {escape(site)}</title>{''.join(meta)}</head><body>"
        f"{BOILERPLATE_TOP}<main><article><h1>{escape(title)}</h1>{byline}{body}</article>"
        f"{BOILERPLATE_BOTTOM}</main></body></html>"
    ).encode()


def story(n: int, *, words: str = "") -> list[str]:
    """Three paragraphs of a made-up diplomatic story, different for each `n`."""
    return [
        f"The foreign minister of the republic said on day {n} that talks on the border "
        f"crossing number {n} would resume next week in the capital {words}.",
        f'"We are ready to meet them halfway on point {n}," the minister told reporters, '
        "adding that both delegations had agreed on an agenda.",
        f"Officials from the neighbouring state said they would send a delegation of {n + 3} "
        "diplomats and experts to the talks, which are expected to last three days.",
    ]


def rss(entries: list[tuple[str, str, str]], *, title: str = "Herald world news") -> bytes:
    """RSS 2.0 with (guid, link, title) entries."""
    items = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(link)}</link>"
        f"<guid isPermaLink='false'>{escape(guid)}</guid>"
        "<pubDate>Mon, 03 Mar 2025 10:00:00 GMT</pubDate></item>"
        for guid, link, t in entries
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>{escape(title)}</title><link>https://herald.example/</link>"
        f"<description>News</description>{items}</channel></rss>"
    ).encode()


def atom(entries: list[tuple[str, str, str]], *, title: str = "Ministry press releases") -> bytes:
    """Atom 1.0 with (id, link, title) entries."""
    items = "".join(
        f"<entry><id>{escape(entry_id)}</id><title>{escape(t)}</title>"
        f"<link rel='alternate' href='{escape(link)}'/><updated>2025-03-03T10:00:00Z</updated>"
        "</entry>"
        for entry_id, link, t in entries
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        f"<title>{escape(title)}</title><id>urn:example:feed</id>"
        f"<updated>2025-03-03T10:00:00Z</updated>{items}</feed>"
    ).encode()


def serve_story(web: TestWebServer, n: int, **kwargs) -> str:
    """Serve story `n` at /story/<n> and return its URL."""
    path = f"/story/{n}"
    web.routes[path] = Page(
        article_html(
            title=f"Border talks to resume, round {n}",
            paragraphs=story(n),
            published=dt.date(2025, 3, 1) + dt.timedelta(days=n % 28),
            **kwargs,
        )
    )
    return web.url(path)
