"""Turning uploaded or ingested bytes into article text, with a clear reason when we cannot."""

from __future__ import annotations

import codecs
import dataclasses
import datetime as dt
import hashlib
import os
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

    Anything else is refused rather than guessed, Windows-1252 included: almost any byte
    string decodes as Windows-1252, so a wrong guess (Latin-2, Mac Roman, Shift-JIS...)
    would silently corrupt names and quote marks, and offsets would no longer point into the
    file as `annotate` reads it. The message says which encoding the bytes look like.
    """
    if not data:
        raise BadArticle("the file is empty")
    if not data.strip():
        raise BadArticle("the file holds only white space")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise BadArticle(f"invalid UTF-16 at byte {exc.start}") from exc
        # PostgreSQL cannot store NUL in text, and a NUL in prose means binary data.
        if "\x00" in text or _looks_binary(text):
            raise BadArticle("binary file (UTF-16 holding control characters), not text")
        return text
    if b"\x00" in data:
        if _looks_like_utf16_without_bom(data):
            raise BadArticle(
                "looks like UTF-16 without a byte-order mark; save the file as UTF-8 and try again"
            )
        raise BadArticle("binary file (contains NUL bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadArticle(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
            f"{_encoding_hint(data)}; save the file as UTF-8 and try again"
        ) from exc
    if _looks_binary(text):
        raise BadArticle("binary file, not text")
    return text


def _looks_like_utf16_without_bom(data: bytes) -> bool:
    sample = data[:4096]
    even, odd = sample[0::2], sample[1::2]
    return len(sample) >= 4 and (even.count(0) > len(even) * 0.4 or odd.count(0) > len(odd) * 0.4)


# Windows-1252 puts typographic punctuation where Latin-1 has C1 controls: curly quotes,
# dashes, ellipsis, euro sign. Their presence tells the two apart from other 8-bit sets.
_CP1252_PUNCTUATION = re.compile(rb"[\x80\x85\x91-\x97]")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")


def _encoding_hint(data: bytes) -> str:
    if _CP1252_PUNCTUATION.search(data):
        return ", it looks like Windows-1252"
    if _HIGH_BYTE.search(data):
        return ", it looks like an 8-bit encoding such as Latin-1"
    return ""


# Unicode category Cc (C0 and C1 controls) but for tab, newline, form feed and return: a
# regex instead of unicodedata.category per character, which cost 0.3 ms a file.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = len(_CONTROLS.findall(sample))
    return controls > max(3, len(sample) // 100)


# Browsers stop nesting elements at 512 levels; real articles stay far below. The HTML
# parser takes time quadratic in the depth of nested blocks (100,000 nested <div>s: about a
# minute), so deeper documents are refused before parsing.
MAX_HTML_DEPTH = 512
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^<>]*?(/?)>")
# Elements that never take content, or whose end tag is optional and usually left out:
# they do not deepen the tree.
_VOID_TAGS = "area base br col embed hr img input link meta source track wbr"
_OPTIONAL_END_TAGS = "p li dt dd tr td th option optgroup rb rp rt rtc thead tbody tfoot colgroup"
_FLAT_TAGS = frozenset(f"{_VOID_TAGS} {_OPTIONAL_END_TAGS} caption html head body".split())


def html_depth(html: str) -> int:
    """Deepest nesting of elements in `html`, estimated from its tags without parsing."""
    depth = deepest = 0
    for closing, name, self_closing in _TAG.findall(html):
        if self_closing or name.lower() in _FLAT_TAGS:
            continue
        if closing:
            depth = max(depth - 1, 0)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def html_to_text(html: str) -> str:
    """Visible text of an HTML document, one block per paragraph."""
    if html_depth(html) > MAX_HTML_DEPTH:
        raise BadArticle(
            f"HTML nested more than {MAX_HTML_DEPTH} elements deep; this is not an article page"
        )
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
            line = line.replace("\ufeff", "")  # a UTF-8 byte-order mark is kept in the body only
            if line.strip():
                title = line.strip().lstrip("#").strip() or line.strip()
                break
    if not title:
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
    body = body.removeprefix("\ufeff")  # a UTF-8 byte-order mark is not content
    normalised = " ".join(unicodedata.normalize("NFC", body).split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def display_path(path: Path | str) -> str:
    """A file name safe to print: bytes that are not UTF-8 and control characters (a name
    can hold terminal escapes) are shown as escapes instead of breaking or hijacking output."""
    name = os.fsencode(path).decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in name)


def iter_article_paths(paths: list[Path]):
    """Files to ingest under the given files and folders, recursively, in a stable order."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in ARTICLE_SUFFIXES:
                    yield child
        else:
            yield path
