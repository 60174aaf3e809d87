"""Curation services used by the upload page, the task and the admin."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError

from statements.models import Article
from statements.services import curation
from statements.services.ingest import article_upload
from statements.textio import ArticleText
from tests.curation_factories import ARTICLE_BODY, make_article, make_quote, make_speaker, make_user


def test_span_find_picks_the_occurrence_nearest_the_start():
    body = "He said yes. Then he said yes again."
    assert curation.span_find(body=body, text="said yes", near=20) == (21, 29)
    assert curation.span_find(body=body, text=" said yes ", near=0) == (3, 11)
    with pytest.raises(ValueError, match="appear 2 times"):
        curation.span_find(body=body, text="said yes")
    with pytest.raises(ValueError, match="not in the article"):
        curation.span_find(body=body, text="said no")


@pytest.mark.django_db
def test_quote_update_rederives_text_and_refuses_bad_spans():
    user = make_user(staff=True)
    article = make_article(body=ARTICLE_BODY)
    quote = make_quote(article=article, text="We will keep talking,")
    with pytest.raises(ValidationError) as info:
        curation.quote_update(quote=quote, user=user, end=len(ARTICLE_BODY) + 1)
    assert "outside the article text" in str(info.value)
    quote.refresh_from_db()
    assert not quote.verified

    curation.quote_update(quote=quote, user=user, start=quote.start + 3)
    quote.refresh_from_db()
    assert quote.text == "will keep talking,"
    assert (quote.verified, quote.verified_by) == (True, user)
    with pytest.raises(TypeError, match="not correctable: text"):
        curation.quote_update(quote=quote, user=user, text="made up")


@pytest.mark.django_db
def test_quotes_delete_is_a_verified_tombstone():
    user = make_user(staff=True)
    quote = make_quote(article=make_article(body=ARTICLE_BODY), text="We will keep talking,")
    assert curation.quotes_delete(quotes=[quote], user=user) == 1
    quote.refresh_from_db()
    assert (quote.is_deleted, quote.verified, quote.verified_by) == (True, True, user)


@pytest.mark.django_db
def test_a_speaker_cannot_be_merged_into_itself():
    speaker = make_speaker()
    with pytest.raises(ValueError):
        curation.speakers_merge(keep=speaker, merge=speaker, user=make_user(staff=True))


@pytest.mark.django_db
def test_merge_fills_blanks_but_keeps_what_the_kept_speaker_knows():
    keep = make_speaker(name="Jens Stoltenberg", role="Secretary General")
    merge = make_speaker(name="Stoltenberg", role="NATO chief", kind="person")
    merged = curation.speakers_merge(keep=keep, merge=merge, user=make_user(staff=True))
    assert merged.role == "Secretary General"
    assert list(merged.aliases.values_list("name", flat=True)) == ["Stoltenberg"]


@pytest.mark.django_db
def test_a_duplicate_upload_is_neither_queued_nor_logged(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    from django.tasks import default_task_backend

    default_task_backend.clear()
    user = make_user(staff=True)
    text = ArticleText(title="T", body=ARTICLE_BODY)
    first = article_upload(text=text, user=user)
    again = article_upload(text=text, user=user)
    assert first.created and not again.created
    assert again.article == first.article
    assert len(default_task_backend.results) == 1
    assert LogEntry.objects.count() == 1
    assert Article.objects.get().status == Article.Status.PENDING
