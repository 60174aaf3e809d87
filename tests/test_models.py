import pytest
from django.db import IntegrityError, transaction

from statements.models import Article, Country, Quote


def make_article(body: str = "Body text.", digest: str = "a" * 64) -> Article:
    return Article.objects.create(title="T", body=body, content_hash=digest)


@pytest.mark.django_db
class TestConstraints:
    def test_content_hash_is_unique(self):
        make_article()
        with pytest.raises(IntegrityError), transaction.atomic():
            make_article(body="Other text.")

    def test_content_hash_must_be_sha256_hex(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            make_article(digest="not-a-hash")

    @pytest.mark.parametrize("start,end", [(5, 5), (6, 2)])
    def test_quote_start_must_precede_end(self, start, end):
        article = make_article()
        with pytest.raises(IntegrityError), transaction.atomic():
            Quote.objects.create(article=article, text="x", kind="direct", start=start, end=end)

    def test_cue_span_must_be_ordered(self):
        article = make_article()
        with pytest.raises(IntegrityError), transaction.atomic():
            Quote.objects.create(
                article=article, text="x", kind="direct", start=0, end=4, cue_start=3, cue_end=1
            )

    def test_country_code_is_two_capitals(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            Country.objects.create(code="u1", name="Nowhere")

    def test_countries_come_from_pycountry(self):
        # Loaded by a data migration; 249 ISO 3166-1 entries.
        assert Country.objects.count() >= 249
        assert Country.objects.get(code="TR").name
        assert "Ankara" in Country.objects.get(code="TR").aliases


@pytest.mark.django_db
def test_quote_queryset_filters_read_like_sentences():
    article = make_article()
    quote = Quote.objects.create(article=article, text="Body", kind="direct", start=0, end=4)
    quote.countries.add("TR")
    assert list(Quote.objects.visible().mentioning_country("tr").of_kind("direct")) == [quote]
    quote.is_deleted = True
    quote.save()
    assert not Quote.objects.visible().exists()
