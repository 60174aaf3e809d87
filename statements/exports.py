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
import json
from collections.abc import Callable, Iterator
from itertools import batched

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils.text import slugify
from unidecode import unidecode

from statements.fragments import speaker_words
from statements.models import Quote
from statements.selectors import QuoteFilters

# Rows fetched (with their prefetched countries and topics) per database round trip.
CHUNK_SIZE = 500
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


def csv_cells(row: dict) -> list:
    """A JSON row flattened into the cells of CSV_COLUMNS."""
    speaker = row["speaker"] or {}
    article = row["article"]
    cells = {
        "text": row["text"],
        "kind": row["kind"],
        "speaker_name": speaker.get("name", ""),
        "speaker_role": speaker.get("role") or "",
        "speaker_country": speaker.get("country") or "",
        "cue": row["cue"] or "",
        "article_title": article["title"],
        "article_source": article.get("source") or "",
        "article_url": article.get("url") or "",
        "article_published": article["published"] or "",
        "countries": " ".join(row["countries"]),
        "topics": " ".join(row["topics"]),
        "link": row.get("link") or "",
        "id": row["id"],
        "speaker_slug": speaker.get("slug", ""),
        "article_id": article["id"],
        "start": row["start"],
        "end": row["end"],
    }
    return [csv_safe(cells[name]) for name in CSV_COLUMNS]


# What a row shows, read as plain tuples: building model instances, and a related
# manager per row for the prefetched countries and topics, made exports ~0.5 ms a row.
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


def iter_rows(queryset: QuerySet, *, link: Callable[[str], str] = str) -> Iterator[dict]:
    """The rows of `queryset` (in its order), built from plain values: one query for the
    rows and two per CHUNK_SIZE rows for their countries and topics. `link` makes a
    site path absolute (request.build_absolute_uri)."""
    rows = queryset.prefetch_related(None).values_list(*ROW_FIELDS)
    for chunk in batched(rows.iterator(chunk_size=CHUNK_SIZE), CHUNK_SIZE):
        ids = [row[0] for row in chunk]
        countries = _codes_by_quote(Quote.countries.through, ids, "country_id")
        topics = _codes_by_quote(Quote.topics.through, ids, "topic__slug")
        for (
            pk,
            text,
            kind,
            start,
            end,
            fragments,
            cue,
            position,
            speaker_id,
            speaker_name,
            speaker_slug,
            speaker_role,
            speaker_country,
            article_id,
            title,
            source,
            url,
            published,
        ) in chunk:
            yield {
                "id": pk,
                "text": speaker_words(text=text, start=start, fragments=fragments or ()),
                "kind": kind,
                "start": start,
                "end": end,
                "fragments": [{"start": s, "end": e} for s, e in fragments or ()],
                "cue": cue or None,
                "speaker": {
                    "name": speaker_name,
                    "slug": speaker_slug,
                    "country": speaker_country,
                    "role": speaker_role or None,
                }
                if speaker_id is not None
                else None,
                "article": {
                    "id": article_id,
                    "title": title,
                    "published": published.isoformat() if published else None,
                    "source": source or None,
                    "url": url or None,
                },
                "countries": sorted(countries.get(pk, ())),
                "topics": sorted(topics.get(pk, ())),
                "link": link(_statement_path(article_id, pk, position)),
            }


def _statement_path(article_id: int, pk: int, position: int) -> str:
    """Where the article page shows the statement (as Quote.get_absolute_url)."""
    part = position // Quote.STATEMENTS_PER_PART
    return f"/articles/{article_id}/" + (f"?part={part + 1}" if part else "") + f"#q{pk}"


def _codes_by_quote(through, ids: list[int], field: str) -> dict[int, list[str]]:
    codes: dict[int, list[str]] = {}
    for quote_id, code in through.objects.filter(quote_id__in=ids).values_list("quote_id", field):
        codes.setdefault(quote_id, []).append(code)
    return codes


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


class _Echo:
    """A file-like object whose write() hands the line back to the csv writer's caller."""

    def write(self, value: str) -> str:
        return value


def stream_csv(queryset: QuerySet, *, link: Callable[[str], str] = str) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow(CSV_COLUMNS)
    for row in iter_rows(queryset, link=link):
        yield writer.writerow(csv_cells(row))


def stream_json(queryset: QuerySet, *, link: Callable[[str], str] = str) -> Iterator[str]:
    yield f'{{"count": {queryset.count()}, "results": ['
    separator = ""
    for row in iter_rows(queryset, link=link):
        yield separator + json.dumps(row, ensure_ascii=False)
        separator = ", "
    yield "]}"


def _attachment(filename: str) -> str:
    return f'attachment; filename="{filename}"'


def csv_response(
    queryset: QuerySet, *, filename: str, link: Callable[[str], str] = str
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        stream_csv(queryset, link=link), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = _attachment(f"{filename}.csv")
    return response


def json_response(
    queryset: QuerySet, *, filename: str = "", link: Callable[[str], str] = str
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        stream_json(queryset, link=link), content_type="application/json"
    )
    if filename:
        # Inline (the browser shows it), but saved under a name that says the filter.
        response["Content-Disposition"] = f'inline; filename="{filename}.json"'
    return response
