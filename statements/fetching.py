"""Fetching web pages and feeds: one guarded HTTP GET for both.

Staff paste URLs and feeds name more, so every address is untrusted. Before each request
(the first and every redirect) the host is resolved and refused when any of its addresses
is private, loopback, link-local, reserved, multicast or unspecified: a URL must not make
the server read the cloud metadata service (169.254.169.254) or an internal admin page.
The connection then goes to the address that was checked, not to a second lookup, so a
DNS answer that changes between check and connect cannot slip through.
`NEWSROOM_FETCH_ALLOW_PRIVATE=1` lifts the guard (tests, and a newsroom's own intranet).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.conf import settings

MAX_REDIRECTS = 5
HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    # Many servers send feeds as plain text or octet streams; feedparser decides.
    "text/plain",
    "application/octet-stream",
)
_REDIRECTS = {301, 302, 303, 307, 308}
_CHUNK = 64 * 1024


class FetchError(Exception):
    """A fetch that did not give usable content; the message is for the person who asked."""


class BlockedAddress(FetchError):
    """The host resolves to an address the server must not reach."""


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str  # after redirects
    status: int  # 200, or 304 for a conditional GET that found nothing new
    content: bytes = b""
    content_type: str = ""
    charset: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def user_agent() -> str:
    return settings.NEWSROOM_FETCH_USER_AGENT


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (a function of its own so tests can stand in DNS)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def _forbidden(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
        or not ip.is_global
    )


def checked_address(host: str, port: int) -> str:
    """The address to connect to for `host`, after the guard against internal addresses."""
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host {host!r} ({exc})") from exc
    if not addresses:
        raise FetchError(f"cannot resolve host {host!r}")
    if not settings.NEWSROOM_FETCH_ALLOW_PRIVATE:
        blocked = [a for a in addresses if _forbidden(a)]
        if blocked:
            raise BlockedAddress(
                f"refused: {host} resolves to {blocked[0]}, a private or reserved address "
                "(set NEWSROOM_FETCH_ALLOW_PRIVATE=1 to allow internal addresses)"
            )
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to an address checked beforehand while naming the host in the request."""

    def __init__(self, host, port, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def fetch(
    url: str,
    *,
    accept: tuple[str, ...] = HTML_TYPES,
    etag: str = "",
    last_modified: str = "",
    max_bytes: int | None = None,
    timeout: float | None = None,
) -> FetchResult:
    """GET `url`, following at most 5 redirects, each hop checked by the address guard.

    `etag` / `last_modified` make the request conditional: a 304 answer is returned with no
    content. Raises FetchError with a message fit for the article or feed it concerns when
    the address is refused, the server fails or is too slow, the answer is too large
    (`NEWSROOM_MAX_ARTICLE_BYTES`, as for uploads) or not one of the `accept`ed types.
    """
    max_bytes = settings.NEWSROOM_MAX_ARTICLE_BYTES if max_bytes is None else max_bytes
    timeout = settings.NEWSROOM_FETCH_TIMEOUT if timeout is None else timeout
    deadline = time.monotonic() + timeout
    headers = {
        "User-Agent": user_agent(),
        "Accept": ", ".join(accept) + ", */*;q=0.1",
        # No compression: the size cap then bounds what we hold in memory, with no
        # decompression bomb to guard against.
        "Accept-Encoding": "identity",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        status, response_headers, connection, response = _request(current, headers, deadline)
        try:
            if status in _REDIRECTS:
                location = response_headers.get("location", "")
                if not location:
                    raise FetchError(f"redirect ({status}) without a Location from {current}")
                current = urljoin(current, location.strip())
                continue
            if status == 304 and (etag or last_modified):
                return FetchResult(url=current, status=304, headers=response_headers)
            if status != 200:
                raise FetchError(f"the server answered {status} {response.reason} for {current}")
            content_type, charset = _content_type(response_headers.get("content-type", ""))
            if content_type and content_type not in accept:
                raise FetchError(
                    f"not a page of a type we read: {content_type} "
                    f"(expected {' or '.join(accept[:2])})"
                )
            content = _read_capped(response, max_bytes, deadline, response_headers)
            return FetchResult(
                url=current,
                status=200,
                content=content,
                content_type=content_type,
                charset=charset,
                headers=response_headers,
            )
        finally:
            connection.close()
    raise FetchError(f"more than {MAX_REDIRECTS} redirects from {url}")


def _request(url: str, headers: dict[str, str], deadline: float):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"only http and https addresses can be fetched, not {url!r}")
    host = parts.hostname
    if not host:
        raise FetchError(f"no host in {url!r}")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise FetchError(f"bad port in {url!r}") from exc
    address = checked_address(host, port)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchError(f"timed out fetching {url}")
    cls = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = cls(host, port, address=address, timeout=remaining)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
    except TimeoutError as exc:
        connection.close()
        raise FetchError(f"timed out fetching {url}") from exc
    except (OSError, http.client.HTTPException) as exc:
        connection.close()
        raise FetchError(f"could not fetch {url}: {exc}") from exc
    response_headers = {k.lower(): v for k, v in response.getheaders()}
    return response.status, response_headers, connection, response


def _content_type(value: str) -> tuple[str, str | None]:
    kind, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.strip().partition("=")
        if key.lower() == "charset" and val:
            charset = val.strip().strip("\"'")
    return kind.strip().lower(), charset


def _read_capped(response, max_bytes: int, deadline: float, headers: dict[str, str]) -> bytes:
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"too large ({int(declared):,} bytes; the limit is {max_bytes:,})")
    chunks, size = [], 0
    try:
        while True:
            if time.monotonic() > deadline:
                raise FetchError("timed out reading the page (the server is too slow)")
            chunk = response.read1(_CHUNK) if hasattr(response, "read1") else response.read(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(f"too large (over {max_bytes:,} bytes, the limit)")
            chunks.append(chunk)
    except TimeoutError as exc:
        raise FetchError("timed out reading the page (the server is too slow)") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError(f"the connection failed while reading: {exc}") from exc
    return b"".join(chunks)
