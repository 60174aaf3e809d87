"""CSV and JSON twins of the statement lists: the same rows, every page, streamed.

Each row carries what a citation needs: the speaker's words (an interrupted quote without
the narration), who (role, country), the article (title, source, URL, date) and a link to
the statement. The JSON row keeps the fixed keys (docs/architecture.md, "Fixed
interfaces") and adds the others; the CSV is the same row flattened, with a byte-order
mark so that spreadsheets read it as UTF-8 ("Erdoğan", not "ErdoÄŸan").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import batched
from typing import NamedTuple

from django.db import connections, transaction
from django.db.models import (
    Case,
    CharField,
    Expression,
    F,
    OuterRef,
    QuerySet,
    StringAgg,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat, Left
from django.db.models.lookups import In
from django.http import StreamingHttpResponse
from django.utils.text import slugify
from unidecode import unidecode

from statements.fragments import speaker_words
from statements.models import Quote, Topic
from statements.selectors import QuoteFilters

# Rows fetched per database round trip, and written per piece of the response.
CHUNK_SIZE = 500
SEPARATOR = " "  # between the codes joined in a row
BOM = "\ufeff"
FILENAME_MAX = 120

# Citation first (what a reader of the spreadsheet looks at), identifiers and offsets last.
CSV_COLUMNS = [
    "text",
    "kind",
    "speaker_name",
    "speaker_role",
    "speaker_country",
    "cue",
    "article_title",
    "article_source",
    "article_url",
    "article_published",
    "countries",
    "topics",
    "link",
    "id",
    "speaker_slug",
    "article_id",
    "start",
    "end",
]

# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """Defuse spreadsheet formulas: text cells starting with = + - @ get a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


# What a row shows, read as plain tuples in one query: model instances cost ~0.5 ms a row,
# and fetching the countries and topics per chunk of rows half the export's time.
ROW_FIELDS = (
    "pk",
    "text",
    "kind",
    "start",
    "end",
    "fragments",
    "cue_text",
    "position",
    "speaker_id",
    "speaker__name",
    "speaker__slug",
    "speaker__role",
    "speaker__country_id",
    "article_id",
    "article__title",
    "article__source_name",
    "article__url",
    "article__published",
)


class ExportRow(NamedTuple):
    """One statement as exported: ROW_FIELDS, then its countries and topics."""

    pk: int
    text: str
    kind: str
    start: int
    end: int
    fragments: list | None
    cue: str
    position: int
    speaker_id: int | None
    speaker_name: str | None
    speaker_slug: str | None
    speaker_role: str | None
    speaker_country: str | None
    article_id: int
    article_title: str
    article_source: str
    article_url: str
    article_published: dt.date | None
    countries: list[str]  # ISO codes, sorted
    topics: list[str]  # slugs, sorted

    def words(self) -> str:
        """The speaker's words, the narration of an interrupted quote left out."""
        if not self.fragments:
            return self.text
        return speaker_words(text=self.text, start=self.start, fragments=self.fragments)

    def path(self) -> str:
        """Where the article page shows the statement."""
        return Quote.url_in_article(article_id=self.article_id, pk=self.pk, position=self.position)


def _joined(through, field: str, *, in_order: bool = False) -> Subquery:
    """A statement's values of `field` in its links (`through`), joined in one string, in
    order where the database can sort within an aggregate (else the caller sorts)."""
    joined = StringAgg(
        Cast(field, CharField()), Value(SEPARATOR), order_by=field if in_order else ()
    )
    return Subquery(
        through.objects.filter(quote_id=OuterRef("pk"))
        .values("quote_id")
        .annotate(joined=joined)
        .values("joined")
    )


@contextmanager
def _snapshot(db: str) -> Iterator[None]:
    """One transaction, so that an export is one snapshot of the data however long it
    streams. On PostgreSQL its cursor is planned for reading every row (the default plans
    for reading a tenth first, and the plan for all is 30% faster), and dates are written
    as 2026-01-31 whatever the server's setting."""
    with transaction.atomic(using=db):
        connection = connections[db]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL cursor_tuple_fraction = 1")
                cursor.execute("SET LOCAL DateStyle = 'ISO'")
        yield


def _topic_slugs() -> dict[str, str]:
    """Topic slugs by id, the id as text (as _joined spells it)."""
    return {str(pk): slug for pk, slug in Topic.objects.values_list("pk", "slug")}


def _codes(joined: str | None) -> list[str]:
    """Codes joined in one string (_joined), sorted."""
    return sorted(joined.split(SEPARATOR)) if joined else []


def _slugs(joined: str | None, slugs: dict[str, str]) -> list[str]:
    """The slugs of topic ids joined in one string, sorted (a topic deleted since `slugs`
    was read is left out)."""
    return sorted(slugs[pk] for pk in _codes(joined) if pk in slugs)


def export_rows(queryset: QuerySet) -> Iterator[ExportRow]:
    """The rows of `queryset` (in its order) in one query: each row brings its statement's
    countries and topic ids joined in a string (one index lookup each; topic slugs are
    mapped here, which on PostgreSQL is 5 times cheaper than joining the topic per row)."""
    with _snapshot(queryset.db):
        slugs = _topic_slugs()
        rows = (
            queryset.prefetch_related(None)
            .annotate(
                export_countries=_joined(Quote.countries.through, "country_id"),
                export_topics=_joined(Quote.topics.through, "topic_id"),
            )
            .values_list(*ROW_FIELDS, "export_countries", "export_topics")
        )
        for *values, countries, topics in rows.iterator(chunk_size=CHUNK_SIZE):
            yield ExportRow(*values, _codes(countries), _slugs(topics, slugs))


def _guarded(field: str) -> Case:
    """csv_safe in SQL: a text column's cell, a formula defused."""
    value = F(field)
    return Case(
        When(In(Left(value, 1), FORMULA_PREFIXES), then=Concat(Value("'"), value)),
        default=value,
        output_field=CharField(),
    )


def _csv_fields(*, site: str, in_order: bool) -> dict[str, str | Expression]:
    """What the database selects for each of CSV_COLUMNS: finished cells, but for the
    text, which needs an interrupted quote's narration left out first."""
    return {
        "text": "text",
        "kind": "kind",
        "speaker_name": _guarded("speaker__name"),
        "speaker_role": _guarded("speaker__role"),
        "speaker_country": "speaker__country_id",
        "cue": _guarded("cue_text"),
        "article_title": _guarded("article__title"),
        "article_source": _guarded("article__source_name"),
        "article_url": _guarded("article__url"),
        "article_published": Cast("article__published", CharField()),
        "countries": _joined(Quote.countries.through, "country_id", in_order=in_order),
        # Topic ids, their slugs put in here (joining the topic per row costs PostgreSQL
        # three times what the whole row costs here).
        "topics": _joined(Quote.topics.through, "topic_id", in_order=False),
        "link": Quote.url_in_article_sql(site=site),
        "id": "pk",
        "speaker_slug": "speaker__slug",
        "article_id": "article_id",
        "start": "start",
        "end": "end",
    }


_TEXT, _COUNTRIES, _TOPICS, _START = (
    CSV_COLUMNS.index(c) for c in ("text", "countries", "topics", "start")
)


def csv_chunks(queryset: QuerySet, *, site: str = "") -> Iterator[list[list]]:
    """The rows of `queryset` as cells of CSV_COLUMNS, CHUNK_SIZE rows at a time, in one
    query. The database writes the cells (links, dates, the codes joined, formulas
    defused) and Python only the text and the topics: making every cell here was a third
    of an export's time."""
    in_order = connections[queryset.db].features.supports_aggregate_order_by_clause
    fields = _csv_fields(site=site, in_order=in_order)
    expressions = {f"csv_{c}": f for c, f in fields.items() if not isinstance(f, str)}
    names = [fields[c] if isinstance(fields[c], str) else f"csv_{c}" for c in CSV_COLUMNS]
    with _snapshot(queryset.db):
        slugs = _topic_slugs()
        rows = (
            queryset.prefetch_related(None).annotate(**expressions).values_list(*names, "fragments")
        )
        for chunk in batched(rows.iterator(chunk_size=CHUNK_SIZE), CHUNK_SIZE):
            yield [_finished(row, slugs=slugs, sort=not in_order) for row in chunk]


def _finished(row: tuple, *, slugs: dict[str, str], sort: bool) -> list:
    *cells, fragments = row
    text = cells[_TEXT]
    if fragments:
        text = speaker_words(text=text, start=cells[_START], fragments=fragments)
    cells[_TEXT] = csv_safe(text)
    cells[_TOPICS] = SEPARATOR.join(_slugs(cells[_TOPICS], slugs))
    if sort:
        cells[_COUNTRIES] = SEPARATOR.join(_codes(cells[_COUNTRIES]))
    return cells


def json_row(row: ExportRow, *, site: str = "") -> dict:
    """The JSON of a row: the fixed keys of docs/architecture.md and the others."""
    return {
        "id": row.pk,
        "text": row.words(),
        "kind": row.kind,
        "start": row.start,
        "end": row.end,
        "fragments": [{"start": s, "end": e} for s, e in row.fragments or ()],
        "cue": row.cue or None,
        "speaker": {
            "name": row.speaker_name,
            "slug": row.speaker_slug,
            "country": row.speaker_country,
            "role": row.speaker_role or None,
        }
        if row.speaker_id is not None
        else None,
        "article": {
            "id": row.article_id,
            "title": row.article_title,
            "published": row.article_published.isoformat() if row.article_published else None,
            "source": row.article_source or None,
            "url": row.article_url or None,
        },
        "countries": row.countries,
        "topics": row.topics,
        "link": site + row.path(),
    }


def _date_range(date_from: dt.date | None, date_to: dt.date | None) -> str:
    """'2024' for a whole year, '2024-03' for a whole month, else the days given."""
    if date_from and date_to:
        whole_months = date_from.day == 1 and (date_to + dt.timedelta(days=1)).day == 1
        if whole_months and date_from.year == date_to.year:
            if (date_from.month, date_to.month) == (1, 12):
                return str(date_from.year)
            if date_from.month == date_to.month:
                return date_from.strftime("%Y-%m")
        return f"{date_from.isoformat()}-to-{date_to.isoformat()}"
    if date_from:
        return f"from-{date_from.isoformat()}"
    if date_to:
        return f"to-{date_to.isoformat()}"
    return ""


def export_filename(*, filters: QuoteFilters, speaker_slug: str = "") -> str:
    """A file name (no extension) that says what the export holds, e.g.
    `statements-speaker-jens-stoltenberg-2024`: the active filters' slugs, then the dates.
    `speaker_slug` is the speaker a typed name resolved to, if one."""
    parts = ["statements"]
    if filters.speaker:
        parts.append(f"speaker-{speaker_slug or filters.speaker}")
    if filters.speaker_country:
        parts.append(f"speakers-from-{filters.speaker_country}")
    if filters.country:
        parts.append(f"mentioning-{filters.country}")
    if filters.topic:
        parts.append(f"topic-{filters.topic}")
    if filters.kind:
        parts.append(filters.kind)
    if filters.q:
        parts.append(f"words-{filters.q[:40]}")
    parts.append(_date_range(filters.date_from, filters.date_to))
    name = slugify(unidecode("-".join(p for p in parts if p)))
    return name[:FILENAME_MAX].rstrip("-") or "statements"


def _drained(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def stream_csv(queryset: QuerySet, *, site: str = "") -> Iterator[str]:
    """The CSV in pieces of CHUNK_SIZE rows (a piece a row made the response's own
    overhead, encoding and writing each piece, a fifth of the time)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield BOM + _drained(buffer)
    for chunk in csv_chunks(queryset, site=site):
        writer.writerows(chunk)
        yield _drained(buffer)


def stream_json(queryset: QuerySet, *, site: str = "") -> Iterator[str]:
    yield f'{{"count": {queryset.count()}, "results": ['
    separator = ""
    for chunk in batched(export_rows(queryset), CHUNK_SIZE):
        yield separator + ", ".join(
            json.dumps(json_row(row, site=site), ensure_ascii=False) for row in chunk
        )
        separator = ", "
    yield "]}"


def _attachment(filename: str) -> str:
    return f'attachment; filename="{filename}"'


def csv_response(queryset: QuerySet, *, filename: str, site: str = "") -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        stream_csv(queryset, site=site), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = _attachment(f"{filename}.csv")
    return response


def json_response(
    queryset: QuerySet, *, filename: str = "", site: str = ""
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        stream_json(queryset, site=site), content_type="application/json"
    )
    if filename:
        # Inline (the browser shows it), but saved under a name that says the filter.
        response["Content-Disposition"] = f'inline; filename="{filename}.json"'
    return response
