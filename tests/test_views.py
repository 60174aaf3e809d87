import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

from statements.models import Article, Quote


@pytest.fixture
def quote(db):
    article = Article.objects.create(
        title="Summit ends", body='"We agree," she said.', content_hash="b" * 64
    )
    return Quote.objects.create(article=article, text="We agree,", kind="direct", start=1, end=10)


def test_statement_list_shows_statements(client, quote):
    response = client.get(reverse("statements:quote_list"))
    assert response.status_code == 200
    assert "We agree," in response.text
    assert "Summit ends" in response.text


def test_statement_list_empty_state(client, db):
    response = client.get(reverse("statements:quote_list"))
    assert "No statements" in response.text


def test_healthz(client, db):
    from statements.services.leases import worker_beat

    worker_beat(worker="host:1")  # a worker is alive
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_favicon_ico_redirects_to_the_static_icon(client, db):
    # Pages without base.html's <link rel="icon"> (healthz, the admin) make browsers ask.
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("favicon.svg")
    assert "max-age=86400" in response["Cache-Control"]
    assert finders.find("favicon.svg")
    assert client.post("/favicon.ico").status_code == 405
