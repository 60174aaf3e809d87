"""The upload page and the live article status."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import StopFutureHandlers
from django.test import Client
from django.urls import reverse

from statements.models import Article
from tests.curation_factories import ARTICLE_BODY, make_article, make_user, use_fake_pipeline

UPLOAD_URL = "/upload/"
DUMMY_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def staff(db):
    return make_user(staff=True)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def queued(settings):
    """Tasks are recorded, not run: what the page shows before a worker picks them up."""
    settings.TASKS = DUMMY_TASKS
    from django.tasks import default_task_backend

    default_task_backend.clear()
    return default_task_backend


def txt(name: str, content: str | bytes) -> SimpleUploadedFile:
    data = content.encode("utf-8") if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/plain")


# --- Permissions and CSRF ---------------------------------------------------------------


def test_anonymous_is_sent_to_the_login_page(client, db):
    response = client.get(UPLOAD_URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={UPLOAD_URL}"


def test_non_staff_is_forbidden(client, db):
    client.force_login(make_user())
    assert client.get(UPLOAD_URL).status_code == 403
    assert client.post(UPLOAD_URL, {"text": ARTICLE_BODY}).status_code == 403
    assert not Article.objects.exists()


def test_staff_sees_the_form(staff_client):
    response = staff_client.get(UPLOAD_URL)
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.text
    assert 'name="files"' in response.text and "multiple" in response.text
    assert "curation.css" in response.text


def test_upload_post_needs_the_csrf_token(staff, queued):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    assert client.post(UPLOAD_URL, {"text": ARTICLE_BODY}).status_code == 403
    assert not Article.objects.exists()

    client.get(UPLOAD_URL)  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(UPLOAD_URL, {"text": ARTICLE_BODY, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Article.objects.count() == 1


# --- Uploading ---------------------------------------------------------------------------


def test_upload_one_file_stores_a_pending_article_and_queues_it(staff_client, staff, queued):
    response = staff_client.post(
        UPLOAD_URL,
        {"files": [txt("summit.txt", ARTICLE_BODY)], "source_name": "Daily Sabah"},
        follow=True,
    )
    assert response.status_code == 200
    article = Article.objects.get()
    assert article.status == Article.Status.PENDING
    assert article.title == "Ministers meet in Brussels"
    assert article.body == ARTICLE_BODY.removeprefix("Ministers meet in Brussels\n\n")
    assert article.source_name == "Daily Sabah"
    assert article.uploaded_by == staff
    [result] = queued.results
    assert result.task.name == "annotate_article_task"
    assert result.args == [article.pk]
    assert f"summit.txt: stored as article {article.pk}" in response.text
    assert "Queued for annotation" in response.text
    # The recent uploads poll while something is pending.
    assert 'hx-trigger="every 2s"' in response.text


def test_upload_by_paste_with_details(staff_client, queued):
    staff_client.post(
        UPLOAD_URL,
        {
            "text": ARTICLE_BODY.replace("\n", "\r\n"),
            "title": "Talks to resume",
            "source_name": "Wire",
            "url": "https://example.org/talks",
            "published": "2019-02-15",
        },
    )
    article = Article.objects.get()
    assert article.title == "Talks to resume"
    # Browsers send textarea line breaks as CRLF; the text typed had plain line breaks.
    # The first line is not the title given, so it is not a repeated headline: it stays.
    assert article.body == ARTICLE_BODY
    assert article.url == "https://example.org/talks"
    assert article.published == dt.date(2019, 2, 15)
    assert article.status == Article.Status.PENDING


def test_upload_many_files_at_once_reports_each(staff_client, queued):
    response = staff_client.post(
        UPLOAD_URL,
        {
            "files": [
                txt("one.txt", ARTICLE_BODY),
                txt("two.md", "# Second story\n\nThe envoy said talks would resume.\n"),
                SimpleUploadedFile(
                    "three.html",
                    b"<html><body><h1>Third</h1><p>She said no.</p></body></html>",
                    content_type="text/html",
                ),
                txt("notes.pdf", b"%PDF-1.4"),
            ]
        },
        follow=True,
    )
    titles = set(Article.objects.values_list("title", flat=True))
    assert titles == {"Ministers meet in Brussels", "Second story", "Third"}
    assert len(queued.results) == 3
    assert "notes.pdf: not stored, unsupported file type .pdf" in response.text


def test_duplicate_upload_links_to_the_stored_article(staff_client, queued):
    staff_client.post(UPLOAD_URL, {"files": [txt("a.txt", ARTICLE_BODY)]})
    article = Article.objects.get()
    # Same content with other line endings and spacing is the same article.
    again = ARTICLE_BODY.replace("\n", "\r\n").replace("Jane Doe", "Jane  Doe")
    response = staff_client.post(UPLOAD_URL, {"files": [txt("b.txt", again)]}, follow=True)
    assert Article.objects.count() == 1
    assert len(queued.results) == 1
    assert "b.txt: already stored as" in response.text
    assert f'<a href="/articles/{article.pk}/">article {article.pk}' in response.text


def test_oversized_file_is_refused_with_the_sizes(staff_client, settings, queued):
    settings.NEWSROOM_MAX_ARTICLE_BYTES = 1000
    response = staff_client.post(UPLOAD_URL, {"files": [txt("big.txt", "word " * 1000)]})
    assert response.status_code == 400
    assert "big.txt: too large (5,000 bytes; the limit is 1,000)" in response.text
    assert not Article.objects.exists()


def test_oversized_paste_is_refused(staff_client, settings, queued):
    settings.NEWSROOM_MAX_ARTICLE_BYTES = 1000
    response = staff_client.post(UPLOAD_URL, {"text": "Title\n" + "word " * 1000})
    assert response.status_code == 400
    assert "Pasted text: too large" in response.text
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("report.pdf", b"%PDF-1.4 ...", "unsupported file type .pdf"),
        ("noext", b"Some text", "unsupported file type (none)"),
        ("huge.pdf", b"%PDF" * 1000, "unsupported file type .pdf"),
        ("latin1.txt", "Le ministre a déclaré « non ».".encode("latin-1"), "not valid UTF-8"),
        ("empty.txt", b"", "the file is empty"),
    ],
)
def test_wrong_files_are_refused_by_name(staff_client, queued, name, data, reason):
    response = staff_client.post(UPLOAD_URL, {"files": [txt(name, data)]})
    assert response.status_code == 400
    assert f"{name}: {reason}" in response.text
    assert not Article.objects.exists()


def test_nothing_to_upload_is_a_clear_error(staff_client, queued):
    response = staff_client.post(UPLOAD_URL, {"text": "   ", "title": "x"})
    assert response.status_code == 400
    assert "Choose one or more files, or paste the text" in response.text


def test_title_needs_a_single_article(staff_client, queued):
    response = staff_client.post(
        UPLOAD_URL,
        {"files": [txt("a.txt", ARTICLE_BODY), txt("b.txt", "Other\n\nText.\n")], "title": "T"},
    )
    assert response.status_code == 400
    assert "A title or URL describes one article" in response.text
    assert not Article.objects.exists()


def test_path_in_a_file_name_is_harmless(staff_client, queued, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    response = staff_client.post(
        UPLOAD_URL, {"files": [txt("../../etc/evil.txt", ARTICLE_BODY)]}, follow=True
    )
    assert Article.objects.count() == 1
    assert "evil.txt: stored as article" in response.text
    assert "../" not in response.text
    assert list(tmp_path.rglob("*")) == []  # nothing written anywhere near


def test_uploaded_bytes_never_reach_the_disk(settings):
    from statements.uploads import BoundedMemoryUploadHandler

    assert settings.FILE_UPLOAD_HANDLERS == ["statements.uploads.BoundedMemoryUploadHandler"]
    settings.NEWSROOM_MAX_ARTICLE_BYTES = 10
    handler = BoundedMemoryUploadHandler()
    with pytest.raises(StopFutureHandlers):  # no other handler sees the file
        handler.new_file("files", "a.txt", "text/plain", 100)
    for chunk in (b"x" * 8, b"y" * 8, b"z" * 8):
        assert handler.receive_data_chunk(chunk, 0) is None
    uploaded = handler.file_complete(24)
    assert uploaded.size == 24  # as sent, for the error message
    assert uploaded.read() == b"x" * 8 + b"yyy"  # only the limit plus one byte kept


def test_upload_is_audited(staff_client, staff, queued):
    staff_client.post(UPLOAD_URL, {"text": ARTICLE_BODY})
    article = Article.objects.get()
    entry = LogEntry.objects.get()
    assert entry.user == staff
    assert entry.action_flag == ADDITION
    assert entry.object_id == str(article.pk)
    assert "Uploaded via the upload page" in entry.change_message


def test_upload_is_annotated_by_the_task(staff_client, monkeypatch):
    """With the immediate backend the task runs at once: pending becomes annotated."""
    use_fake_pipeline(monkeypatch)
    response = staff_client.post(UPLOAD_URL, {"text": ARTICLE_BODY}, follow=True)
    article = Article.objects.get()
    assert article.status == Article.Status.ANNOTATED
    assert list(article.quotes.values_list("text", flat=True)) == ["We will keep talking,"]
    assert "Annotated" in response.text
    assert 'hx-trigger="every 2s"' not in response.text  # nothing left to poll for


def test_recent_uploads_fragment_for_htmx(staff_client, staff):
    make_article(status=Article.Status.ANNOTATING, uploaded_by=staff)
    response = staff_client.get(UPLOAD_URL, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<section class="recent-uploads"')
    assert "Annotating" in response.text
    assert 'hx-trigger="every 2s"' in response.text
    assert "HX-Request" in response["Vary"]


# --- Article status fragment --------------------------------------------------------------


@pytest.mark.parametrize("status", [Article.Status.PENDING, Article.Status.ANNOTATING])
def test_status_polls_while_in_progress(client, db, status):
    article = make_article(status=status)
    response = client.get(f"/articles/{article.pk}/status/")
    assert response.status_code == 200
    assert f'hx-get="/articles/{article.pk}/status/"' in response.text
    assert 'hx-trigger="every 2s"' in response.text
    assert "HX-Refresh" not in response


def test_status_stops_polling_when_done(client, db):
    article = make_article(status=Article.Status.ANNOTATED)
    response = client.get(f"/articles/{article.pk}/status/")
    assert "Annotated" in response.text
    assert "hx-trigger" not in response.text


def test_status_on_the_article_page_reloads_it_when_done(client, db):
    article = make_article(status=Article.Status.PENDING)
    url = f"/articles/{article.pk}/status/?refresh=1"
    response = client.get(url, headers={"HX-Request": "true"})
    assert "HX-Refresh" not in response
    assert f'hx-get="/articles/{article.pk}/status/?refresh=1"' in response.text
    Article.objects.filter(pk=article.pk).update(status=Article.Status.ANNOTATED)
    assert client.get(url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"


def test_failed_status_shows_the_error_to_staff_only(client, db):
    article = make_article(status=Article.Status.FAILED, error="RuntimeError: <boom>")
    response = client.get(f"/articles/{article.pk}/status/")
    assert "Annotation failed" in response.text
    assert "boom" not in response.text
    client.force_login(make_user(staff=True))
    response = client.get(f"/articles/{article.pk}/status/")
    assert "RuntimeError: &lt;boom&gt;" in response.text  # escaped


def test_status_of_a_missing_article_is_404(client, db):
    assert client.get("/articles/999/status/").status_code == 404


def test_failed_annotation_is_shown_and_retried_from_the_admin(client, monkeypatch, db):
    editor = make_user(superuser=True)
    client.force_login(editor)
    use_fake_pipeline(monkeypatch, fail=True)
    page = client.post(UPLOAD_URL, {"text": ARTICLE_BODY}, follow=True)
    article = Article.objects.get()
    assert article.status == Article.Status.FAILED
    assert "Annotation failed: <span" in page.text
    assert "RuntimeError: pipeline exploded" in page.text
    assert "Annotation failed" in client.get(f"/articles/{article.pk}/status/").text

    use_fake_pipeline(monkeypatch)
    client.post(
        "/admin/statements/article/",
        {"action": "retry_annotation", "_selected_action": [article.pk]},
    )
    article.refresh_from_db()
    assert article.status == Article.Status.ANNOTATED
    assert "Annotated" in client.get(f"/articles/{article.pk}/status/").text
    assert article.quotes.count() == 1
