import codecs

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from statements.models import Article, Quote
from tests.conftest import SEED_FILE


def ingest(*args, capsys=None):
    try:
        call_command("ingest", *map(str, args), "--no-progress")
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code


@pytest.mark.django_db
def test_seed_ingested_twice_is_stored_once(capsys):
    assert ingest(SEED_FILE) == 0
    assert "1 new, 0 already present, 0 failed" in capsys.readouterr().out
    assert ingest(SEED_FILE) == 0
    assert "0 new, 1 already present, 0 failed" in capsys.readouterr().out
    assert Article.objects.count() == 1
    article = Article.objects.get()
    assert article.status == Article.Status.ANNOTATED
    assert article.title.startswith("NATO calls US for dialogue")
    # The body is the text as received after the headline, which is the title.
    seed_text = SEED_FILE.read_text(encoding="utf-8")
    assert seed_text.endswith(article.body)
    assert seed_text[: -len(article.body)].strip() == article.title
    assert Quote.objects.filter(article=article).count() >= 9


@pytest.mark.django_db
def test_bad_files_are_reported_and_good_ones_stored(tmp_path, capsys, settings):
    settings.NEWSROOM_MAX_ARTICLE_BYTES = 5000
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "latin1.txt").write_bytes("Le ministre a déclaré « non ».\n".encode("latin-1"))
    (tmp_path / "huge.txt").write_text("Word " * 2000, encoding="utf-8")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    sub = tmp_path / "nested"
    sub.mkdir()
    (sub / "good.txt").write_text(
        'Ministers meet\n\n"We will talk," the minister said on Monday.\n', encoding="utf-8"
    )

    assert ingest(tmp_path) == 1
    out, err = capsys.readouterr()
    assert "1 new, 0 already present, 4 failed" in out
    assert "empty.txt: the file is empty" in err
    assert "binary.txt: binary file" in err
    assert "latin1.txt: not valid UTF-8" in err
    assert "huge.txt: too large" in err
    # Files that are not articles are not picked up from folders at all.
    assert "notes.pdf" not in err
    assert list(Article.objects.values_list("title", flat=True)) == ["Ministers meet"]


@pytest.mark.django_db
def test_html_markup_is_stripped_by_a_parser(tmp_path):
    (tmp_path / "page.html").write_text(
        "<html><head><title>x</title><script>alert(1)</script></head><body>"
        "<h1>Summit ends</h1><p>The leaders &amp; ministers met.</p></body></html>",
        encoding="utf-8",
    )
    assert ingest(tmp_path) == 0
    article = Article.objects.get()
    assert article.title == "Summit ends"
    assert "alert" not in article.body
    assert "The leaders & ministers met." in article.body


@pytest.mark.django_db
def test_utf16_with_bom_is_decoded(tmp_path):
    text = "Talks resume\n\nThe envoy said talks would resume.\n"
    (tmp_path / "u16.txt").write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert ingest(tmp_path) == 0
    assert Article.objects.get().body == "The envoy said talks would resume.\n"


@pytest.mark.django_db
def test_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No such file or folder"):
        call_command("ingest", str(tmp_path / "nope"))


@pytest.mark.django_db
def test_reannotate_keeps_verified_and_deleted_statements(capsys):
    assert ingest(SEED_FILE) == 0
    article = Article.objects.get()
    quotes = list(article.quotes.order_by("position"))
    verified, deleted = quotes[0], quotes[1]
    verified.text_before = verified.text
    Quote.objects.filter(pk=verified.pk).update(verified=True, kind="mixed")
    Quote.objects.filter(pk=deleted.pk).update(is_deleted=True)
    count_before = article.quotes.count()

    call_command("ingest", "--reannotate", "--no-progress")
    assert "1 re-annotated, 0 failed" in capsys.readouterr().out
    assert Quote.objects.get(pk=verified.pk).kind == "mixed"
    assert Quote.objects.get(pk=deleted.pk).is_deleted
    spans = list(article.quotes.values_list("start", "end"))
    assert spans.count((deleted.start, deleted.end)) == 1  # not brought back
    assert article.quotes.count() == count_before


@pytest.mark.django_db
def test_reannotate_keeps_the_ids_of_statements_found_again(capsys):
    """Shared links (#q<id>) and exported ids survive a re-annotation."""
    assert ingest(SEED_FILE) == 0
    article = Article.objects.get()
    before = dict(article.quotes.values_list("pk", "start"))
    topics_before = {
        q.pk: set(q.topics.values_list("slug", flat=True)) for q in article.quotes.all()
    }
    Quote.objects.filter(pk__in=list(before)[:2]).update(kind="mixed", speaker=None)

    call_command("ingest", "--reannotate", "--no-progress")
    after = dict(article.quotes.values_list("pk", "start"))
    assert after == before
    # Machine-made fields are refreshed, not left as they were.
    assert not Quote.objects.filter(pk__in=list(before)[:2], speaker=None).exists()
    assert {
        q.pk: set(q.topics.values_list("slug", flat=True)) for q in article.quotes.all()
    } == topics_before


@pytest.mark.django_db
def test_front_matter_gives_title_date_source_and_url(tmp_path):
    (tmp_path / "a.md").write_text(
        "---\ntitle: Envoys meet in Vienna\ndate: 2024-03-05\nsource: Wire\n"
        "url: https://example.com/a\n---\nTalks\n\nThe envoy said talks would resume.\n",
        encoding="utf-8",
    )
    assert ingest(tmp_path) == 0
    article = Article.objects.get()
    assert article.title == "Envoys meet in Vienna"
    assert str(article.published) == "2024-03-05"
    assert (article.source_name, article.url) == ("Wire", "https://example.com/a")
    assert article.body == "Talks\n\nThe envoy said talks would resume.\n"


@pytest.mark.django_db
def test_bad_front_matter_is_reported(tmp_path, capsys):
    (tmp_path / "a.md").write_text("---\ndate: next week\n---\nText.\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("---\nauthor: me\n---\nText.\n", encoding="utf-8")
    assert ingest(tmp_path) == 1
    err = capsys.readouterr().err
    assert "a.md: front matter date 'next week' is not YYYY-MM-DD" in err
    assert "b.md: front matter line 'author: me' is not one of" in err
