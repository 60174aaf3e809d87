"""Staff corrections in the admin: statements, speakers, articles, and the audit trail."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from statements.models import Article, Country, Quote, Speaker, SpeakerAlias, Topic
from tests.conftest import SEED_FILE
from tests.curation_factories import (
    ARTICLE_BODY,
    make_article,
    make_quote,
    make_speaker,
    make_user,
    use_fake_pipeline,
)

QUOTES = "/admin/statements/quote/"
SPEAKERS = "/admin/statements/speaker/"
ARTICLES = "/admin/statements/article/"


@pytest.fixture
def editor(db):
    return make_user(superuser=True, username="editor")


@pytest.fixture
def admin_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def article(db):
    return make_article(body=ARTICLE_BODY)


@pytest.fixture
def quote(article):
    return make_quote(article=article, text="We will keep talking,", speaker=make_speaker())


def quote_form(quote: Quote, **changes) -> dict:
    """The change form's data as the admin would post it, with changes."""
    data = {
        "speaker": quote.speaker_id or "",
        "kind": quote.kind,
        "start": quote.start,
        "end": quote.end,
        "cue_start": "" if quote.cue_start is None else quote.cue_start,
        "cue_end": "" if quote.cue_end is None else quote.cue_end,
        "mention_start": "" if quote.mention_start is None else quote.mention_start,
        "mention_end": "" if quote.mention_end is None else quote.mention_end,
        "countries": [c.pk for c in quote.countries.all()],
        "topics": [t.pk for t in quote.topics.all()],
    }
    data.update(changes)
    return data


# --- Correcting a statement --------------------------------------------------------------


def test_editing_a_statement_verifies_it_and_rederives_the_text(admin_client, editor, quote):
    body = quote.article.body
    new_speaker = make_speaker(name="Jane Doe")
    start = body.index("We will keep talking")
    end = start + len("We will keep talking")  # drop the comma
    country = Country.objects.get(code="BE")
    topic = Topic.objects.first()
    response = admin_client.post(
        f"{QUOTES}{quote.pk}/change/",
        quote_form(
            quote,
            speaker=new_speaker.pk,
            start=start,
            end=end,
            kind="indirect",
            countries=[country.pk],
            topics=[topic.pk],
            mention_start=body.index("Jane Doe"),
            mention_end=body.index("Jane Doe") + 8,
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    quote.refresh_from_db()
    assert quote.speaker == new_speaker
    assert quote.text == "We will keep talking"
    assert quote.kind == "indirect"
    assert quote.mention_text == "Jane Doe"
    assert list(quote.countries.all()) == [country]
    assert list(quote.topics.all()) == [topic]
    assert quote.verified and quote.verified_by == editor and quote.verified_at
    entry = LogEntry.objects.get(object_id=str(quote.pk))
    assert entry.action_flag == CHANGE and entry.user == editor
    assert "Speaker" in entry.get_change_message()


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (10, 10_000, "outside the article text"),
        (40, 30, "must end after it starts"),
        (26, 28, "only white space"),
    ],
)
def test_a_span_that_does_not_fit_the_article_is_refused(admin_client, quote, start, end, message):
    response = admin_client.post(
        f"{QUOTES}{quote.pk}/change/", quote_form(quote, start=start, end=end)
    )
    assert response.status_code == 200
    assert message in response.text
    quote.refresh_from_db()
    assert not quote.verified
    assert quote.text == "We will keep talking,"


def test_adding_a_missed_statement(admin_client, editor, article):
    body = article.body
    start = body.index("the talks would resume")
    end = start + len("the talks would resume in March")
    speaker = make_speaker(name="Jane Doe")
    response = admin_client.post(
        f"{QUOTES}add/",
        {
            "article": article.pk,
            "speaker": speaker.pk,
            "kind": "indirect",
            "start": start,
            "end": end,
        },
    )
    assert response.status_code == 302
    added = Quote.objects.get(article=article)
    assert added.text == "the talks would resume in March"
    assert added.verified and added.verified_by == editor
    assert LogEntry.objects.get(object_id=str(added.pk)).action_flag == ADDITION


def test_add_form_is_prefilled_from_the_article_link(admin_client, article):
    response = admin_client.get(f"{QUOTES}add/?article={article.pk}")
    assert response.status_code == 200
    assert f'<option value="{article.pk}" selected>' in response.text


def test_deleting_a_statement_is_a_soft_delete(admin_client, editor, quote):
    page = admin_client.get(f"{QUOTES}{quote.pk}/delete/")
    assert "re-annotating the article does not bring it back" in page.text
    response = admin_client.post(f"{QUOTES}{quote.pk}/delete/", {"post": "yes"}, follow=True)
    assert response.redirect_chain[-1][0] == QUOTES
    quote.refresh_from_db()
    assert quote.is_deleted
    assert quote.verified and quote.verified_by == editor
    assert LogEntry.objects.get(object_id=str(quote.pk)).action_flag == DELETION

    # Hidden from the default list, shown when asked for.
    assert "We will keep talking" not in admin_client.get(QUOTES).text
    assert "We will keep talking" in admin_client.get(QUOTES + "?deleted=yes").text
    assert "We will keep talking" in admin_client.get(QUOTES + "?deleted=all").text


def test_bulk_delete_is_soft_too(admin_client, article):
    quotes = [
        make_quote(article=article, text="We will keep talking,"),
        make_quote(article=article, text="the talks would resume in March"),
    ]
    response = admin_client.post(
        QUOTES,
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [q.pk for q in quotes], "post": "yes"},
    )
    assert response.status_code == 302
    assert Quote.objects.filter(is_deleted=True).count() == 2


def test_verified_and_deleted_statements_survive_reannotation_from_the_admin(
    admin_client, editor, monkeypatch
):
    """The admin's re-annotate action, with the real pipeline on the seed article."""
    call_command("ingest", str(SEED_FILE), "--no-progress")
    article = Article.objects.get()
    first, second = article.quotes.order_by("position")[:2]
    # Staff correct one statement (speaker and kind) and delete another, in the admin.
    other = make_speaker(name="Somebody Else")
    edited = admin_client.post(
        f"{QUOTES}{first.pk}/change/", quote_form(first, speaker=other.pk, kind="mixed")
    )
    assert edited.status_code == 302
    assert admin_client.post(f"{QUOTES}{second.pk}/delete/", {"post": "yes"}).status_code == 302
    count = article.quotes.count()

    response = admin_client.post(
        ARTICLES, {"action": "reannotate", ACTION_CHECKBOX_NAME: [article.pk]}, follow=True
    )
    assert "1 article queued for re-annotation" in response.text
    article.refresh_from_db()
    assert article.status == Article.Status.ANNOTATED
    first.refresh_from_db()
    assert (first.speaker, first.kind, first.verified) == (other, "mixed", True)
    assert Quote.objects.get(pk=second.pk).is_deleted
    spans = list(article.quotes.values_list("start", "end"))
    assert spans.count((second.start, second.end)) == 1  # the deleted one did not come back
    assert article.quotes.count() == count

    # And the same through `ingest --reannotate`.
    call_command("ingest", "--reannotate", "--no-progress")
    first.refresh_from_db()
    assert (first.speaker, first.kind) == (other, "mixed")
    assert Quote.objects.get(pk=second.pk).is_deleted
    assert article.quotes.count() == count
    assert LogEntry.objects.filter(
        object_id=str(article.pk), change_message="Re-annotation queued."
    ).exists()


def test_retry_annotation_action_only_takes_failed_articles(admin_client, monkeypatch):
    calls = use_fake_pipeline(monkeypatch)
    failed = make_article(status=Article.Status.FAILED, error="RuntimeError: boom")
    done = make_article(status=Article.Status.ANNOTATED)
    response = admin_client.post(
        ARTICLES,
        {"action": "retry_annotation", ACTION_CHECKBOX_NAME: [failed.pk, done.pk]},
        follow=True,
    )
    assert "1 failed article queued for annotation; 1 not failed, left alone." in response.text
    failed.refresh_from_db()
    assert failed.status == Article.Status.ANNOTATED and failed.error == ""
    assert len(calls) == 1
    assert LogEntry.objects.filter(object_id=str(failed.pk), action_flag=CHANGE).exists()


# --- Speakers --------------------------------------------------------------------------


def test_merging_speakers(admin_client, editor, article):
    keep = make_speaker(name="Jens Stoltenberg")
    SpeakerAlias.objects.create(speaker=keep, name="Stoltenberg", search_name="stoltenberg")
    merge = make_speaker(name="Jens Stoltenburg", role="NATO Secretary General")
    SpeakerAlias.objects.create(speaker=merge, name="Stoltenberg", search_name="stoltenberg")
    SpeakerAlias.objects.create(speaker=merge, name="the NATO chief", search_name="the nato chief")
    q1 = make_quote(article=article, text="We will keep talking,", speaker=merge)
    q2 = make_quote(article=article, text="the talks would resume in March", speaker=keep)

    # The action first asks which speaker to keep...
    selected = {"action": "merge_speakers", ACTION_CHECKBOX_NAME: [keep.pk, merge.pk]}
    page = admin_client.post(SPEAKERS, selected)
    assert page.status_code == 200
    assert "Choose the speaker to keep" in page.text
    # ...then merges.
    response = admin_client.post(SPEAKERS, {**selected, "keep": keep.pk, "apply": "1"}, follow=True)
    assert "Merged Jens Stoltenburg into Jens Stoltenberg." in response.text

    assert not Speaker.objects.filter(pk=merge.pk).exists()
    assert set(Quote.objects.values_list("speaker", flat=True)) == {keep.pk}
    assert {q1.pk, q2.pk} == set(keep.quotes.values_list("pk", flat=True))
    assert sorted(keep.aliases.values_list("name", flat=True)) == [
        "Jens Stoltenburg",
        "Stoltenberg",
        "the NATO chief",
    ]
    keep.refresh_from_db()
    assert keep.role == "NATO Secretary General"  # a blank filled from the merged speaker
    kept_log = LogEntry.objects.get(object_id=str(keep.pk))
    assert kept_log.action_flag == CHANGE and kept_log.user == editor
    assert "Merged speaker “Jens Stoltenburg”" in kept_log.change_message
    assert "1 statement moved, 2 aliases added" in kept_log.change_message
    assert LogEntry.objects.get(object_id=str(merge.pk)).action_flag == DELETION


def test_merged_name_resolves_to_the_kept_speaker_on_reannotation(db):
    from statements.nlp.types import SpeakerProfile
    from statements.services.curation import speakers_merge
    from statements.services.speakers import speaker_for_profile

    keep, merge = make_speaker(name="Recep Tayyip Erdoğan"), make_speaker(name="Erdogan")
    speakers_merge(keep=keep, merge=merge, user=make_user(staff=True))
    assert speaker_for_profile(profile=SpeakerProfile(name="Erdogan")) == keep


def test_merge_needs_two_speakers(admin_client):
    one = make_speaker()
    response = admin_client.post(
        SPEAKERS, {"action": "merge_speakers", ACTION_CHECKBOX_NAME: [one.pk]}, follow=True
    )
    assert "Select two or more speakers to merge." in response.text
    assert Speaker.objects.filter(pk=one.pk).exists()


def test_speaker_page_lists_aliases_inline_and_folds_new_ones(admin_client):
    speaker = make_speaker(name="Recep Tayyip Erdoğan")
    SpeakerAlias.objects.create(speaker=speaker, name="Erdoğan", search_name="erdogan")
    page = admin_client.get(f"{SPEAKERS}{speaker.pk}/change/")
    assert 'value="Erdoğan"' in page.text
    assert "Erdoğan" in admin_client.get(SPEAKERS).text  # in the list's alias column


# --- Articles --------------------------------------------------------------------------


def test_admin_add_article_from_text_queues_it(admin_client, editor, monkeypatch):
    use_fake_pipeline(monkeypatch)
    response = admin_client.post(
        f"{ARTICLES}add/", {"text": ARTICLE_BODY, "source_name": "Wire", "title": ""}
    )
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.uploaded_by == editor and article.source_name == "Wire"
    assert article.status == Article.Status.ANNOTATED  # the immediate backend ran the task
    [entry] = LogEntry.objects.filter(object_id=str(article.pk))
    assert entry.action_flag == ADDITION and "via the admin" in entry.change_message


def test_admin_add_article_from_a_file_and_refuses_a_duplicate(admin_client, monkeypatch):
    use_fake_pipeline(monkeypatch)
    upload = SimpleUploadedFile("../story.md", ARTICLE_BODY.encode(), content_type="text/plain")
    assert admin_client.post(f"{ARTICLES}add/", {"file": upload}).status_code == 302
    article = Article.objects.get()
    response = admin_client.post(f"{ARTICLES}add/", {"text": ARTICLE_BODY})
    assert response.status_code == 200
    assert f'already stored as <a href="{ARTICLES}{article.pk}/change/">' in response.text
    assert Article.objects.count() == 1


def test_admin_add_article_refuses_a_wrong_file(admin_client, settings):
    settings.NEWSROOM_MAX_ARTICLE_BYTES = 100
    upload = SimpleUploadedFile("big.txt", b"word " * 100, content_type="text/plain")
    response = admin_client.post(f"{ARTICLES}add/", {"file": upload})
    assert "too large (500 bytes; the limit is 100)" in response.text
    assert not Article.objects.exists()


# --- Lists, links, audit -----------------------------------------------------------------


def test_list_pages_search_filter_and_count(admin_client, quote):
    quote.countries.add("BE")
    checks = {
        QUOTES: "We will keep talking",
        QUOTES + "?q=keep+talking": "We will keep talking",
        QUOTES + f"?q={quote.speaker.name.replace(' ', '+')}": "We will keep talking",
        QUOTES + "?kind__exact=direct&verified__exact=0&countries__code__exact=BE": "1 statement",
        ARTICLES + "?status__exact=annotated": "Ministers meet in Brussels",
        SPEAKERS + "?q=" + quote.speaker.name.split()[0]: quote.speaker.name,
        "/admin/admin/logentry/": "Log entries",
    }
    for url, expected in checks.items():
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert expected in response.text, url
    assert admin_client.get(QUOTES + "?q=zzz").context["cl"].result_count == 0
    # Facet counts beside the filters.
    assert "verified__exact=0" in admin_client.get(QUOTES).text
    assert admin_client.get(QUOTES + "?kind__exact=mixed").context["cl"].result_count == 0


def test_statement_links_to_its_place_on_the_article_page(admin_client, quote):
    anchor = f'href="/articles/{quote.article_id}/#q{quote.pk}"'
    assert anchor in admin_client.get(QUOTES).text
    change = admin_client.get(f"{QUOTES}{quote.pk}/change/").text
    assert anchor in change
    assert "<mark>We will keep talking,</mark>" in change  # the statement in its context


def test_article_text_is_escaped_in_the_admin(admin_client):
    body = 'Title <b>bold</b>\n\n"<script>alert(1)</script>," she said.\n'
    article = make_article(body=body)
    quote = make_quote(article=article, text="<script>alert(1)</script>,")
    page = admin_client.get(f"{QUOTES}{quote.pk}/change/").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_audit_log_is_read_only(admin_client, quote, editor):
    LogEntry.objects.log_actions(
        user_id=editor.pk, queryset=[quote], action_flag=CHANGE, change_message="x"
    )
    entry = LogEntry.objects.get()
    assert admin_client.get("/admin/admin/logentry/").status_code == 200
    assert admin_client.get(f"/admin/admin/logentry/{entry.pk}/change/").status_code == 200
    assert admin_client.post(f"/admin/admin/logentry/{entry.pk}/delete/").status_code == 403


def test_a_missed_statement_can_be_added_by_its_words(admin_client, article):
    response = admin_client.post(
        f"{QUOTES}add/",
        {"article": article.pk, "kind": "indirect", "find_text": " the talks would resume "},
    )
    assert response.status_code == 302
    added = Quote.objects.get(article=article)
    assert added.text == "the talks would resume"
    assert article.body[added.start : added.end] == added.text


@pytest.mark.parametrize(
    ("find_text", "message"),
    [("not in there", "not in the article text"), ("e", "appear")],
)
def test_words_that_cannot_be_placed_are_refused(admin_client, article, find_text, message):
    response = admin_client.post(
        f"{QUOTES}add/", {"article": article.pk, "kind": "direct", "find_text": find_text}
    )
    assert response.status_code == 200
    assert message in response.text
    assert not Quote.objects.exists()


def test_offsets_or_words_are_needed(admin_client, article):
    response = admin_client.post(f"{QUOTES}add/", {"article": article.pk, "kind": "direct"})
    assert response.status_code == 200
    assert "Give the offset, or find the text below." in response.text


def test_merging_three_speakers_at_once(admin_client, article):
    keep, b, c = (
        make_speaker(name=n) for n in ("Kay Bailey Hutchison", "Hutchison", "Kay Hutchinson")
    )
    make_quote(article=article, text="We will keep talking,", speaker=b)
    make_quote(article=article, text="the talks would resume in March", speaker=c)
    admin_client.post(
        SPEAKERS,
        {
            "action": "merge_speakers",
            ACTION_CHECKBOX_NAME: [keep.pk, b.pk, c.pk],
            "keep": keep.pk,
            "apply": "1",
        },
    )
    assert list(Speaker.objects.all()) == [keep]
    assert keep.quotes.count() == 2
    assert sorted(keep.aliases.values_list("name", flat=True)) == ["Hutchison", "Kay Hutchinson"]


def test_adding_a_speaker_in_the_admin_folds_names(admin_client):
    response = admin_client.post(
        f"{SPEAKERS}add/",
        {
            "name": "Recep Tayyip Erdoğan",
            "slug": "recep-tayyip-erdogan",
            "kind": "person",
            "role": "",
            "aliases-TOTAL_FORMS": "2",
            "aliases-INITIAL_FORMS": "0",
            "aliases-0-name": "Erdoğan",
            "aliases-1-name": "ERDOGAN",
        },
    )
    assert response.status_code == 200  # the second alias folds to the first
    assert "already a name or alias of this speaker" in response.text
    response = admin_client.post(
        f"{SPEAKERS}add/",
        {
            "name": "Recep Tayyip Erdoğan",
            "slug": "recep-tayyip-erdogan",
            "kind": "person",
            "role": "",
            "aliases-TOTAL_FORMS": "1",
            "aliases-INITIAL_FORMS": "0",
            "aliases-0-name": "Erdoğan",
        },
    )
    assert response.status_code == 302
    speaker = Speaker.objects.get()
    assert speaker.search_name == "recep tayyip erdogan"
    assert list(speaker.aliases.values_list("search_name", flat=True)) == ["erdogan"]


# --- Topics ------------------------------------------------------------------------------


def test_topic_terms_are_edited_one_per_line_and_reach_the_pipeline(admin_client):
    topic = Topic.objects.get(slug="elections")
    assert "election" in topic.keywords and "vote" in topic.weak_keywords  # defaults loaded
    page = admin_client.get(f"/admin/statements/topic/{topic.pk}/change/")
    assert "Weak terms" in page.text
    response = admin_client.post(
        f"/admin/statements/topic/{topic.pk}/change/",
        {
            "name": "Elections",
            "slug": "elections",
            "keywords": "election\n ballot box \n\nelection",
            "weak_keywords": "vote\r\ncandidate",
        },
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.keywords == ["election", "ballot box"]
    assert topic.weak_keywords == ["vote", "candidate"]
    from statements.services.reference import topic_rules

    rule = next(r for r in topic_rules() if r.slug == "elections")
    assert rule.keywords == ["election", "ballot box"] and rule.weak == ["vote", "candidate"]
