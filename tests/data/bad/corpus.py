"""The bad-input corpus: files that must be refused with a clear reason or stored intact.

Generated, not shipped: the bytes are built here so that the corpus is reviewable and small
in git. `python -m tests.data.bad.corpus OUTDIR` writes it out for trying by hand (for example
through the upload page); the tests build it in a temporary folder.
"""

from __future__ import annotations

import codecs
import struct
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

# Used by tests that lower the limit so that the "too large" case stays small.
TEST_MAX_BYTES = 1_200_000


@dataclass(frozen=True)
class BadCase:
    name: str  # file name as sent; upload tests send it as the client's file name
    data: bytes
    # "refused": the reason must contain `expect`; "stored": the stored body must contain it.
    outcome: str
    expect: str
    # Too slow to annotate in the unit suite (a 1 MB paragraph takes about a minute).
    heavy: bool = False


def _png() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


ARTICLE = (
    "Ministers meet in Brussels\n\n"
    '"We will keep talking," NATO Secretary General Jens Stoltenberg said on Monday.\n'
)
RTL_EMOJI = (
    "Talks in Doha 🇶🇦 continue\n\n"
    '"السلام ممكن" said the Qatari envoy, adding that "שלום" was "close" 👍🏽👨‍👩‍👧.\n'
    "Bidi trick: \u202egnp.exe\u202c and a zero-width joiner\u200d here.\n"
)
SCRIPT_HTML = (
    "<html><head><script>alert('head')</script><style>p{color:red}</style></head><body>"
    "<h1 onclick=\"alert('h1')\">Summit <b>ends</b></h1>"
    "<p>The envoy said <script>document.cookie</script>talks would &lt;resume&gt;.</p>"
    '<img src=x onerror="alert(1)"><a href="javascript:alert(2)">link text</a>'
    "<svg onload=alert(3)><text>svg text</text></svg>"
    "</body></html>"
)
CP1252_TEXT = "Le ministre\n\n\u201cNous continuerons\u201d, a déclaré le ministre \u2013 été.\n"
SCRIPT_TEXT = (
    "Markup in a plain-text file <script>alert(1)</script>\n\n"
    '"<img src=x onerror=alert(1)> is not a tag here," the official said. '
    '=HYPERLINK("http://evil") +1 -1 @SUM(A1)\n'
)


def cases() -> list[BadCase]:
    """Every bad input, with what must happen to it."""
    return [
        BadCase("empty.txt", b"", "refused", "the file is empty"),
        BadCase("whitespace.txt", b" \n\t\r\n  \n", "refused", "only white space"),
        BadCase("picture.png", _png(), "refused", "unsupported file type .png"),
        BadCase("picture-renamed.txt", _png(), "refused", "binary file"),
        BadCase("nul-bytes.txt", b"Title\n\nSome\x00text\x00here.\n", "refused", "NUL bytes"),
        BadCase(
            "invalid-utf8.txt",
            b"Title\n\nBroken \xc3\x28 sequence and \xff byte.\n",
            "refused",
            "not valid UTF-8",
        ),
        BadCase(
            "utf16-bom.txt",
            codecs.BOM_UTF16_LE + ARTICLE.encode("utf-16-le"),
            "stored",
            "Jens Stoltenberg said on Monday",
        ),
        BadCase(
            "utf16-no-bom.txt",
            ARTICLE.encode("utf-16-le"),
            "refused",
            "UTF-16 without a byte-order mark",
        ),
        BadCase(
            "utf8-bom.txt",
            codecs.BOM_UTF8 + ARTICLE.replace("Monday", "Wednesday").encode("utf-8"),
            "stored",
            "Jens Stoltenberg said on Wednesday",
        ),
        BadCase(
            "windows-1252.txt",
            CP1252_TEXT.encode("cp1252"),
            "refused",
            "looks like Windows-1252",
        ),
        BadCase(
            "latin-1.txt",
            "Le ministre a déclaré « non ».\n".encode("latin-1"),
            "refused",
            "not valid UTF-8",
        ),
        BadCase(
            "too-large.txt",
            b"Huge\n\n" + b"word " * (TEST_MAX_BYTES // 5 + 10),
            "refused",
            "too large",
        ),
        BadCase(
            "one-paragraph-1mb.txt",
            (
                "One long paragraph\n\n"
                + ("The minister said the talks would continue next week. " * 20000)[:1_000_000]
            ).encode("utf-8"),
            "stored",
            "the talks would continue",
            heavy=True,
        ),
        BadCase(
            "unbalanced-quotes.txt",
            (
                "Quote marks everywhere\n\n"
                + 'He said: "We will talk, the minister said. '
                + "\"“”«»'‘’„" * 333
                + " “Yes, he added.\n\n«Non\n"
            ).encode("utf-8"),
            "stored",
            "He said",
        ),
        BadCase(
            "deeply-nested.html",
            ("<div>" * 100_000 + "deep" + "</div>" * 100_000).encode("utf-8"),
            "refused",
            "nested more than",
        ),
        BadCase(
            "nested-300.html",
            (
                "<html><body><h1>Nested but fine</h1>"
                + "<div>" * 300
                + "<p>The envoy said talks would resume.</p>"
                + "</div>" * 300
                + "</body></html>"
            ).encode("utf-8"),
            "stored",
            "The envoy said talks would resume.",
        ),
        BadCase("script-and-handlers.html", SCRIPT_HTML.encode("utf-8"), "stored", "link text"),
        BadCase("markup-in-text.txt", SCRIPT_TEXT.encode("utf-8"), "stored", "<img src=x onerror"),
        BadCase("rtl-and-emoji.txt", RTL_EMOJI.encode("utf-8"), "stored", "السلام ممكن"),
        BadCase(
            "../../etc/passwd.txt",
            ARTICLE.replace("Monday", "Tuesday").encode(),
            "stored",
            "Tuesday",
        ),
        BadCase(
            "..\\..\\windows\\evil.txt",
            ARTICLE.replace("Monday", "Friday").encode(),
            "stored",
            "Friday",
        ),
        BadCase("good.txt", ARTICLE.replace("Monday", "Sunday").encode(), "stored", "Sunday"),
    ]


def disk_name(name: str) -> str:
    """A file name that stays inside the corpus folder (`../` turned into `..%2F`)."""
    return name.replace("/", "%2F").replace("\\", "%5C")


def write_corpus(folder: Path, *, heavy: bool = True) -> list[tuple[BadCase, Path]]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for case in cases():
        if case.heavy and not heavy:
            continue
        path = folder / disk_name(case.name)
        path.write_bytes(case.data)
        written.append((case, path))
    return written


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "bad-corpus")
    for _case, path in write_corpus(out):
        print(path)
