"""Scale: the fake corpus, full-text search, batched saves, parallel and queued ingest."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import connection

from statements.models import Article, Quote, Speaker, SpeakerAlias
from statements.nlp.types import Annotation, QuoteAnnotation, SpeakerProfile
from statements.search import ensure_search_index, fts5_query, quote_text_search
from statements.services.annotation_store import annotation_save_batch
from tests.conftest import PROJECT_DIR

ARTICLES = {
    "summit.txt": (
        "Summit ends without a deal\n\n"
        '"We will keep talking," NATO Secretary General Jens Stoltenberg said on Monday.\n\n'
        "Stoltenberg added that sanctions on Russia would stay in place.\n"
    ),
    "ankara.txt": (
        "Ankara defends purchase\n\n"
        '"This is a sovereign decision," Turkish President Recep Tayyip Erdoğan told '
        "reporters.\n\nErdoğan said the talks with Washington would continue.\n"
    ),
    "trade.txt": (
        "Trade talks stall\n\n"
        '"Tariffs hurt everyone," the EU trade commissioner said, warning of retaliation.\n'
    ),
}


def write_articles(folder, articles=ARTICLES):
    folder.mkdir(exist_ok=True)
    for name, text in articles.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def stored_output() -> list[tuple]:
    """Everything an ingest stores, without ids and timestamps."""
    quotes = Quote.objects.order_by("article__content_hash", "position").values_list(
        "article__content_hash",
        "position",
        "start",
        "end",
        "text",
        "kind",
        "cue_start",
        "cue_end",
        "mention_start",
        "mention_end",
        "speaker__slug",
    )
    speakers = Speaker.objects.order_by("slug").values_list(
        "slug", "name", "kind", "role", "country_id", "organisation__name"
    )
    aliases = SpeakerAlias.objects.order_by("speaker__slug", "search_name").values_list(
        "speaker__slug", "search_name"
    )
    links = Quote.countries.through.objects.order_by(
        "quote__article__content_hash", "quote__position", "country_id"
    ).values_list("quote__article__content_hash", "quote__position", "country_id")
    return [*quotes, *speakers, *aliases, *links]


# --- make_fake_corpus ---------------------------------------------------------------


@pytest.mark.django_db
def test_fake_corpus_is_consistent_and_searchable(capsys):
    call_command("make_fake_corpus", statements=300, articles=60, speakers=40, topics=12, seed=3)
    assert "60 articles, 300 statements, 40 speakers" in capsys.readouterr().out
    assert Article.objects.count() == 60
    assert Quote.objects.count() == 300
    assert Speaker.objects.count() == 40
    # Every person has a name alias (a surname; some initials too), never a role noun.
    assert SpeakerAlias.objects.count() >= 40
    assert not SpeakerAlias.objects.filter(name__istartswith="the ").exists()
    assert Quote.objects.filter(speaker__isnull=True).exists()
    assert Quote.topics.through.objects.exists() and Quote.countries.through.objects.exists()
    dates = Article.objects.values_list("published", flat=True)
    assert (max(dates) - min(dates)).days > 365 * 3
    # Offsets point into the article text, as the pipeline's do.
    for quote in Quote.objects.select_related("article"):
        body = quote.article.body
        assert body[quote.start : quote.end] == quote.text
        assert body[quote.cue_start : quote.cue_end] == quote.cue_text
        if quote.mention_start is not None:
            assert body[quote.mention_start : quote.mention_end] == quote.mention_text
    # Accented names fold for search.
    assert Speaker.objects.exclude(search_name__regex=r"^[a-z0-9 ]+$").count() == 0
    # The search index was filled by the bulk insert.
    assert quote_text_search(Quote.objects.all(), "talks OR dialogue OR sanctions").exists()

    call_command("make_fake_corpus", statements=10, articles=5, speakers=3, flush=True)
    assert (Article.objects.count(), Quote.objects.count(), Speaker.objects.count()) == (5, 10, 3)


@pytest.mark.django_db
def test_fake_corpus_refuses_to_mix_with_real_data():
    call_command("make_fake_corpus", statements=5, articles=2, speakers=2)
    with pytest.raises(Exception, match="--flush"):
        call_command("make_fake_corpus", statements=5, articles=2, speakers=2)


# --- full-text search ------------------------------------------------------------------


def make_quotes(*texts: str) -> list[Quote]:
    body = "\n".join(texts)
    digest = f"{Article.objects.count() + 1:064x}"
    article = Article.objects.create(title="T", body=body, content_hash=digest)
    quotes, start = [], 0
    for i, text in enumerate(texts):
        quotes.append(
            Quote.objects.create(
                article=article,
                text=text,
                kind="direct",
                start=start,
                end=start + len(text),
                position=i,
            )
        )
        start += len(text) + 1
    return quotes


def found(q: str, **kwargs) -> set[str]:
    return set(quote_text_search(Quote.objects.all(), q, **kwargs).values_list("text", flat=True))


@pytest.mark.django_db
def test_text_search_words_stems_phrases_exclusions_and_or():
    make_quotes(
        "The sanctions will stay in place",
        "We imposed a sanction on the bank",
        "Talks on the ceasefire continue",
        "The ceasefire holds, troops withdraw",
    )
    assert found("sanctions") == {
        "The sanctions will stay in place",
        "We imposed a sanction on the bank",
    }
    assert found('"ceasefire continue"') == {"Talks on the ceasefire continue"}
    assert found("ceasefire -troops") == {"Talks on the ceasefire continue"}
    assert found("bank or troops") == {
        "We imposed a sanction on the bank",
        "The ceasefire holds, troops withdraw",
    }
    assert found("") == found("   ") == {q.text for q in Quote.objects.all()}
    # User input never reaches the search engine as syntax.
    for nasty in ['"', "NEAR(", "a:b", "*", "-", "AND OR NOT", "'; DROP TABLE x; --"]:
        found(nasty)


@pytest.mark.django_db
def test_text_search_follows_edits_and_deletes():
    quote, other = make_quotes("Nothing about trade here", "Something else")
    assert not found("tariffs")
    Quote.objects.filter(pk=quote.pk).update(text="Tariffs hurt everyone")
    assert found("tariffs") == {"Tariffs hurt everyone"}
    Quote.objects.filter(pk=quote.pk).delete()
    assert not found("tariffs")
    assert found("something") == {"Something else"}


@pytest.mark.django_db
def test_text_search_can_match_speaker_names_folded():
    (quote,) = make_quotes("A sovereign decision")
    quote.speaker = Speaker.objects.create(
        name="Recep Tayyip Erdoğan", slug="erdogan", search_name="recep tayyip erdogan"
    )
    quote.save()
    assert not found("Erdoğan")
    assert found("Erdoğan", speaker_names=True) == {"A sovereign decision"}
    # Composes with other filters and inside subqueries (facets use pk__in=...).
    qs = quote_text_search(Quote.objects.visible().filter(kind="direct"), "sovereign")
    assert Quote.objects.filter(pk__in=qs.values("pk")).count() == 1


def test_fts5_query_quotes_every_word():
    assert fts5_query("nuclear talks") == '("nuclear" AND "talks")'
    assert fts5_query('"peace process" -war') == '(("peace process")) NOT ("war")'
    assert fts5_query("gas or oil") == '("gas") OR ("oil")'
    assert fts5_query('NEAR( " * ') == '("NEAR")'
    assert fts5_query("- * :") == ""


@pytest.mark.django_db
def test_sqlite_triggers_come_back_after_a_table_rebuild():
    if connection.vendor != "sqlite":
        pytest.skip("the FTS5 triggers are SQLite's")
    with connection.cursor() as cursor:  # what Django's table rebuild does to them
        for suffix in ("ai", "ad", "au"):
            cursor.execute(f"DROP TRIGGER statements_quote_fts_{suffix}")
    make_quotes("Ceasefire talks resume")
    assert not found("ceasefire")  # out of sync
    ensure_search_index(connection)  # run after every migrate (post_migrate)
    assert found("ceasefire") == {"Ceasefire talks resume"}
    make_quotes("Another ceasefire")
    assert len(found("ceasefire")) == 2


# --- batched saves ---------------------------------------------------------------------


def annotation_for(article: Article, speakers: list[SpeakerProfile], said: list[tuple]):
    quotes = []
    for text, speaker in said:
        start = article.body.index(text)
        quotes.append(
            QuoteAnnotation(
                start=start,
                end=start + len(text),
                text=text,
                kind="direct",
                cue=None,
                speaker=speaker,
                mention=None,
                countries=["TR"],
                topics=[],
            )
        )
    return Annotation(quotes=quotes, speakers=speakers)


def new_article(body: str, n: int) -> Article:
    return Article.objects.create(title=f"A{n}", body=body, content_hash=f"{n:064x}")


@pytest.mark.django_db
def test_batch_save_resolves_speakers_as_one_by_one_would():
    Speaker.objects.create(name="Kaja Kallas", slug="kaja-kallas", search_name="kaja kallas")
    articles = [new_article(f"Text {n}: we agree.", n) for n in range(3)]
    jens = SpeakerProfile(name="Jens Stoltenberg", aliases=["Stoltenberg"], country="NO")
    later = SpeakerProfile(name="Stoltenberg", role="NATO Secretary General")  # an alias
    kallas = SpeakerProfile(name="Kaja Kallas", role="High Representative", country="EE")
    failures = annotation_save_batch(
        items=[
            (articles[0], annotation_for(articles[0], [jens], [("we agree", 0)])),
            (articles[1], annotation_for(articles[1], [later, kallas], [("we agree", 0)])),
            (articles[2], annotation_for(articles[2], [kallas], [("we agree", 0)])),
        ]
    )
    assert failures == {}
    stoltenberg = Speaker.objects.get(slug="jens-stoltenberg")
    assert (stoltenberg.role, stoltenberg.country_id) == ("NATO Secretary General", "NO")
    assert Speaker.objects.count() == 2  # "Stoltenberg" is Jens, Kallas was there already
    assert Speaker.objects.get(slug="kaja-kallas").role == "High Representative"
    assert list(articles[1].quotes.values_list("speaker__slug", flat=True)) == ["jens-stoltenberg"]
    assert set(Article.objects.values_list("status", flat=True)) == {"annotated"}


@pytest.mark.django_db
def test_batch_save_queries_do_not_grow_with_the_batch(django_assert_max_num_queries):
    def batch(first: int, size: int):
        items = []
        for n in range(first, first + size):
            article = new_article(f"Story {n}: the talks go on.", n)
            people = [
                SpeakerProfile(
                    name=f"Person {n} {k}",
                    aliases=[f"P{n}{k}", f"Minister {n}{k}"],
                    role="Minister",
                    organisation="NATO",
                    country="FR",
                )
                for k in range(3)
            ]
            items.append((article, annotation_for(article, people, [("the talks go on", 1)])))
        return items

    small, large = batch(0, 2), batch(100, 16)
    with django_assert_max_num_queries(30) as small_ctx:
        assert annotation_save_batch(items=small) == {}
    with django_assert_max_num_queries(30) as large_ctx:
        assert annotation_save_batch(items=large) == {}
    assert len(large_ctx.captured_queries) <= len(small_ctx.captured_queries) + 2
    assert Speaker.objects.count() == 54 and SpeakerAlias.objects.count() == 108


@pytest.mark.django_db
def test_a_bad_annotation_fails_alone_and_corrections_survive():
    good, bad = new_article("One: we agree.", 1), new_article("Two: we differ.", 2)
    wrong = annotation_for(bad, [], [("we differ", None)])
    wrong.quotes[0].text = "not the text"
    failures = annotation_save_batch(
        items=[(good, annotation_for(good, [], [("we agree", None)])), (bad, wrong)]
    )
    assert list(failures) == [bad.pk]
    assert good.quotes.count() == 1 and not bad.quotes.exists()

    # Re-annotation keeps a verified statement and does not bring back a deleted one.
    kept = good.quotes.get()
    Quote.objects.filter(pk=kept.pk).update(verified=True, kind="mixed")
    annotation_save_batch(items=[(good, annotation_for(good, [], [("we agree", None)]))])
    assert list(good.quotes.values_list("pk", "kind")) == [(kept.pk, "mixed")]


# --- ingest --workers ------------------------------------------------------------------


@pytest.mark.django_db
def test_workers_store_the_same_as_one_process(tmp_path, capsys):
    folder = write_articles(tmp_path / "in")
    call_command("ingest", str(folder), "--no-progress", "--batch-size", "2")
    one = stored_output()
    assert "3 new, 0 already present, 0 failed" in capsys.readouterr().out
    assert any(row[-1] for row in one)  # some statements have speakers

    Quote.objects.all().delete()
    SpeakerAlias.objects.all().delete()
    Speaker.objects.all().delete()
    Article.objects.all().delete()
    call_command("ingest", str(folder), "--no-progress", "--batch-size", "2", "--workers", "2")
    assert "3 new, 0 already present, 0 failed" in capsys.readouterr().out
    assert stored_output() == one


# --- ingest --enqueue + db_worker processes ------------------------------------------


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host = db.get("HOST") or "127.0.0.1"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_two_workers_drain_one_queue_each_article_annotated_once(tmp_path, settings, capsys):
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    if connection.vendor == "sqlite" and ":memory:" in str(connection.settings_dict["NAME"]):
        pytest.skip("needs a database file the worker processes can open")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    articles = {
        # The headline is not stored in the body: the copies differ in their text.
        f"{n}_{name}": f"{text}\nFiled from desk {n}.\n"
        for n in range(2)
        for name, text in ARTICLES.items()
    }
    folder = write_articles(tmp_path / "queued", articles)
    call_command("ingest", str(folder), "--no-progress", "--enqueue")
    out = capsys.readouterr().out
    assert "6 new, 0 already present, 0 failed" in out and "6 queued" in out
    assert set(Article.objects.values_list("status", flat=True)) == {"pending"}
    # A second task for every article, as a double submission would make.
    from statements.tasks import annotate_article_task

    for pk in Article.objects.values_list("pk", flat=True):
        annotate_article_task.enqueue(pk)
    assert DBTaskResult.objects.count() == 12

    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
    }
    worker = [
        sys.executable,
        "manage.py",
        "db_worker",
        "--batch",
        "--no-reload",
        "--no-startup-delay",
        "--interval",
        "0",
        "-v",
        "0",
    ]
    procs = [
        subprocess.Popen(
            [*worker, "--worker-id", f"w{i}"],
            cwd=PROJECT_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for i in (1, 2)
    ]
    try:
        outputs = [p.communicate(timeout=120)[0].decode() for p in procs]
    finally:
        for p in procs:
            p.kill()
    assert [p.returncode for p in procs] == [0, 0], outputs

    results = list(DBTaskResult.objects.all())
    assert all(r.status == TaskResultStatus.SUCCESSFUL for r in results), outputs
    assert all(len(r.worker_ids) == 1 for r in results)  # each task claimed by one worker
    outcomes = sorted(r.return_value for r in results)
    errors = list(Article.objects.exclude(error="").values_list("error", flat=True))
    assert not errors, errors
    assert outcomes == ["annotated"] * 6 + ["skipped"] * 6  # each article annotated once
    assert set(Article.objects.values_list("status", flat=True)) == {"annotated"}
    assert Quote.objects.count() > 6


@pytest.mark.django_db
def test_facets_of_a_filter_that_matches_nothing_by_construction():
    """Found by the browse tests' hypothesis run: the facet cache key is the SQL, and a
    queryset that can match nothing has none."""
    from statements.selectors import quote_facets

    make_quotes("Something said")
    facets = quote_facets(queryset=quote_text_search(Quote.objects.all(), "- * :"))
    assert facets and all(values == [] for values in facets.values())
