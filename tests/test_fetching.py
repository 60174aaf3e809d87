"""The one fetch function for pages and feeds: limits, redirects, types and the SSRF guard."""

from __future__ import annotations

import pytest

from statements import fetching
from statements.fetching import FEED_TYPES, BlockedAddress, FetchError, fetch
from tests.webserver import Page

HTML = b"<html><body><p>Hello</p></body></html>"


def test_fetches_a_page_with_a_clear_user_agent(web, allow_private):
    web.routes["/a"] = Page(HTML)
    result = fetch(web.url("/a"))
    assert result.status == 200 and result.content == HTML
    assert result.content_type == "text/html" and result.charset == "utf-8"
    [hit] = web.hits_for("/a")
    assert hit.headers["user-agent"].startswith("Newsroom/")


def test_follows_up_to_five_redirects_and_reports_the_final_url(web, allow_private):
    for i in range(5):
        web.routes[f"/r{i}"] = Page(status=302, location=f"/r{i + 1}")
    web.routes["/r5"] = Page(HTML)
    assert fetch(web.url("/r0")).url == web.url("/r5")


def test_refuses_a_sixth_redirect(web, allow_private):
    for i in range(6):
        web.routes[f"/r{i}"] = Page(status=301, location=f"/r{i + 1}")
    web.routes["/r6"] = Page(HTML)
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch(web.url("/r0"))
    assert not web.hits_for("/r6")


def test_refuses_a_page_over_the_upload_limit(web, allow_private, settings):
    settings.NEWSROOM_MAX_ARTICLE_BYTES = 1000
    web.routes["/big"] = Page(b"<p>" + b"x" * 2000 + b"</p>")
    with pytest.raises(FetchError, match="too large"):
        fetch(web.url("/big"))


def test_refuses_a_body_over_the_limit_without_a_length(web, allow_private, monkeypatch):
    web.routes["/big"] = Page(b"y" * 5000)
    with pytest.raises(FetchError, match="too large"):
        fetch(web.url("/big"), max_bytes=100, accept=("text/html",))


def test_refuses_what_is_not_html(web, allow_private):
    web.routes["/doc.pdf"] = Page(b"%PDF-1.7", content_type="application/pdf")
    with pytest.raises(FetchError, match="application/pdf"):
        fetch(web.url("/doc.pdf"))


def test_accepts_feed_types_for_feeds(web, allow_private):
    web.routes["/feed"] = Page(b"<rss/>", content_type="application/rss+xml")
    assert fetch(web.url("/feed"), accept=FEED_TYPES).content == b"<rss/>"


def test_gives_up_on_a_slow_server(web, allow_private):
    web.routes["/slow"] = Page(b"<p>" + b"z" * 600 + b"</p>", delay=0.2)
    with pytest.raises(FetchError, match="timed out|too slow"):
        fetch(web.url("/slow"), timeout=0.5)


def test_server_errors_are_reported_with_the_status(web, allow_private):
    with pytest.raises(FetchError, match="404"):
        fetch(web.url("/missing"))


def test_conditional_get_returns_not_modified(web, allow_private):
    web.routes["/feed"] = Page(b"<rss/>", content_type="application/rss+xml", etag='"v1"')
    first = fetch(web.url("/feed"), accept=FEED_TYPES)
    assert first.headers["etag"] == '"v1"'
    again = fetch(web.url("/feed"), accept=FEED_TYPES, etag='"v1"')
    assert again.not_modified and again.content == b""
    assert web.hits_for("/feed")[1].headers["if-none-match"] == '"v1"'


def test_only_http_and_https():
    with pytest.raises(FetchError, match="only http and https"):
        fetch("file:///etc/passwd")


# --- The guard against server-side request forgery -------------------------------------


def test_loopback_is_refused_without_the_setting(web):
    web.routes["/a"] = Page(HTML)
    with pytest.raises(BlockedAddress, match="127.0.0.1"):
        fetch(web.url("/a"))
    assert not web.hits  # refused before connecting


def test_a_name_resolving_to_the_metadata_address_is_refused(monkeypatch):
    monkeypatch.setattr(fetching, "resolve", lambda host, port: ["169.254.169.254"])
    with pytest.raises(BlockedAddress, match="169.254.169.254"):
        fetch("http://news.example.com/latest")


@pytest.mark.parametrize(
    "address", ["10.0.0.5", "192.168.1.1", "172.16.3.4", "::1", "fd00::1", "0.0.0.0", "240.0.0.1"]
)
def test_private_and_reserved_addresses_are_refused(monkeypatch, address):
    monkeypatch.setattr(fetching, "resolve", lambda host, port: [address])
    with pytest.raises(BlockedAddress):
        fetch("http://intranet.example.com/")


def test_any_bad_address_among_several_refuses_the_host(monkeypatch):
    monkeypatch.setattr(fetching, "resolve", lambda host, port: ["93.184.215.14", "127.0.0.1"])
    with pytest.raises(BlockedAddress):
        fetch("http://mixed.example.com/")


def test_a_redirect_to_an_internal_address_is_refused(web, monkeypatch):
    """The public first hop is allowed; the redirect it answers is checked again."""
    web.routes["/go"] = Page(status=302, location="http://metadata.internal/latest/meta-data/")

    def resolve(host, port):
        # The test server stands for a public host; the redirect target is internal.
        return ["127.0.0.1"] if host == "public.example.com" else ["169.254.169.254"]

    monkeypatch.setattr(fetching, "resolve", resolve)
    monkeypatch.setattr(fetching, "_forbidden", lambda a: a != "127.0.0.1")
    with pytest.raises(BlockedAddress, match="169.254.169.254"):
        fetch(f"http://public.example.com:{web.port}/go")
    assert len(web.hits_for("/go")) == 1


def test_the_connection_goes_to_the_checked_address(web, monkeypatch):
    """The host name is resolved once, checked, and that address is the one connected to
    (a second lookup could answer differently)."""
    answers = iter([["127.0.0.1"], ["169.254.169.254"]])
    monkeypatch.setattr(fetching, "resolve", lambda host, port: next(answers))
    monkeypatch.setattr(fetching, "_forbidden", lambda a: a != "127.0.0.1")
    web.routes["/a"] = Page(HTML)
    assert fetch(f"http://public.example.com:{web.port}/a").content == HTML
    assert web.hits_for("/a")[0].headers["host"] == f"public.example.com:{web.port}"
