"""Turning uploaded or ingested bytes into article text, with a clear reason when we cannot."""

from __future__ import annotations

import codecs
import dataclasses
import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm")
HTML_SUFFIXES = (".html", ".htm")
# HTML elements whose text is never article prose.
_NON_TEXT_TAGS = [
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "head",
    "nav",
    "footer",
]
_BLOCK_TAGS = (
    "p,h1,h2,h3,h4,h5,h6,li,blockquote,div,br,tr,section,article,header,pre,dd,dt,figcaption"
)
_BLANK_RUN = re.compile(r"[ \t]*\n[ \t\n]*\n[ \t\n]*")


class BadArticle(ValueError):
    """Input that cannot become an article; the message says why, for the person who sent it."""


@dataclass(frozen=True, slots=True)
class ArticleText:
    title: str
    body: str
    # From a front-matter block, when the file has one.
    published: dt.date | None = None
    source_name: str = ""
    url: str = ""


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (a BOM is kept as text, as the eval data does) or UTF-16 with a BOM.

    Anything else is refused rather than guessed: a wrong guess silently corrupts quotes.
    """
    if not data.strip():
        raise BadArticle("the file is empty")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise BadArticle(f"invalid UTF-16 at byte {exc.start}") from exc
    if b"\x00" in data:
        raise BadArticle("binary file (contains NUL bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadArticle(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8 and try again"
        ) from exc
    if _looks_binary(text):
        raise BadArticle("binary file, not text")
    return text


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    return controls > max(3, len(sample) // 100)


def html_to_text(html: str) -> str:
    """Visible text of an HTML document, one block per paragraph."""
    tree = LexborHTMLParser(html)
    tree.strip_tags(_NON_TEXT_TAGS)
    root = tree.body or tree.root
    if root is None:
        return ""
    # Block elements end a paragraph; inline ones (<b>, <a>) stay inside their sentence.
    for node in root.css(_BLOCK_TAGS):
        node.insert_after("\n\n")
    text = root.text(separator="", strip=False)
    return _BLANK_RUN.sub("\n\n", text).strip()


_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_FRONT_MATTER_KEYS = {
    "title": "title",
    "date": "published",
    "published": "published",
    "source": "source_name",
    "url": "url",
}


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """A leading `---` block of `key: value` lines (as in Markdown publishing tools) says
    what the first line would otherwise be guessed to say; the body is what follows it."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    fields = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        field = _FRONT_MATTER_KEYS.get(key.strip().lower())
        if not sep or not field:
            raise BadArticle(
                f"front matter line {line.strip()!r} is not one of "
                f"{', '.join(sorted(_FRONT_MATTER_KEYS))}: value"
            )
        fields[field] = value.strip().strip("\"'")
    return fields, text[match.end() :]


def split_title(text: str) -> ArticleText:
    """Title, date, source and URL from front matter when the file has it; otherwise the first
    non-empty line is the title. The body (all of the text after any front matter) stays
    exactly as received."""
    fields, body = split_front_matter(text)
    published = None
    if fields.get("published"):
        try:
            published = dt.date.fromisoformat(fields["published"][:10])
        except ValueError as exc:
            raise BadArticle(
                f"front matter date {fields['published']!r} is not YYYY-MM-DD"
            ) from exc
    title = fields.get("title", "")
    if not title:
        for line in body.splitlines():
            if line.strip():
                title = line.strip().lstrip("#").strip() or line.strip()
                break
    if not body.strip():
        raise BadArticle("the file holds only white space")
    return ArticleText(
        title=title[:500],
        body=body,
        published=published,
        source_name=fields.get("source_name", "")[:200],
        url=fields.get("url", "")[:1000],
    )


def read_article(*, name: str, data: bytes, max_bytes: int, title: str = "") -> ArticleText:
    """Validate and decode one article's bytes; `name` decides HTML vs plain text."""
    suffix = Path(name).suffix.lower()
    if suffix not in ARTICLE_SUFFIXES:
        raise BadArticle(f"unsupported file type {suffix or '(none)'}; use .txt, .md or .html")
    if len(data) > max_bytes:
        raise BadArticle(f"too large ({len(data):,} bytes; the limit is {max_bytes:,})")
    text = decode_text(data)
    if suffix in HTML_SUFFIXES:
        text = html_to_text(text)
    if not text.strip():
        raise BadArticle("the file holds no text")
    article = split_title(text)
    return dataclasses.replace(article, title=title.strip()[:500]) if title.strip() else article


def content_hash(body: str) -> str:
    """Identity of an article's content: the same text with other line endings or spacing is
    the same article."""
    normalised = " ".join(unicodedata.normalize("NFC", body).split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def iter_article_paths(paths: list[Path]):
    """Files to ingest under the given files and folders, recursively, in a stable order."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in ARTICLE_SUFFIXES:
                    yield child
        else:
            yield path
