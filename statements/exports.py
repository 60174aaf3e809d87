"""CSV and JSON twins of the statement lists: the same rows, every page, streamed.

The JSON row shape is fixed (docs/design.md): outside tools read it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from statements.models import Quote

# Rows fetched (with their prefetched countries and topics) per database round trip.
CHUNK_SIZE = 500

CSV_COLUMNS = [
    "id",
    "text",
    "kind",
    "start",
    "end",
    "cue",
    "speaker_name",
    "speaker_slug",
    "speaker_country",
    "article_id",
    "article_title",
    "article_published",
    "countries",
    "topics",
]

# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def quote_row(quote: Quote) -> dict:
    """The fixed JSON row of a statement."""
    speaker = quote.speaker
    article = quote.article
    return {
        "id": quote.pk,
        "text": quote.text,
        "kind": quote.kind,
        "start": quote.start,
        "end": quote.end,
        "cue": quote.cue_text or None,
        "speaker": {
            "name": speaker.name,
            "slug": speaker.slug,
            "country": speaker.country_id,
        }
        if speaker
        else None,
        "article": {
            "id": article.pk,
            "title": article.title,
            "published": article.published.isoformat() if article.published else None,
        },
        "countries": sorted(c.code for c in quote.countries.all()),
        "topics": sorted(t.slug for t in quote.topics.all()),
    }


def csv_safe(value):
    """Defuse spreadsheet formulas: text cells starting with = + - @ get a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_cells(row: dict) -> list:
    speaker = row["speaker"] or {}
    article = row["article"]
    cells = [
        row["id"],
        row["text"],
        row["kind"],
        row["start"],
        row["end"],
        row["cue"] or "",
        speaker.get("name", ""),
        speaker.get("slug", ""),
        speaker.get("country") or "",
        article["id"],
        article["title"],
        article["published"] or "",
        " ".join(row["countries"]),
        " ".join(row["topics"]),
    ]
    return [csv_safe(cell) for cell in cells]


def iter_rows(queryset: QuerySet) -> Iterator[dict]:
    for quote in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield quote_row(quote)


class _Echo:
    """A file-like object whose write() hands the line back to the csv writer's caller."""

    def write(self, value: str) -> str:
        return value


def stream_csv(queryset: QuerySet) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for row in iter_rows(queryset):
        yield writer.writerow(csv_cells(row))


def stream_json(queryset: QuerySet) -> Iterator[str]:
    yield f'{{"count": {queryset.count()}, "results": ['
    separator = ""
    for row in iter_rows(queryset):
        yield separator + json.dumps(row, ensure_ascii=False)
        separator = ", "
    yield "]}"


def csv_response(queryset: QuerySet, *, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(stream_csv(queryset), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def json_response(queryset: QuerySet) -> StreamingHttpResponse:
    return StreamingHttpResponse(stream_json(queryset), content_type="application/json")
