import pytest
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
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
