"""Issue 8, point 1: bad input through `ingest` gets a clear message or is stored intact;
nothing crashes the command, and good files in the same batch are stored."""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command

from statements import nlp
from statements.models import Article, Quote
from statements.nlp.types import Annotation, QuoteAnnotation
from statements.services.ingest import article_ingest
from statements.textio import BadArticle, content_hash, decode_text, html_to_text, read_article
from tests.data.bad.corpus import TEST_MAX_BYTES, cases, disk_name, write_corpus

pytestmark = pytest.mark.django_db


def ingest(*args) -> int:
    try:
        call_command("ingest", *map(str, args), "--no-progress")
    except SystemExit as exc:
        return exc.code
    return 0


def light_cases():
    return [c for c in cases() if not c.heavy]


def test_bad_corpus_through_ingest(tmp_path, capsys, settings):
    settings.NEWSROOM_MAX_ARTICLE_BYTES = TEST_MAX_BYTES
    written = write_corpus(tmp_path, heavy=False)
    # A file name that is not valid UTF-8 must not break the messages.
    odd_name = os.fsdecode(b"odd-\xff-name.txt")
    (tmp_path / odd_name).write_bytes(b"\x01\x02\x00binary")

    # Folders give only .txt, .md and .html files; other files are refused when named.
    assert ingest(tmp_path, tmp_path / "picture.png") == 1  # the exit status says some failed
    out, err = capsys.readouterr()

    refused = [c for c, _ in written if c.outcome == "refused"]
    stored = [c for c, _ in written if c.outcome == "stored"]
    assert f"{len(stored)} new, 0 already present, {len(refused) + 1} failed" in out
    for case, path in written:
        if case.outcome == "refused":
            line = next((ln for ln in err.splitlines() if ln.startswith(f"{path}: ")), None)
            assert line is not None, f"no message for {case.name}"
            assert case.expect in line, line
        else:
            article = Article.objects.get(body__contains=case.expect)
            assert article.status == Article.Status.ANNOTATED, (case.name, article.error)
    assert "odd-" in err and "name.txt:" in err
    assert Article.objects.count() == len(stored)
    for quote in Quote.objects.select_related("article"):
        assert quote.article.body[quote.start : quote.end] == quote.text

    # A second run stores nothing twice.
    ingest(tmp_path)
    assert f"0 new, {len(stored)} already present" in capsys.readouterr().out
    assert Article.objects.count() == len(stored)


def test_stored_bodies_are_the_text_as_received():
    by_name = {c.name: c for c in cases()}
    utf16 = read_article(name="a.txt", data=by_name["utf16-bom.txt"].data, max_bytes=10**6)
    utf8_bom = read_article(name="a.txt", data=by_name["utf8-bom.txt"].data, max_bytes=10**6)
    # The BOM stays in the body (offsets match `annotate`), never in the title.
    assert utf8_bom.body.startswith("\ufeff")
    assert utf16.body == utf8_bom.body[1:].replace("Wednesday", "Monday")
    assert utf8_bom.title == utf16.title == "Ministers meet in Brussels"
    # With or without a byte-order mark, the same text is the same article.
    assert content_hash("\ufeff" + utf16.body) == content_hash(utf16.body)
    rtl = read_article(name="a.txt", data=by_name["rtl-and-emoji.txt"].data, max_bytes=10**6)
    assert rtl.body == by_name["rtl-and-emoji.txt"].data.decode("utf-8")


def test_html_scripts_and_handlers_never_reach_the_text():
    html = next(c for c in cases() if c.name == "script-and-handlers.html").data.decode()
    text = html_to_text(html)
    for fragment in ("alert", "document.cookie", "onerror", "javascript:", "color:red"):
        assert fragment not in text
    assert "Summit ends" in text and "talks would <resume>." in text and "link text" in text


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"\n \t", "white space"),
        (b"\xef\xbb\xbf", "white space"),
        ("Curly “quotes” – dash".encode("cp1252"), "looks like Windows-1252"),
        ("Crème brûlée".encode("latin-1"), "8-bit encoding such as Latin-1"),
        (b"\xff\xfeA\x00\x00\x00B\x00", "control characters"),
        (b"\xff\xfe\x00\xd8", "invalid UTF-16"),
        ("text".encode("utf-16-be"), "UTF-16 without a byte-order mark"),
    ],
)
def test_decoding_refusals_say_why(data, reason):
    with pytest.raises(BadArticle, match=reason):
        read_article(name="x.txt", data=data, max_bytes=1000)


def test_windows_1252_is_refused_not_guessed():
    """Decision: refused with a hint. Almost any bytes decode as Windows-1252, so guessing
    would store mojibake for Latin-2 or Mac Roman files without anyone noticing."""
    data = "Łódź: żółć".encode("iso-8859-2")
    with pytest.raises(BadArticle, match="save the file as UTF-8"):
        decode_text(data)


def test_one_megabyte_paragraph_is_stored_through_ingest(tmp_path, capsys, monkeypatch):
    """Storing is what this tests; the real pipeline takes about a minute on 1 MB (measured
    in the report), so a stub stands in for it here."""
    case = next(c for c in cases() if c.heavy)
    (tmp_path / disk_name(case.name)).write_bytes(case.data)
    empty = Annotation(quotes=[], speakers=[])
    monkeypatch.setattr(
        nlp, "annotate_many", lambda items, **kw: ((empty, ctx) for _t, ctx in items)
    )
    assert ingest(tmp_path) == 0
    article = Article.objects.get()
    assert article.body == case.data.decode("utf-8").removeprefix("One long paragraph\n\n")
    assert article.status == Article.Status.ANNOTATED


def test_long_paragraph_is_annotated_with_valid_offsets():
    text = "Long\n\n" + "The minister said the talks would continue next week. " * 300
    annotation = nlp.annotate(text)
    assert annotation.quotes
    for quote in annotation.quotes:
        assert text[quote.start : quote.end] == quote.text


def test_a_crash_in_one_article_marks_it_failed_and_the_rest_carry_on(
    tmp_path, capsys, monkeypatch
):
    for i in range(3):
        (tmp_path / f"{i}.txt").write_text(
            f'Story {i}\n\n"We will talk {i}," the minister said.\n', encoding="utf-8"
        )
    real_many = nlp.annotate_many

    def corrupting(items, **kw):
        """A pipeline bug on one article: a statement whose offsets miss its text."""
        for annotation, article in real_many(items, **kw):
            if article.title == "Story 1":
                annotation.quotes.append(QuoteAnnotation(0, 5, "wrong", "direct", None, None, None))
            yield annotation, article

    monkeypatch.setattr(nlp, "annotate_many", corrupting)
    assert ingest(tmp_path) == 1
    out, err = capsys.readouterr()
    assert "2 new, 0 already present, 1 failed" in out
    assert "Story 1: annotation failed: span 0:5 does not match the article text" in err
    statuses = dict(Article.objects.values_list("title", "status"))
    assert statuses == {"Story 0": "annotated", "Story 1": "failed", "Story 2": "annotated"}
    failed = Article.objects.get(title="Story 1")
    assert failed.error == "ValueError: span 0:5 does not match the article text"
    assert not failed.quotes.exists()  # nothing half-saved
    assert Quote.objects.filter(article__title="Story 0").exists()


def test_a_pipeline_crash_is_pinned_on_its_article(tmp_path, capsys, monkeypatch):
    for i in range(3):
        (tmp_path / f"{i}.txt").write_text(f"Story {i}\n\nText {i}.\n", encoding="utf-8")
    real_annotate = nlp.annotate

    def boom_many(items, **kw):
        raise MemoryError("batch too big")

    def one(text, **kw):
        if "Text 2" in text:
            raise ValueError("bad text")
        return real_annotate(text, **kw)

    monkeypatch.setattr(nlp, "annotate_many", boom_many)
    monkeypatch.setattr(nlp, "annotate", one)
    assert ingest(tmp_path) == 1
    assert "Story 2: annotation failed: bad text" in capsys.readouterr().err
    assert Article.objects.filter(status="annotated").count() == 2
    assert Article.objects.get(title="Story 2").error == "ValueError: bad text"


def test_rerun_annotates_articles_a_killed_run_left_pending(tmp_path, capsys):
    (tmp_path / "a.txt").write_text('Talks\n\n"Yes," the envoy said.\n', encoding="utf-8")
    text = read_article(name="a.txt", data=(tmp_path / "a.txt").read_bytes(), max_bytes=10**6)
    article_ingest(text=text)  # as if a run stopped right after storing it
    assert ingest(tmp_path) == 0
    assert "0 new, 1 already present, 0 failed" in capsys.readouterr().out
    assert Article.objects.get().status == Article.Status.ANNOTATED


# --- The same corpus through the upload page --------------------------------------------------


def upload(client, files):
    from django.core.files.uploadedfile import SimpleUploadedFile

    token = client.get("/upload/").cookies["csrftoken"].value
    return client.post(
        "/upload/",
        {"files": [SimpleUploadedFile(name, data) for name, data in files]},
        headers={"X-CSRFToken": token},
        follow=True,
    )


@pytest.fixture
def staff_client(staff_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    return client


def test_bad_corpus_through_the_upload_page(staff_client, settings):
    """Every file in one upload: each bad one named with its reason, the good ones stored
    and annotated by the task (run at once by the test settings), nothing crashes."""
    settings.NEWSROOM_MAX_ARTICLE_BYTES = TEST_MAX_BYTES
    corpus = light_cases()
    response = upload(staff_client, [(c.name, c.data) for c in corpus])
    assert response.status_code == 200
    notes = [str(m) for m in response.context["messages"]]
    stored = [c for c in corpus if c.outcome == "stored"]
    for case in corpus:
        shown = case.name.replace("\\", "/").rsplit("/", 1)[-1]  # the base name only
        mine = [n for n in notes if n.startswith(f"{shown}:")]
        assert len(mine) == 1, (case.name, notes)
        if case.outcome == "refused":
            assert "not stored" in mine[0] and case.expect in mine[0], mine[0]
        else:
            assert "stored as article" in mine[0], mine[0]
            article = Article.objects.get(body__contains=case.expect)
            assert article.status == Article.Status.ANNOTATED, (case.name, article.error)
    assert not any("../" in n or "..\\" in n for n in notes)
    assert Article.objects.count() == len(stored)
    # The page shows hostile titles escaped.
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html


def test_big_paragraph_upload_is_stored_and_queued(staff_client, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    case = next(c for c in cases() if c.heavy)
    response = upload(staff_client, [(case.name, case.data)])
    assert response.status_code == 200
    article = Article.objects.get()
    assert article.body == case.data.decode("utf-8").removeprefix("One long paragraph\n\n")
    assert article.status == Article.Status.PENDING  # queued for the worker


def test_only_bad_files_get_a_400_with_every_reason(staff_client):
    bad = [c for c in cases() if c.outcome == "refused" and c.name != "too-large.txt"][:5]
    response = upload(staff_client, [(c.name, c.data) for c in bad])
    assert response.status_code == 400
    html = response.content.decode()
    for case in bad:
        assert case.expect.replace("'", "&#x27;") in html, case.name
    assert not Article.objects.exists()
